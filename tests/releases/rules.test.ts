import { describe, expect, it } from 'vitest';
import type { Change, Deployment } from '../../src/model/snapshot.ts';
import { buildChange, cleanWorld, day, dep, only, sha, withDeployment, daysWithReleases, takeWithReleases, type Day } from './world.ts';

const world = cleanWorld();
const base = world.deployments;

/** api and web both change for PAY-1 (1.1.0 each): a change record per deployment naming the ticket. */
const pay1 = (service: string, environment: string, at: string): { d: Deployment; c: Change } => ({
  d: dep(service, environment, '1.1.0', { deployedAt: at }),
  c: buildChange({ service, environment, version: '1.1.0', fromVersion: '1.0.0', fromCommit: sha(`${service}-1.0.0`), deployedAt: at, tickets: ['PAY-1'], pullRequests: [{ number: 7, title: `PAY-1 ${service} half`, author: 'dana', mergedBy: 'erin', mergedAt: day(1, '18:00:00'), reviewers: [] }] }),
});

/**
 * Day 2: both halves reach dev; api reaches qa at 12:00, web stays on 1.0.0 there.
 * web reaches qa on day `webQaDay` at 12:00 (or never).
 */
function lagInQa(lastDay: number, webQaDay: number | null): Day[] {
  const out: Day[] = [{ ...world, takenAt: day(2) }];
  for (let n = 3; n <= lastDay; n++) {
    const moves = [pay1('api', 'dev', day(2, '10:00:00')), pay1('web', 'dev', day(2, '10:00:00')), pay1('api', 'qa', day(2, '12:00:00'))];
    if (webQaDay !== null && n > webQaDay) moves.push(pay1('web', 'qa', day(webQaDay, '12:00:00')));
    out.push({ ...world, takenAt: day(n), deployments: moves.map((m) => m.d).reduce(withDeployment, base), changes: moves.map((m) => m.c) });
  }
  return out;
}

