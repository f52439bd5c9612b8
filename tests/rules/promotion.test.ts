import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/snapshot.ts';
import { attachPromotion, buildSightingIndex, buildTracking } from '../../src/snapshot/promotion.ts';
import { sameCommit } from '../../src/model/build.ts';
import { cleanWorld, day, days, dep, only, sha, take, withDeployment } from './world.ts';

const world = cleanWorld();
const base = world.deployments as NonNullable<typeof world.deployments>;

/** api 1.1.0 goes dev → qa on day 2, qa moves on to 1.2.0 on day 3, prod gets 1.1.0 on day 4. */
function replacedInQa() {
  const d3 = withDeployment(withDeployment(base, dep('api', 'dev', '1.1.0', { deployedAt: day(2, '11:00:00') })), dep('api', 'qa', '1.1.0', { deployedAt: day(2, '12:00:00'), url: 'https://gh/deploy/qa-110' }));
  const d4 = withDeployment(withDeployment(d3, dep('api', 'dev', '1.2.0', { deployedAt: day(3, '11:00:00') })), dep('api', 'qa', '1.2.0', { deployedAt: day(3, '12:00:00') }));
  const d5 = withDeployment(d4, dep('api', 'prod', '1.1.0', { deployedAt: day(4, '15:00:00') }));
  return [
    { ...world, takenAt: day(2) },
    { ...world, deployments: d3, takenAt: day(3) },
    { ...world, deployments: d4, takenAt: day(4) },
    { ...world, deployments: d5, takenAt: day(5) },
  ];
}

