import { describe, expect, it } from 'vitest';
import { cleanWorld, day, days, dep, only, sha, take, withDeployment } from './world.ts';

const world = cleanWorld();
const base = world.deployments!;
const at = (n: number, o: object = {}) => ({ ...world, ...o, takenAt: day(n) });

/** prod stays on 1.0.0 while qa deploys 1.1.0 (day 2), 1.2.0 (day 9) and 1.3.0 (day 16). */
function stuckProd(lastDay: number) {
  const qa = (v: string, d: number) => withDeployment(withDeployment(base, dep('api', 'dev', v, { deployedAt: day(d, '11:00:00') })), dep('api', 'qa', v, { deployedAt: day(d, '12:00:00') }));
  return days([at(2), at(3, { deployments: qa('1.1.0', 2) }), at(10, { deployments: qa('1.2.0', 9) }), at(lastDay, { deployments: qa('1.3.0', 16) })]);
}

describe('drift.version', () => {
  it('fires once qa has differed from prod for more than maxDriftDays, with the age carried across qa deployments', () => {
    const snaps = stuckProd(17);
    const [f, ...rest] = only(snaps[3]!, 'drift.version');
    expect(rest).toEqual([]);
    expect(f!.id).toBe('drift.version/api/prod');
    expect(f!.severity).toBe('medium');
    // `since` is when the finding was first seen open (this snapshot); the drift's start is in the evidence and message.
    expect(f!.since).toBe(day(17));
    expect(f!.message).toBe(
      `api in prod (1.0.0, ${sha('api-1.0.0').slice(0, 7)}) has differed from qa (1.3.0, ${sha('api-1.3.0').slice(0, 7)}) for 14.5 days, since ${day(2, '12:00:00')}; more than the 14 allowed.`,
    );
    expect(f!.evidence).toEqual({
      lower: 'qa',
      higher: 'prod',
      since: day(2, '12:00:00'),
      sinceBasis: 'ledger',
      driftDays: 14.5,
      maxDriftDays: 14,
      lowerDeployment: { version: '1.3.0', commit: sha('api-1.3.0'), deployedAt: day(16, '12:00:00'), source: 'github' },
      higherDeployment: { version: '1.0.0', commit: sha('api-1.0.0'), deployedAt: day(1, '10:00:00'), source: 'github' },
    });
    expect(snaps[1]!.tracking!.driftSince).toEqual({ 'api/qa/prod': day(2, '12:00:00') });
    // dev and qa run the same build: no drift between them.
    expect(snaps[3]!.tracking!.driftSince['api/dev/qa']).toBeUndefined();
  });

  it('a drift that began before the finding opened: since is first seen open, and stays so; the drift start stays in evidence and message', () => {
    const qa = (v: string, d: number) => withDeployment(withDeployment(base, dep('api', 'dev', v, { deployedAt: day(d, '11:00:00') })), dep('api', 'qa', v, { deployedAt: day(d, '12:00:00') }));
    // Drift from day 2 12:00; not yet over 14 days on day 10 or 16; open on day 17 and again on day 18.
    const snaps = days([at(2), at(3, { deployments: qa('1.1.0', 2) }), at(10, { deployments: qa('1.2.0', 9) }), at(16, { deployments: qa('1.3.0', 16) }), at(17, { deployments: qa('1.3.0', 16) }), at(18, { deployments: qa('1.3.0', 16) })]);
    expect(only(snaps[3]!, 'drift.version')).toEqual([]);
    const [opened] = only(snaps[4]!, 'drift.version');
    const [later] = only(snaps[5]!, 'drift.version');
    expect(opened!.since).toBe(day(17));
    expect(later!.since).toBe(day(17));
    expect(later!.evidence['since']).toBe(day(2, '12:00:00'));
    expect(later!.message).toContain(`for 15.5 days, since ${day(2, '12:00:00')}`);
    // The drift began 15 days before the finding was first seen open.
    expect(Date.parse(later!.since) - Date.parse(later!.evidence['since'] as string)).toBeGreaterThan(14 * 86_400_000);
  });

  it('near miss: the same drift one day younger (13.5 days) does not fire', () => {
    expect(only(stuckProd(16)[3]!, 'drift.version')).toEqual([]);
  });

  it('without earlier snapshots the age is a lower bound (the later arrival) and says so', () => {
    const d = [
      dep('api', 'dev', '1.1.0', { deployedAt: '2026-02-19T12:00:00Z' }),
      dep('api', 'qa', '1.1.0', { deployedAt: '2026-02-20T12:00:00Z' }),
      dep('api', 'prod', '1.0.0', { deployedAt: '2026-02-10T12:00:00Z' }),
    ].reduce(withDeployment, base);
    const [f] = only(take(at(10, { deployments: d })), 'drift.version');
    expect(f!.evidence['sinceBasis']).toBe('estimate');
    expect(f!.evidence['since']).toBe('2026-02-20T12:00:00Z');
    expect(f!.message).toContain('for 17.5 days at least');
  });

  it('honours policies.maxDriftDays', () => {
    const d = withDeployment(base, dep('api', 'qa', '1.1.0', { deployedAt: day(5, '02:00:00') }));
    // dev (1.0.0) and qa (1.1.0) have differed since qa's deployment on day 5 at 02:00: exactly 5 days.
    expect(only(take(at(10, { deployments: d, policies: { maxDriftDays: 4 } })), 'drift.version').map((f) => f.id)).toEqual(['drift.version/api/prod', 'drift.version/api/qa']);
    expect(only(take(at(10, { deployments: d, policies: { maxDriftDays: 5 } })), 'drift.version')).toEqual([]);
  });
});