describe('release.partial', () => {
  it('fires for the lagging half of a cross-service ticket once the grace period has passed, and resolves when it arrives', () => {
    const snaps = daysWithReleases(lagInQa(7, 5));
    // Day 3 and 4 (0.6 and 1.6 days): inside the 2-day grace period.
    expect(only(snaps[1]!, 'release.partial')).toEqual([]);
    expect(only(snaps[2]!, 'release.partial')).toEqual([]);
    const [f, ...rest] = only(snaps[3]!, 'release.partial');
    expect(rest).toEqual([]);
    expect(f!.id).toBe('release.partial/web/qa/PAY-1');
    expect(f!.service).toBe('web');
    expect(f!.environment).toBe('qa');
    expect(f!.severity).toBe('medium');
    expect(f!.since).toBe(day(5));
    expect(f!.message).toBe(
      `Ticket PAY-1 is in qa in part for 2.5 days, since ${day(2, '12:00:00')}: api 1.1.0 arrived ${day(2, '12:00:00')}; web runs 1.0.0 (${sha('web-1.0.0').slice(0, 7)}) since ${day(1, '10:00:00')}, not 1.1.0; more than the 2 allowed.`,
    );
    expect(f!.resolution).toContain('Promote web 1.1.0 to qa, or roll back api there.');
    expect(f!.evidence).toEqual({
      release: 'PAY-1',
      kind: 'found',
      owner: null,
      environment: 'qa',
      partialSince: day(2, '12:00:00'),
      partialDays: 2.5,
      graceDays: 2,
      missing: 'web',
      components: [
        { service: 'api', wanted: '1.1.0', state: 'running', running: { version: '1.1.0', commit: sha('api-1.1.0'), since: day(2, '12:00:00') } },
        { service: 'web', wanted: '1.1.0', state: 'other', running: { version: '1.0.0', commit: sha('web-1.0.0'), since: day(1, '10:00:00') } },
      ],
    });
    // web reached qa on day 5 at 12:00: the snapshots of days 6 and 7 no longer have it.
    expect(only(snaps[4]!, 'release.partial')).toEqual([]);
    expect(only(snaps[5]!, 'release.partial')).toEqual([]);
  });

  it('keeps the same id and since while it stays open', () => {
    const snaps = daysWithReleases(lagInQa(7, null));
    const open = snaps.slice(3).map((s) => only(s, 'release.partial'));
    expect(open.map((list) => list.map((f) => f.id))).toEqual([['release.partial/web/qa/PAY-1'], ['release.partial/web/qa/PAY-1'], ['release.partial/web/qa/PAY-1']]);
    expect(open.map((list) => list[0]!.since)).toEqual([day(5), day(5), day(5)]);
  });

  it('near miss: inside the grace period (policies.releaseGraceDays) it does not fire', () => {
    const list = lagInQa(5, null).map((d) => ({ ...d, policies: { releaseGraceDays: 3 } }));
    expect(daysWithReleases(list).flatMap((s) => only(s, 'release.partial'))).toEqual([]);
  });

  it('near miss: the same ticket in two services that both arrived is complete, not partial', () => {
    const moves = [pay1('api', 'qa', day(2, '12:00:00')), pay1('web', 'qa', day(2, '13:00:00'))];
    const snaps = daysWithReleases([
      { ...world, takenAt: day(2) },
      { ...world, takenAt: day(9), deployments: moves.map((m) => m.d).reduce(withDeployment, base), changes: moves.map((m) => m.c) },
    ]);
    expect(only(snaps[1]!, 'release.partial')).toEqual([]);
    expect(snaps[1]!.releases!.builds.map((b) => [b.service, b.environment, b.tickets])).toEqual([
      ['api', 'qa', ['PAY-1']],
      ['web', 'qa', ['PAY-1']],
    ]);
  });

  it('near miss: a ticket only one service changed is not a release', () => {
    const m = pay1('api', 'qa', day(2, '12:00:00'));
    const s = takeWithReleases({ ...world, takenAt: day(9), deployments: withDeployment(base, m.d), changes: [m.c] });
    expect(only(s, 'release.partial')).toEqual([]);
  });

  it('a declared release: the owner is in the evidence, untargeted environments are not judged, and an exception silences it', () => {
    const declared = [{ name: 'checkout', components: { api: '1.1.0', web: '1.1.0' }, owner: 'team-payments', environments: ['prod'] }];
    const deployments = withDeployment(withDeployment(base, dep('api', 'prod', '1.1.0', { deployedAt: day(2, '12:00:00') })), dep('api', 'qa', '1.1.0', { deployedAt: day(2, '10:00:00') }));
    const [f, ...rest] = only(takeWithReleases({ ...world, takenAt: day(9), deployments, declaredReleases: declared }), 'release.partial');
    // qa also runs api 1.1.0 without web, but the release targets prod only.
    expect(rest).toEqual([]);
    expect(f!.id).toBe('release.partial/web/prod/checkout');
    expect(f!.evidence).toMatchObject({ release: 'checkout', kind: 'declared', owner: 'team-payments', missing: 'web', partialSince: day(2, '12:00:00') });
    expect(f!.message.startsWith('Release checkout is in prod in part for 6.5 days')).toBe(true);
    const excepted = only(
      takeWithReleases({ ...world, takenAt: day(9), deployments, declaredReleases: declared, exceptions: [{ rule: 'release.partial', service: 'web', environment: 'prod', reason: 'web ships next week', approvedBy: 'cto', expires: '2026-03-31' }] }),
      'release.partial',
    );
    expect(excepted.map((x) => [x.id, x.exception?.approvedBy])).toEqual([['release.partial/web/prod/checkout', 'cto']]);
  });

  it('a later version of a component counts as arrived (superseded), not as missing', () => {
    const declared = [{ name: 'checkout', components: { api: '1.1.0', web: '1.1.0' }, owner: 'team-payments' }];
    const deployments = [dep('api', 'prod', '1.2.0', { deployedAt: day(2) }), dep('web', 'prod', '1.1.0', { deployedAt: day(2) })].reduce(withDeployment, base);
    const s = takeWithReleases({ ...world, takenAt: day(9), deployments, declaredReleases: declared });
    expect(only(s, 'release.partial').map((f) => f.environment)).toEqual([]);
  });
});

