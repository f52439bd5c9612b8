/** Days of the ledger: a day is a UTC date; its page shows the last snapshot taken that date. */
import { dayOfSnapshotId } from './format.ts';

export interface DayGroup {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  /** The snapshot ids taken that day, oldest first. */
  ids: string[];
  /** The last one: the state the day page shows, as recorded at its time (docs/time.md). */
  lastId: string;
}

/** Groups snapshot ids by UTC day, oldest day first. Days without a snapshot have no group (and no page). */
export function groupDays(ids: readonly string[]): DayGroup[] {
  const byDay = new Map<string, string[]>();
  for (const id of [...ids].sort()) {
    const date = dayOfSnapshotId(id);
    const list = byDay.get(date);
    if (list) list.push(id);
    else byDay.set(date, [id]);
  }
  return [...byDay.entries()].map(([date, dayIds]) => ({ date, ids: dayIds, lastId: dayIds[dayIds.length - 1]! }));
}

/** The day before `date` that has snapshots, or null. */
export function previousDay(days: readonly DayGroup[], date: string): DayGroup | null {
  const index = days.findIndex((d) => d.date === date);
  return index > 0 ? days[index - 1]! : null;
}

/** The next day with snapshots, or null. */
export function nextDay(days: readonly DayGroup[], date: string): DayGroup | null {
  const index = days.findIndex((d) => d.date === date);
  return index >= 0 && index < days.length - 1 ? days[index + 1]! : null;
}
