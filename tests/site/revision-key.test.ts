/**
 * Issue 19 item 8: a service page is rendered only when what it shows
 * changes. Two nights that differ only in their observation time and date
 * (and the change records a source repeats) give one revision, not two.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.ts';
import { LedgerIndexBuilder, RevisionTracker, serviceStateKeys } from '../../src/views/index.ts';
import { buildSnapshot } from '../helpers/snapshot-builder.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';

const DAY = 86_400_000;

/** The same state one night later: a new time, every version endpoint asked again, the same change records. */
function nextNight(s: Snapshot, nights = 1): Snapshot {
  const takenAt = new Date(Date.parse(s.takenAt) + nights * DAY).toISOString().replace('.000Z', 'Z');
  return buildSnapshot({ ...s, id: undefined, takenAt, observed: s.observed.map((o) => ({ ...o, at: takenAt })), previous: null });
}

describe('service revision keys', () => {
  it('two nights that differ only in observation time and date produce one revision', () => {
    const last = fixtureSnapshots().at(-1)!;
    expect(last.observed.length).toBeGreaterThan(0);
    expect(last.changes.some((c) => c.service === 'payments-api')).toBe(true);
    const night = nextNight(last);
    expect(night.takenAt).not.toBe(last.takenAt);
    expect(night.observed[0]!.at).not.toBe(last.observed[0]!.at);
    expect(serviceStateKeys(night)).toEqual(serviceStateKeys(last));
    const tracker = new RevisionTracker();
    expect(tracker.add(last)).toContain('payments-api');
    expect(tracker.add(night)).toEqual([]);
    expect(tracker.add(nextNight(last, 2))).toEqual([]);
  });

  it('over a ledger of such nights, payments-api has one day page, not one a night', () => {
    const snapshots = fixtureSnapshots();
    const last = snapshots.at(-1)!;
    const builder = new LedgerIndexBuilder();
    for (const s of snapshots) builder.add(s);
    for (let k = 1; k <= 10; k++) builder.add(nextNight(last, k));
    const index = builder.finish();
    const pages = index.days.filter((d) => d.revised.includes('payments-api')).map((d) => d.date);
    expect(index.days).toHaveLength(15);
    // Its revisions are the fixture's days with a visible change, none of the ten quiet nights.
    expect(pages.every((d) => d <= last.takenAt.slice(0, 10))).toBe(true);
  });

  it('still sees what the page shows: the observed version, a redeploy, a finding', () => {
    const last = fixtureSnapshots().at(-1)!;
    const night = nextNight(last);
    const before = serviceStateKeys(night).get('payments-api');
    const observed = { ...night, observed: night.observed.map((o) => ({ ...o, version: '9.9.9' })) };
    expect(serviceStateKeys(observed).get('payments-api')).not.toBe(before);
    const prod = night.deployments.find((d) => d.service === 'payments-api' && d.environment === 'prod')!;
    const redeployed = { ...night, deployments: night.deployments.map((d) => (d === prod ? { ...d, deployedAt: night.takenAt } : d)) };
    expect(serviceStateKeys(redeployed).get('payments-api')).not.toBe(before);
    const finding = night.findings.find((f) => f.service === 'payments-api')!;
    const reworded = { ...night, findings: night.findings.map((f) => (f === finding ? { ...f, message: `${f.message} (again)` } : f)) };
    expect(serviceStateKeys(reworded).get('payments-api')).not.toBe(before);
  });
});
