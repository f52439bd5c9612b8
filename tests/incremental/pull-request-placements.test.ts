/**
 * A resumed cross-day index places again only the pull requests of the
 * services the new snapshots touched (src/views/history.ts): an untouched
 * service's placements are the saved ones, a touched service's are made
 * anew, and the index equals the one built from every snapshot.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, LedgerIndexBuilder, type LedgerIndexBuilderState } from '../../src/views/index.ts';
import { generate, history } from '../helpers/pr-histories.ts';
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

  it('over generated histories (rollbacks, records missing), a builder resumed after any night equals one fed every snapshot', () => {
    let resumes = 0;
    let rollbacks = 0;
    for (const h of fc.sample(history, { numRuns: 40, seed: 23 })) {
      const { snapshots } = generate(h);
      const full = JSON.stringify(buildLedgerIndex(snapshots));
      rollbacks += (JSON.parse(full) as { events: { rollback: boolean }[] }).events.filter((e) => e.rollback).length;
      for (let split = 1; split < snapshots.length; split++) {
        const builder = new LedgerIndexBuilder();
        for (const s of snapshots.slice(0, split)) builder.add(s);
        builder.finish();
        const resumed = LedgerIndexBuilder.fromState(JSON.parse(JSON.stringify(builder.toState())) as LedgerIndexBuilderState);
        for (const s of snapshots.slice(split)) resumed.add(s);
        expect(JSON.stringify(resumed.finish())).toBe(full);
        resumes++;
      }
    }
    expect(resumes).toBeGreaterThan(50);
    // The slots a resumed builder rebuilds from its events decide rollbacks: the histories hold some.
    
    expect(rollbacks).toBeGreaterThan(5);
  });

  it('a resumed builder knows which builds ran where before: going back to one is a rollback, whatever its label', () => {
    // Labels that are not versions: only the builds seen before in dev make the last deployment a rollback.
    const at = (day: number, version: string) => buildSnapshot({ takenAt: `2026-03-0${day}T22:00:00Z`, deployments: [buildDeployment({ service: 'api', environment: 'dev', version, deployedAt: `2026-03-0${day}T10:00:00Z` }), buildDeployment({ service: 'web', environment: 'dev' })] });
    const snapshots = [at(1, 'build-b'), at(2, 'build-a'), at(3, 'build-b')];
    const full = buildLedgerIndex(snapshots);
    expect(full.events.filter((e) => e.service === 'api').map((e) => e.rollback)).toEqual([false, false, true]);
    const builder = new LedgerIndexBuilder();
    for (const s of snapshots.slice(0, 2)) builder.add(s);
    const resumed = LedgerIndexBuilder.fromState(JSON.parse(JSON.stringify(builder.toState())) as LedgerIndexBuilderState);
    resumed.add(snapshots[2]!);
    expect(JSON.stringify(resumed.finish())).toBe(JSON.stringify(full));
  });
});
