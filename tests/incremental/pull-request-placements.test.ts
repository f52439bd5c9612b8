/**
 * A resumed cross-day index places again only the pull requests of the
 * services the new snapshots touched (src/views/history.ts): an untouched
 * service's placements are the saved ones, a touched service's are made
 * anew, and the index equals the one built from every snapshot.
 */
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, LedgerIndexBuilder, type LedgerIndexBuilderState } from '../../src/views/index.ts';
import { buildChange, buildDeployment, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

const pr = (number: number) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: '2026-03-10T09:00:00Z', reviewers: [] });
const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`;
/** api and web at 1.0.0 in dev, qa and prod, with `moves` on top: [service, environment, version, day, pull request]. */
function night(day: number, moves: [string, string, string, number, number][]) {
  const deployments = ['api', 'web'].flatMap((service) =>
    ['dev', 'qa', 'prod'].map((environment) => {
      const move = moves.find(([s, e]) => s === service && e === environment);
      return buildDeployment({ service, environment, version: move?.[2] ?? '1.0.0', deployedAt: move ? at(move[3]) : '2026-03-01T10:00:00Z' });
    }),
  );
  const changes = moves.map(([service, environment, version, when, number]) =>
    buildChange({ service, environment, version, fromVersion: '1.0.0', fromCommit: commitFor(`${service}-1.0.0`), deployedAt: at(when), pullRequests: [pr(number)] }),
  );
  return buildSnapshot({ takenAt: `2026-03-${String(day).padStart(2, '0')}T22:00:00Z`, deployments, changes });
}

const first = night(1, []);
const second = night(2, [['api', 'dev', '1.1.0', 2, 7], ['web', 'dev', '1.1.0', 2, 3]]);
// Only api moves: 1.1.0 reaches qa.
const third = night(3, [['api', 'dev', '1.1.0', 2, 7], ['web', 'dev', '1.1.0', 2, 3], ['api', 'qa', '1.1.0', 3, 7]]);

/** The builder state saved after the first two nights, as incremental.ts saves it (JSON). */
function savedState(): LedgerIndexBuilderState {
  const builder = new LedgerIndexBuilder();
  builder.add(first);
  builder.add(second);
  builder.finish();
  return JSON.parse(JSON.stringify(builder.toState())) as LedgerIndexBuilderState;
}

function resume(state: LedgerIndexBuilderState) {
  const builder = LedgerIndexBuilder.fromState(state);
  builder.add(third);
  return { builder, index: builder.finish() };
}

describe('pull request placements in a resumed index', () => {
  it('equals the index built from every snapshot: the touched service placed anew, the untouched one as saved', () => {
    const before = buildLedgerIndex([first, second]);
    const full = buildLedgerIndex([first, second, third]);
    const { builder, index } = resume(savedState());
    expect(JSON.stringify(index)).toBe(JSON.stringify(full));
    expect([...builder.touched]).toEqual(['api']);
    const entry = (i: typeof full, service: string) => i.pullRequests.find((p) => p.service === service)!;
    // api #7 arrived in qa on night 3: its placement changed.
    expect(entry(before, 'api').now.qa!.presence).toBe('out');
    expect(entry(full, 'api').now.qa!.presence).toBe('in');
    expect(entry(full, 'api').environments.qa).toEqual([{ since: at(3), exact: true, until: null, version: '1.1.0', snapshot: third.id }]);
    // web #3 is where it was.
    expect(entry(full, 'web')).toEqual(entry(before, 'web'));
    expect(entry(full, 'web').now).toEqual({ dev: { presence: 'in', version: '1.1.0' }, prod: { presence: 'out', version: '1.0.0' }, qa: { presence: 'out', version: '1.0.0' } });
  });

  it('takes an untouched service placements from the saved state and places a touched one again', () => {
    // Mark both saved placements "unknown, no record" in every environment: only the untouched service's survive.
    const state = savedState();
    state.placements = state.placements.map((p) => p.map(() => [3]));
    const { index } = resume(state);
    const web = index.pullRequests.find((p) => p.service === 'web')!;
    const api = index.pullRequests.find((p) => p.service === 'api')!;
    expect(Object.values(web.now).map((n) => n.presence)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(web.environments).toEqual({});
    expect([api.now.dev!.presence, api.now.qa!.presence, api.now.prod!.presence]).toEqual(['in', 'in', 'out']);
    expect(api).toEqual(buildLedgerIndex([first, second, third]).pullRequests.find((p) => p.service === 'api'));
  });
});
