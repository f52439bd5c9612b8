/**
 * Unknown is not absent: where a pull request is (docs/pull-requests.md).
 * Generated release histories with their git truth (tests/helpers/pr-histories.ts),
 * indexed by the real `LedgerIndexBuilder`; on every night, every compare page
 * (six pairs of four environments) and, at the end, every where-is-my-change
 * answer:
 * - every "only in A" pull request is contained in A's build and not in B's;
 * - a service running the same build on both sides lists none, not even unknown;
 * - "only in" and "unknown" are exactly what a plain reading of the raw
 *   snapshot JSON (`plainPresence`, sharing no code with the views) gives:
 *   unknown exactly where the ledger has no evidence either way;
 * - every "in" and "out" of where-is-my-change is true, and equals the plain reading.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, compareEnvironments } from '../../src/views/index.ts';
import { commit, contains, ENVIRONMENTS, generate, history, plainPresence, SERVICES } from '../helpers/pr-histories.ts';
import { recordFigure, SEED } from './world.ts';

const RUNS = 150;

describe('pull requests: unknown is not absent', () => {
  it(`${RUNS} generated histories: every compare page and where-is-my-change answer agrees with the git truth and the raw JSON`, ({ task }) => {
    const problems: string[] = [];
    let pages = 0;
    let onlyIn = 0;
    let unknown = 0;
    let sameBuild = 0;
    let cells = 0;
    const listed = (list: { service: string; number: number }[], service: string) => list.filter((p) => p.service === service).map((p) => p.number).sort((x, y) => x - y);
    fc.sample(history, { seed: SEED, numRuns: RUNS }).forEach((h, run) => {
      const { snapshots, truth } = generate(h);
      const raw = JSON.parse(JSON.stringify(snapshots));
      const index = buildLedgerIndex(snapshots);
      snapshots.forEach((s, night) => {
        const plain = plainPresence(raw, s.id);
        const at = (service: string, environment: string) => truth[night]!.get(`${service}/${environment}`)!;
        // Every pair, not only those the site renders: `release-ledger diff` compares any two.
        for (const [a, b] of ENVIRONMENTS.flatMap((a, i) => ENVIRONMENTS.slice(i + 1).map((b) => [a, b] as const))) {
          pages++;
          const where = `run ${run} night ${night} ${a}...${b}`;
          const cmp = compareEnvironments(s, a, b, index);
          onlyIn += cmp.pullRequests.length;
          unknown += cmp.unknownPullRequests.length;
          for (const pr of cmp.pullRequests) {
            const [inside, outside] = pr.in === 'a' ? [a, b] : [b, a];
            if (!contains(at(pr.service, inside), pr.number) || contains(at(pr.service, outside), pr.number)) problems.push(`${where}: ${pr.service}#${pr.number} listed only in ${inside}, untrue`);
          }
          for (const service of SERVICES) {
            const [ka, kb] = [at(service, a), at(service, b)];
            if (ka === kb) {
              sameBuild++;
              if (listed(cmp.pullRequests, service).length + listed(cmp.unknownPullRequests, service).length > 0) problems.push(`${where}: ${service} runs the same build on both sides but lists pull requests`);
              continue;
            }
            const only: number[] = [];
            const open: number[] = [];
            for (const n of plain.known(service)) {
              const [pa, pb] = [plain.presence(service, commit(service, ka), n), plain.presence(service, commit(service, kb), n)];
              if (pa === 'unknown' || pb === 'unknown') open.push(n);
              else if (pa !== pb) only.push(n);
            }
            if (JSON.stringify(listed(cmp.pullRequests, service)) !== JSON.stringify(only)) problems.push(`${where}: ${service} only-in ${listed(cmp.pullRequests, service)} but the raw JSON says ${only}`);
            if (JSON.stringify(listed(cmp.unknownPullRequests, service)) !== JSON.stringify(open)) problems.push(`${where}: ${service} unknown ${listed(cmp.unknownPullRequests, service)} but the raw JSON says ${open}`);
          }
        }
      });
      const plain = plainPresence(raw, snapshots.at(-1)!.id);
      for (const pr of index.pullRequests) {
        for (const environment of ENVIRONMENTS) {
          cells++;
          const place = pr.now[environment]!;
          const k = truth.at(-1)!.get(`${pr.service}/${environment}`)!;
          if ((place.presence === 'in' && !contains(k, pr.number)) || (place.presence === 'out' && contains(k, pr.number))) problems.push(`run ${run}: ${pr.service}#${pr.number} ${place.presence} ${environment}, untrue`);
          if (place.presence !== plain.presence(pr.service, commit(pr.service, k), pr.number)) problems.push(`run ${run}: ${pr.service}#${pr.number} in ${environment} is ${place.presence}, the raw JSON says otherwise`);
        }
      }
    });
    recordFigure(task, {
      case: 'pull requests: generated histories, every compare page',
      runs: RUNS,
      result: `${problems.length} wrong; ${onlyIn} "only in" checked against the truth, ${unknown} unknown, ${sameBuild} same-build pairs listing none, ${cells} where-is-my-change cells`,
      target: 'every "only in A" in A\'s build and not in B\'s; same build lists none; unknown exactly where the raw JSON holds no evidence',
      pass: problems.length === 0 && onlyIn > 0 && unknown > 0 && sameBuild > 0,
      detail: `${pages} compare pages (6 pairs of 4 environments, every night of every history)`,
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(onlyIn).toBeGreaterThan(0);
    expect(unknown).toBeGreaterThan(0);
  });
});