describe('drift.runtime', () => {
  const observed = (commit: string | null, version: string | null = null) => ({ service: 'api', environment: 'prod', version, commit, at: day(2), source: 'runtime', url: 'https://api/version' });

  it('fires when the observed commit is not the deployed one', () => {
    const [f] = only(take(at(2, { observed: [observed('abcdef1')] })), 'drift.runtime');
    expect(f!.id).toBe('drift.runtime/api/prod');
    expect(f!.severity).toBe('high');
    expect(f!.message).toBe(`api in prod: observed (runtime) commit abcdef1 is not deployed commit ${sha('api-1.0.0').slice(0, 7)}.`);
    expect(f!.evidence).toEqual({
      mismatches: [`observed (runtime) commit abcdef1 is not deployed commit ${sha('api-1.0.0').slice(0, 7)}`],
      deployed: { version: '1.0.0', commit: sha('api-1.0.0'), deployedAt: day(1, '10:00:00'), source: 'github' },
      observed: [{ version: null, commit: 'abcdef1', at: day(2), source: 'runtime', url: 'https://api/version' }],
      declared: [],
    });
  });

  it('fires when GitOps declares another version than the deployment record', () => {
    const declared = [{ service: 'api', environment: 'prod', version: '1.4.0', file: 'envs/prod/api/values.yaml', revision: 'r1', source: 'gitops' }];
    const [f] = only(take(at(2, { declared })), 'drift.runtime');
    expect(f!.evidence['mismatches']).toEqual(['declared (gitops) version 1.4.0 is not deployed version 1.0.0']);
  });

  it('near misses: an abbreviated matching commit, a "v"-prefixed version, a tag naming the commit', () => {
    const short = sha('api-1.0.0').slice(0, 7);
    const declared = [{ service: 'api', environment: 'prod', version: `sha-${short}`, file: 'f', revision: 'r', source: 'gitops' }];
    expect(only(take(at(2, { observed: [observed(short)] })), 'drift.runtime')).toEqual([]);
    expect(only(take(at(2, { observed: [observed(null, 'v1.0.0')] })), 'drift.runtime')).toEqual([]);
    expect(only(take(at(2, { declared })), 'drift.runtime')).toEqual([]);
  });
});