describe('promotion evidence through the chain', () => {
  it('keeps the proof of a commit that was replaced in qa before it reached prod', () => {
    const snaps = days(replacedInQa());
    const last = snaps[3]!;
    const prod = last.deployments.find((d) => d.service === 'api' && d.environment === 'prod')!;
    expect(prod.promotion).toEqual({
      previousEnvironment: 'qa',
      previous: { environment: 'qa', at: day(2, '12:00:00'), source: 'github', url: 'https://gh/deploy/qa-110' },
      // dev is not on the path: once 1.1.0 had reached qa its dev sighting was no longer carried (see promotion.ts).
      path: [
        { environment: 'qa', at: day(2, '12:00:00'), source: 'github', url: 'https://gh/deploy/qa-110' },
        { environment: 'prod', at: day(4, '15:00:00'), source: 'github' },
      ],
    });
    expect(only(last, 'promotion.bypass')).toEqual([]);
    // The sighting survived day 4 only because it was carried in `tracking`.
    expect(snaps[2]!.tracking!.sightings.filter((s) => s.service === 'api' && s.environment === 'qa').map((s) => s.commit)).toContain(sha('api-1.1.0'));
  });

  it('without the carried sightings, the same promotion would look like a bypass (why `tracking` exists)', () => {
    const list = replacedInQa();
    const snaps = days(list.slice(0, 3));
    const amnesiac: Snapshot = { ...snaps[2]!, tracking: { ...snaps[2]!.tracking!, sightings: [] } };
    const last = take(list[3]!, amnesiac);
    expect(only(last, 'promotion.bypass').map((f) => f.id)).toEqual([`promotion.bypass/api/prod/${sha('api-1.1.0').slice(0, 7)}`]);
  });

  it('uses source history for commits that passed an environment between two snapshots', () => {
    const snaps = days([{ ...world, takenAt: day(2) }]);
    const prod = dep('api', 'prod', '1.5.0', { deployedAt: day(2, '18:00:00') });
    const history = [
      { service: 'api', environment: 'dev', commit: sha('api-1.5.0'), at: day(2, '08:00:00'), source: 'github', url: 'https://gh/d/1' },
      { service: 'api', environment: 'qa', commit: sha('api-1.5.0').slice(0, 7), at: day(2, '09:00:00'), source: 'github', url: 'https://gh/d/2' },
    ];
    const s = take({ ...world, deployments: withDeployment(base, prod), takenAt: day(3) }, snaps[0]!, history);
    const p = s.deployments.find((d) => d.service === 'api' && d.environment === 'prod')!.promotion!;
    expect(p.previous).toEqual({ environment: 'qa', at: day(2, '09:00:00'), source: 'github', url: 'https://gh/d/2' });
    expect(p.path.map((x) => x.environment)).toEqual(['dev', 'qa', 'prod']);
    expect(only(s, 'promotion.bypass')).toEqual([]);
  });

  it('gives the first environment no previous one', () => {
    const [s] = days([{ ...world, takenAt: day(2) }]);
    const dev = s!.deployments.find((d) => d.environment === 'dev')!;
    expect(dev.promotion!.previousEnvironment).toBeNull();
    expect(dev.promotion!.previous).toBeNull();
    expect(dev.promotion!.path).toEqual([{ environment: 'dev', at: day(1, '10:00:00'), source: 'github' }]);
  });

  it('matches abbreviated commits by prefix of at least 7 characters only', () => {
    expect(sameCommit('9f86d08', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b')).toBe(true);
    expect(sameCommit('9F86D08', '9f86d081884c')).toBe(true);
    expect(sameCommit('9f86d0', '9f86d081884c')).toBe(false);
    expect(sameCommit('', '')).toBe(false);
  });

  it('does not count a different artifact of the same commit as the same build', () => {
    const index = buildSightingIndex({
      previous: null,
      history: [{ service: 'api', environment: 'qa', commit: 'a'.repeat(40), artifact: 'sha256:one', at: day(2), source: 'github' }],
      draftDeployments: [],
      takenAt: day(3),
      snapshotId: '2026-03-03T020000Z',
    });
    expect(index.first('api', 'qa', 'a'.repeat(40), 'sha256:one')?.at).toBe(day(2));
    expect(index.first('api', 'qa', 'a'.repeat(40), 'sha256:two')).toBeUndefined();
    expect(index.first('api', 'qa', 'a'.repeat(40))?.at).toBe(day(2));
  });

  it('prunes carried sightings the ledger has not seen for longer than the retention window, and never carries the last environment', () => {
    const history = [
      { service: 'api', environment: 'qa', commit: 'b'.repeat(40), at: day(1), source: 'github' },
      { service: 'api', environment: 'qa', commit: 'c'.repeat(40), at: '2026-01-01T00:00:00Z', source: 'github' },
      { service: 'api', environment: 'prod', commit: 'd'.repeat(40), at: day(1), source: 'github' },
    ];
    const index = buildSightingIndex({ previous: null, history, draftDeployments: [], takenAt: day(20), snapshotId: '2026-03-20T020000Z' });
    const envs = [{ name: 'dev', production: false, requiredApprovals: 0 }, { name: 'qa', production: false, requiredApprovals: 0 }, { name: 'prod', production: true, requiredApprovals: 1 }];
    const t = buildTracking({ index, deployments: attachPromotion([], envs, index), environments: envs, services: ['api'], policies: { maxDriftDays: 14 }, previous: null, takenAt: day(20) });
    expect(t.sightings.map((s) => s.commit)).toEqual(['b'.repeat(40)]);
    expect(t.watchedSince).toEqual({ api: day(20) });
  });
});

describe('promotion.bypass', () => {
  it('fires for a commit that reached prod without ever being in qa, with the path as evidence', () => {
    const snaps = days([
      { ...world, takenAt: day(2) },
      { ...world, deployments: withDeployment(base, dep('api', 'prod', '1.0.1', { deployedAt: day(2, '20:00:00'), deployedBy: 'carol', url: 'https://gh/deploy/9' })), takenAt: day(3) },
    ]);
    const [f, ...rest] = only(snaps[1]!, 'promotion.bypass');
    expect(rest).toEqual([]);
    const commit = sha('api-1.0.1');
    expect(f!.id).toBe(`promotion.bypass/api/prod/${commit.slice(0, 7)}`);
    expect(f!.severity).toBe('high');
    expect(f!.service).toBe('api');
    expect(f!.environment).toBe('prod');
    expect(f!.since).toBe(day(3));
    expect(f!.message).toBe(`api 1.0.1 (commit ${commit.slice(0, 7)}) reached prod at ${day(2, '20:00:00')} without ever being seen in qa.`);
    expect(f!.resolution).toContain('Deploy commit');
    expect(f!.resolution).toContain('exception');
    expect(f!.evidence).toEqual({
      commit,
      version: '1.0.1',
      deployedAt: day(2, '20:00:00'),
      deployedBy: 'carol',
      arrivedAt: day(2, '20:00:00'),
      previousEnvironment: 'qa',
      previousSeenAt: null,
      previousSighting: null,
      path: [{ environment: 'prod', at: day(2, '20:00:00'), source: 'github', url: 'https://gh/deploy/9' }],
      url: 'https://gh/deploy/9',
    });
  });

  it('fires when the commit reached qa only after prod, naming both times', () => {
    const snaps = days([
      { ...world, takenAt: day(2) },
      {
        ...world,
        deployments: withDeployment(withDeployment(base, dep('api', 'prod', '1.0.1', { deployedAt: day(2, '20:00:00') })), dep('api', 'qa', '1.0.1', { deployedAt: day(2, '21:00:00') })),
        takenAt: day(3),
      },
    ]);
    const [f] = only(snaps[1]!, 'promotion.bypass');
    expect(f!.message).toContain(`was first seen in qa only at ${day(2, '21:00:00')}, after it`);
    expect(f!.evidence['previousSeenAt']).toBe(day(2, '21:00:00'));
  });

  it('does not judge deployments that reached an environment before the ledger watched the service', () => {
    // First snapshot: prod runs 1.0.0, qa has moved on to 1.1.0; the ledger never saw 1.0.0 in qa, but could not have.
    const moved = withDeployment(base, dep('api', 'qa', '1.1.0', { deployedAt: day(1, '12:00:00') }));
    const snaps = days([
      { ...world, deployments: moved, takenAt: day(2) },
      { ...world, deployments: moved, takenAt: day(3) },
    ]);
    expect(only(snaps[0]!, 'promotion.bypass')).toEqual([]);
    expect(only(snaps[1]!, 'promotion.bypass')).toEqual([]);
    expect(snaps[1]!.tracking!.watchedSince).toEqual({ api: day(2), web: day(2) });
  });

  it('near miss: a commit promoted dev → qa → prod in order does not fire', () => {
    const d3 = withDeployment(base, dep('api', 'dev', '1.1.0', { deployedAt: day(2, '09:00:00') }));
    const d4 = withDeployment(d3, dep('api', 'qa', '1.1.0', { deployedAt: day(3, '09:00:00') }));
    const d5 = withDeployment(d4, dep('api', 'prod', '1.1.0', { deployedAt: day(4, '09:00:00') }));
    const snaps = days([world, { ...world, deployments: d3 }, { ...world, deployments: d4 }, { ...world, deployments: d5 }].map((o, i) => ({ ...o, takenAt: day(2 + i) })));
    expect(snaps.flatMap((s) => only(s, 'promotion.bypass'))).toEqual([]);
  });
});

describe('promotion.artifact-mismatch', () => {
  it('fires when one version label is a different commit in two environments', () => {
    const s = take({ ...world, deployments: withDeployment(base, dep('api', 'prod', '1.0.0', { commit: 'e'.repeat(40), artifact: 'sha256:prod' })), takenAt: day(2) });
    const [f] = only(s, 'promotion.artifact-mismatch');
    expect(f!.id).toBe('promotion.artifact-mismatch/api/prod/1.0.0');
    expect(f!.environment).toBe('prod');
    expect(f!.message).toBe(`api version 1.0.0 is a different build in different environments (dev: ${sha('api-1.0.0').slice(0, 7)}, qa: ${sha('api-1.0.0').slice(0, 7)}, prod: eeeeeee sha256:prod).`);
    expect(f!.evidence).toEqual({
      version: '1.0.0',
      builds: [
        { environment: 'dev', version: '1.0.0', commit: sha('api-1.0.0'), deployedAt: day(1, '10:00:00'), source: 'github' },
        { environment: 'qa', version: '1.0.0', commit: sha('api-1.0.0'), deployedAt: day(1, '10:00:00'), source: 'github' },
        { environment: 'prod', version: '1.0.0', commit: 'e'.repeat(40), artifact: 'sha256:prod', deployedAt: day(1, '10:00:00'), source: 'github' },
      ],
    });
  });

  it('fires for the same commit with two different artifacts', () => {
    const d = withDeployment(withDeployment(base, dep('web', 'qa', '1.0.0', { artifact: 'sha256:a' })), dep('web', 'prod', 'v1.0.0', { commit: sha('web-1.0.0'), artifact: 'sha256:b' }));
    expect(only(take({ ...world, deployments: d, takenAt: day(2) }), 'promotion.artifact-mismatch').map((f) => f.id)).toEqual(['promotion.artifact-mismatch/web/prod/v1.0.0']);
  });

  it('near misses: an abbreviated commit of the same build, and branch labels such as "main"', () => {
    const d = withDeployment(
      withDeployment(withDeployment(base, dep('api', 'prod', '1.0.0', { commit: sha('api-1.0.0').slice(0, 7) })), dep('web', 'dev', 'main', { commit: 'f'.repeat(40), ref: 'main' })),
      dep('web', 'qa', 'main', { commit: '1'.repeat(40), ref: 'main' }),
    );
    expect(only(take({ ...world, deployments: d, takenAt: day(2) }), 'promotion.artifact-mismatch')).toEqual([]);
  });
});