describe('release.mixed-scope', () => {
  const prs = (n: number, titled: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => ({ number: 100 + i, title: titled(i), author: 'dana', mergedBy: 'erin', mergedAt: day(1, '18:00:00'), reviewers: [] }));
  const prodWith = (pullRequests: ReturnType<typeof prs>, tickets: string[], policies = {}, declaredReleases: Day['declaredReleases'] = []) =>
    takeWithReleases({
      ...world,
      takenAt: day(9),
      policies,
      declaredReleases,
      deployments: withDeployment(base, dep('api', 'prod', '1.4.0', { deployedAt: day(8, '15:00:00'), deployedBy: 'erin', url: 'https://gh/deploy/1' })),
      changes: [buildChange({ service: 'api', environment: 'prod', version: '1.4.0', fromVersion: '1.0.0', fromCommit: sha('api-1.0.0'), deployedAt: day(8, '15:00:00'), pullRequests, tickets })],
    });

  it('fires when one production deployment brings more unrelated tickets than policies.maxScopePerDeployment', () => {
    // Four tickets over five pull requests (PAY-1 twice) and two pull requests without a ticket: 6 units > 5.
    const tickets = ['PAY-1', 'PAY-2', 'OPS-3', 'WEB-4'];
    const list = [...prs(5, (i) => `${['PAY-1', 'PAY-1', 'PAY-2', 'OPS-3', 'WEB-4'][i]} work`), ...prs(2, (i) => `chore ${i}`).map((p, i) => ({ ...p, number: 200 + i }))];
    const [f, ...rest] = only(prodWith(list, tickets), 'release.mixed-scope');
    expect(rest).toEqual([]);
    expect(f!.id).toBe(`release.mixed-scope/api/prod/${sha('api-1.4.0').slice(0, 7)}`);
    expect(f!.severity).toBe('low');
    expect(f!.message).toBe(`api 1.4.0 reached prod at ${day(8, '15:00:00')} with 6 unrelated changes (4 tickets, 2 pull requests without one); more than the 5 allowed.`);
    expect(f!.evidence).toEqual({
      version: '1.4.0',
      commit: sha('api-1.4.0'),
      deployedAt: day(8, '15:00:00'),
      deployedBy: 'erin',
      fromVersion: '1.0.0',
      fromCommit: sha('api-1.0.0'),
      units: 6,
      maxScope: 5,
      tickets: ['OPS-3', 'PAY-1', 'PAY-2', 'WEB-4'],
      untracked: [
        { number: 200, title: 'chore 0' },
        { number: 201, title: 'chore 1' },
      ],
      releases: [],
      url: 'https://gh/deploy/1',
    });
  });

  it('names the declared releases the deployment ships a component of (v1.4.0 is 1.4.0)', () => {
    const list = prs(6, (i) => `T-${i} work`);
    const [f] = only(prodWith(list, list.map((_, i) => `T-${i}`), {}, [{ name: 'spring', components: { api: 'v1.4.0', web: '1.1.0' }, owner: 'o' }]), 'release.mixed-scope');
    expect(f!.evidence['releases']).toEqual(['spring']);
  });

  it('near miss: exactly the threshold, or the same deployment outside production, does not fire', () => {
    const list = prs(5, (i) => `T-${i} work`);
    const tickets = list.map((_, i) => `T-${i}`);
    expect(only(prodWith(list, tickets), 'release.mixed-scope')).toEqual([]);
    expect(only(prodWith(list, tickets, { maxScopePerDeployment: 4 }), 'release.mixed-scope')).toHaveLength(1);
    const qa = takeWithReleases({
      ...world,
      takenAt: day(9),
      deployments: withDeployment(base, dep('api', 'qa', '1.4.0', { deployedAt: day(8) })),
      changes: [buildChange({ service: 'api', environment: 'qa', version: '1.4.0', deployedAt: day(8), pullRequests: prs(9, (i) => `X-${i}`), tickets: prs(9, (i) => `X-${i}`).map((p) => p.title) })],
    });
    expect(only(qa, 'release.mixed-scope')).toEqual([]);
  });
});

describe('tickets carried from night to night', () => {
  const change = (service: string, at: string, tickets: string[]) => buildChange({ service, environment: 'dev', version: '1.1.0', deployedAt: at, tickets });
  it('a build whose ticket no other service brought waits 14 days for one; a build with a shared ticket is followed for 90 days', async () => {
    const { trackTicketBuilds, releasesOf } = await import('../../src/model/release.ts');
    const first = trackTicketBuilds({ changes: [change('api', day(1), ['ONE-1', 'TWO-2']), change('web', day(1), ['TWO-2']), change('ops', day(1), ['SOLO-3'])], previous: undefined, takenAt: day(2) });
    expect(first.map((b) => [b.service, b.tickets])).toEqual([
      ['api', ['ONE-1', 'TWO-2']],
      ['ops', ['SOLO-3']],
      ['web', ['TWO-2']],
    ]);
    expect(releasesOf({ declared: [], builds: first }).map((r) => [r.name, r.components.map((c) => c.service)])).toEqual([['TWO-2', ['api', 'web']]]);
    // A release declared under the ticket's name replaces the found one (to narrow its environments, name an owner).
    expect(releasesOf({ declared: [{ name: 'TWO-2', components: { api: '1.1.0' }, owner: 'o', environments: ['prod'] }], builds: first }).map((r) => [r.name, r.kind, r.environments])).toEqual([['TWO-2', 'declared', ['prod']]]);
    // The same build named again the next night (another environment, another ticket) is one build with both tickets.
    const again = trackTicketBuilds({ changes: [{ ...change('ops', day(2), ['SOLO-4']), environment: 'qa' }], previous: first, takenAt: day(3) });
    expect(again.find((b) => b.service === 'ops')).toMatchObject({ environment: 'dev', at: day(1), tickets: ['SOLO-3', 'SOLO-4'] });
    expect(again).toHaveLength(3);
    // 15 days after: the ops build is dropped; the api build is kept (TWO-2 is shared), its unshared ONE-1 with it.
    const keys = (takenAt: string) => trackTicketBuilds({ changes: [], previous: first, takenAt }).map((b) => b.service);
    expect(keys('2026-03-15T02:00:00Z')).toEqual(['api', 'ops', 'web']);
    expect(keys('2026-03-16T02:00:00Z')).toEqual(['api', 'web']);
    // 90 days after (May 30), kept; 91, gone.
    expect(keys('2026-05-30T02:00:00Z')).toEqual(['api', 'web']);
    expect(keys('2026-05-31T02:00:00Z')).toEqual([]);
  });
});
