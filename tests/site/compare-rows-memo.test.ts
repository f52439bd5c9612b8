/**
 * A day's compare pages reuse a service's pull-request rows from the day
 * before when nothing they depend on changed (compare.ts `partlyDeployed`).
 * Whatever order the days come in, every compare equals one made from a
 * fresh copy of the index, which shares no remembered rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, compareEnvironments } from '../../src/views/index.ts';
import { ENVIRONMENTS, generate, history } from '../helpers/pr-histories.ts';

const pairs = ENVIRONMENTS.flatMap((a, i) => ENVIRONMENTS.slice(i + 1).map((b) => [a, b] as const));

describe('compare pages: remembered pull-request rows', () => {
  it('equal the rows made afresh, in day order, backwards and shuffled', () => {
    let compared = 0;
    let listed = 0;
    fc.sample(history, { seed: 20261207, numRuns: 40 }).forEach((h, run) => {
      const { snapshots } = generate(h);
      const index = buildLedgerIndex(snapshots);
      const orders = [snapshots.map((_, i) => i), snapshots.map((_, i) => snapshots.length - 1 - i), snapshots.map((_, i) => (i * 7) % snapshots.length)];
      for (const order of orders) {
        for (const night of order) {
          const s = snapshots[night]!;
          const fresh = structuredClone(index);
          for (const [a, b] of pairs) {
            const shared = compareEnvironments(s, a, b, index);
            const alone = compareEnvironments(s, a, b, fresh);
            expect({ prs: shared.pullRequests, unknown: shared.unknownPullRequests }, `run ${run} night ${night} ${a}...${b}`).toEqual({ prs: alone.pullRequests, unknown: alone.unknownPullRequests });
            compared++;
            listed += shared.pullRequests.length + shared.unknownPullRequests.length;
          }
        }
      }
    });
    // The generated histories must put pull requests on the pages, or the comparison proves nothing.
    expect(listed).toBeGreaterThan(1000);
    expect(compared).toBeGreaterThan(1000);
  });
});
