/**
 * The time semantics of docs/time.md: a day page shows what the day's last
 * snapshot recorded, says when, and labels its changes by the window they
 * cover; a deployment at 14:52 on D is on D's page, with its time, when D's
 * snapshot is taken after it, and on the next day's page when D's snapshot
 * was taken before it.
 */
import { describe, expect, it } from 'vitest';
import { changesHtml, dayChanges, groupDays, recordedAt } from '../../src/views/index.ts';
import { buildDeployment, buildSnapshot } from '../helpers/snapshot-builder.ts';

const HOTFIX_AT = '2026-09-15T14:52:00Z';
const running = (hotfix: boolean) => [buildDeployment({ service: 'payments-api', environment: 'prod', version: hotfix ? '2.4.1' : '2.4.0', deployedAt: hotfix ? HOTFIX_AT : '2026-09-10T10:00:00Z' })];
/** What a collect at `takenAt` records: the hotfix only once it has happened. */
const collectAt = (takenAt: string) => buildSnapshot({ takenAt, deployments: running(Date.parse(takenAt) >= Date.parse(HOTFIX_AT)) });

/** The day page of `date` over these snapshots: its snapshot, its header time and its changes. */
function dayPage(snapshots: ReturnType<typeof collectAt>[], date: string) {
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const days = groupDays([...byId.keys()]);
  const i = days.findIndex((d) => d.date === date);
  const current = byId.get(days[i]!.lastId)!;
  const previous = i > 0 ? byId.get(days[i - 1]!.lastId)! : null;
  const changes = dayChanges(current, previous, []);
  return { header: `${date} as recorded at ${recordedAt(current)}`, window: previous ? `between ${recordedAt(previous)} and ${recordedAt(current)}` : null, changes, html: changesHtml(changes.deployments, () => '/').value };
}

describe('time: a page names the moment it recorded', () => {
  it('collected late in the day (22:30): the 14:52 hotfix is on its own day, with its time', () => {
    const page = dayPage([collectAt('2026-09-14T22:30:00Z'), collectAt('2026-09-15T22:30:00Z')], '2026-09-15');
    expect(page.header).toBe('2026-09-15 as recorded at 2026-09-15 22:30 UTC');
    expect(page.window).toBe('between 2026-09-14 22:30 UTC and 2026-09-15 22:30 UTC');
    expect(page.changes.deployments.map((c) => [c.service, c.from?.version, c.to?.version, c.to?.deployedAt])).toEqual([['payments-api', '2.4.0', '2.4.1', HOTFIX_AT]]);
    expect(page.html).toContain('2026-09-15 14:52 UTC');
  });

  it('collected early (02:00): the page says 02:00, and the hotfix is on the next day with its own time', () => {
    const snapshots = [collectAt('2026-09-15T02:00:00Z'), collectAt('2026-09-16T02:00:00Z')];
    const d15 = dayPage(snapshots, '2026-09-15');
    expect(d15.header).toBe('2026-09-15 as recorded at 2026-09-15 02:00 UTC');
    expect(d15.changes.deployments.every((c) => c.to?.version !== '2.4.1')).toBe(true);
    const d16 = dayPage(snapshots, '2026-09-16');
    expect(d16.window).toBe('between 2026-09-15 02:00 UTC and 2026-09-16 02:00 UTC');
    expect(d16.html).toContain('2026-09-15 14:52 UTC');
  });
});
