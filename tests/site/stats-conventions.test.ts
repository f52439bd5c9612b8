/**
 * `/stats/` states its conventions (issue 25): the median is the lower middle
 * for even counts, a window that would begin before the first snapshot says
 * so and counts from the first snapshot, and only deployments the ledger
 * recorded count as stage samples. Each figure is recomputed here from the
 * snapshots by hand.
 */
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, distribution, STATS_CONVENTIONS, windowNote, windowStats } from '../../src/views/index.ts';
import { buildDeployment, buildSnapshot } from '../helpers/snapshot-builder.ts';

const at = (day: number, hour = 2) => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const HOUR = 3_600_000;

/** The ledger begins on 03-10 at 02:00; what ran then was deployed on 03-01 to 03-03, before it. */
function ledger() {
  const before = [
    buildDeployment({ service: 'api', environment: 'dev', version: '1.0.0', deployedAt: at(1, 10) }),
    buildDeployment({ service: 'api', environment: 'qa', version: '1.0.0', deployedAt: at(2, 10) }),
    buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0', deployedAt: at(3, 10) }),
  ];
  const dev11 = buildDeployment({ service: 'api', environment: 'dev', version: '1.1.0', deployedAt: at(10, 12) });
  const qa11 = buildDeployment({ service: 'api', environment: 'qa', version: '1.1.0', deployedAt: at(11, 12) });
  return buildLedgerIndex([
    buildSnapshot({ takenAt: at(10), deployments: before }),
    buildSnapshot({ takenAt: at(11), deployments: [dev11, before[1]!, before[2]!] }),
    buildSnapshot({ takenAt: at(12), deployments: [dev11, qa11, before[2]!] }),
  ]);
}

describe('/stats/ conventions', () => {
  it('a 90-day window that begins before the first snapshot says so and counts from the first snapshot', () => {
    const w = windowStats(ledger(), 90)!;
    expect(w.to).toBe(at(12));
    expect(w.requestedFrom).toBe('2025-12-12T02:00:00Z');
    expect(w.clipped).toBe(true);
    expect(w.from).toBe(at(10));
    expect(w.spanDays).toBe(2);
    expect(windowNote(w)).toBe('The last 90 days would begin at 2025-12-12 02:00 UTC, before the first snapshot (2026-03-10 02:00 UTC): this window counts from the first snapshot, 2 days.');
    const [dev, qa, prod] = w.environments;
    // By hand: inside 03-10 02:00 … 03-12 02:00 the ledger saw one dev deployment (03-10 12:00) and one qa deployment (03-11 12:00);
    // the 03-01 … 03-03 deployments the first snapshot records are before the window's start and do not count.
    expect([dev!.deployments, qa!.deployments, prod!.deployments]).toEqual([1, 1, 0]);
    // Per day over the 2 days covered, not over 90.
    expect([dev!.perDay, qa!.perDay]).toEqual([0.5, 0.5]);
    // 1.1.0 reached dev at 03-10 12:00 and qa at 03-11 12:00: one stage sample of 24 h.
    expect(qa!.stage).toEqual({ count: 1, median: 24 * HOUR, p90: 24 * HOUR });
    expect(prod!.stage).toEqual({ count: 0, median: null, p90: null });
  });

  it('a window inside the ledger is not marked', () => {
    const w = windowStats(ledger(), 1)!;
    expect(w.clipped).toBe(false);
    expect(w.from).toBe(w.requestedFrom);
    expect(w.from).toBe(at(11));
    expect(windowNote(w)).toBeNull();
    expect(w.environments.map((e) => e.deployments)).toEqual([0, 1, 0]);
  });

  it('the median of an even count is the lower middle; p90 is nearest-rank', () => {
    expect(distribution([4, 1, 3, 2])).toEqual({ count: 4, median: 2, p90: 4 });
    expect(distribution([5, 1, 3])).toEqual({ count: 3, median: 3, p90: 5 });
  });

  it('states each convention', () => {
    const text = STATS_CONVENTIONS.join('\n');
    expect(text).toContain('the median of an even number of samples is the lower of the two middle ones');
    expect(text).toContain('counts from the first snapshot instead, and says so');
    expect(text).toContain('Only deployments the ledger recorded count');
  });
});
