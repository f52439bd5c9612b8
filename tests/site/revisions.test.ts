/** Service revisions (src/views/revisions.ts) and the 404 page's resolver (src/site/not-found-client.ts). */
import { describe, expect, it } from 'vitest';
import { dayServicePath, RevisionTracker, revisionOn, serviceRevisions, serviceStateKeys } from '../../src/views/index.ts';
import { pageInForce, parseDayServicePath } from '../../src/site/not-found-client.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';

describe('RevisionTracker', () => {
  it('revises a service when its page state changes or a change is recorded, and not on a quiet day', () => {
    const [first, second, , , , last, quiet] = fixtureSnapshots({ quietDays: 1 });
    const tracker = new RevisionTracker();
    expect(tracker.add(first!)).toEqual(['auth-service', 'ledger-core', 'notifications', 'payments-api', 'web-frontend']);
    // Day 2: payments-api and auth-service deploy (change records); the others' neighbourhoods see it.
    const revised = tracker.add(second!);
    expect(revised).toContain('payments-api');
    expect(revised).toContain('auth-service');
    const resumed = new RevisionTracker(tracker.state());
    const keys = serviceStateKeys(last!);
    expect(resumed.add(last!)).not.toEqual([]);
    expect(resumed.add(quiet!)).toEqual([]);
    expect(serviceStateKeys(quiet!)).toEqual(keys);
  });

  it('does not see the day itself: drift shown as "since" keeps the key from one day to the next', () => {
    const [, , , , , last, quiet] = fixtureSnapshots({ quietDays: 1 });
    expect(last!.takenAt).not.toBe(quiet!.takenAt);
    expect(serviceStateKeys(last!).get('payments-api')).toBe(serviceStateKeys(quiet!).get('payments-api'));
  });
});

describe('serviceStateKeys', () => {
  it('sees a change of deployment protection alone (the page shows it), for that service only', () => {
    const [, , , , , last] = fixtureSnapshots({ quietDays: 1 });
    const prod = last!.deployments.find((d) => d.service === 'payments-api' && d.environment === 'prod')!;
    const loosened = {
      ...last!,
      deployments: last!.deployments.map((d) => (d === prod ? { ...d, protection: { requiredReviewers: [], preventSelfReview: false, waitTimerMinutes: 0, branchPolicy: 'all' } } : d)),
    };
    const before = serviceStateKeys(last!);
    const after = serviceStateKeys(loosened);
    expect(after.get('payments-api')).not.toBe(before.get('payments-api'));
    expect(after.get('ledger-core')).toBe(before.get('ledger-core'));
  });
});

describe('serviceStateKeys: the deployed build', () => {
  it('sees a new artifact under the same version and commit (a rebuild), for that service only', () => {
    const [, , , , , last] = fixtureSnapshots({ quietDays: 1 });
    const prod = last!.deployments.find((d) => d.service === 'payments-api' && d.environment === 'prod')!;
    const rebuilt = { ...last!, deployments: last!.deployments.map((d) => (d === prod ? { ...d, artifact: `sha256:${'0'.repeat(64)}` } : d)) };
    const before = serviceStateKeys(last!);
    const after = serviceStateKeys(rebuilt);
    expect(after.get('payments-api')).not.toBe(before.get('payments-api'));
    expect(after.get('auth-service')).toBe(before.get('auth-service'));
  });
});

describe('links to the page in force', () => {
  const revisions = serviceRevisions([
    { date: '2026-03-10', revised: ['a', 'b'] },
    { date: '2026-03-12', revised: ['a'] },
    { date: '2026-03-13', revised: [] },
  ]);
  it('picks the latest revision on or before the day', () => {
    expect(revisions).toEqual(new Map([['a', ['2026-03-10', '2026-03-12']], ['b', ['2026-03-10']]]));
    expect(revisionOn(['2026-03-10', '2026-03-12'], '2026-03-11')).toBe('2026-03-10');
    expect(revisionOn(['2026-03-10', '2026-03-12'], '2026-03-12')).toBe('2026-03-12');
    expect(revisionOn(['2026-03-10', '2026-03-12'], '2026-03-09')).toBeNull();
    expect(dayServicePath(revisions, '2026-03-13', 'a')).toBe('/days/2026-03-12/services/a/');
    expect(dayServicePath(revisions, '2026-03-13', 'b')).toBe('/days/2026-03-10/services/b/');
    // Not in the ledger by then: the day's matrix row.
    expect(dayServicePath(revisions, '2026-03-13', 'c')).toBe('/days/2026-03-13/#row-c');
  });

  it('parses a typed-in day URL under the site base and resolves it only up to the last recorded day', () => {
    expect(parseDayServicePath('/ledger/days/2026-03-15/services/pay%20ments/', '/ledger/')).toEqual({ date: '2026-03-15', service: 'pay ments' });
    expect(parseDayServicePath('/days/2026-03-15/services/x', '/')).toEqual({ date: '2026-03-15', service: 'x' });
    expect(parseDayServicePath('/days/2026-03-15/', '/')).toBeNull();
    expect(parseDayServicePath('/other/days/2026-03-15/services/x/', '/ledger/')).toBeNull();
    expect(parseDayServicePath('/days/2026-03-15/services/%E0%A4%A/', '/')).toBeNull();
    const json = { days: ['2026-03-10', '2026-03-12'], through: '2026-03-14' };
    expect(pageInForce(json, '2026-03-13', '2026-03-20')).toBe('2026-03-12');
    expect(pageInForce(json, '2026-03-15', '2026-03-20')).toBeNull();
    expect(pageInForce(json, '2026-03-09', '2026-03-20')).toBeNull();
    // Still recorded by the newest snapshot: good up to the ledger's newest day.
    expect(pageInForce({ ...json, through: null }, '2026-03-20', '2026-03-20')).toBe('2026-03-12');
    expect(pageInForce({ ...json, through: null }, '2026-03-21', '2026-03-20')).toBeNull();
    expect(pageInForce({ days: ['javascript:alert(1)'], through: '9999-12-31' }, '2026-03-13', '2026-03-20')).toBeNull();
    expect(pageInForce(null, '2026-03-13', '2026-03-20')).toBeNull();
  });
});
