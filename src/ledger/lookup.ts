/**
 * Point-in-time lookup: "what was running at that moment" is the latest
 * snapshot taken at or before it (docs/time.md).
 */
import { snapshotIdToDate } from './ids.ts';
import { listSnapshotIds, readSnapshot } from './store.ts';

/**
 * The latest snapshot id whose `takenAt` is at or before `at`, or null when
 * the ledger has none that early. An id is its `takenAt` truncated to the
 * second, so only a snapshot taken in the same second as `at` needs reading.
 */
export async function findSnapshotAt(dir: string, at: Date): Promise<string | null> {
  const ids = await listSnapshotIds(dir);
  const limit = at.getTime();
  // Binary search: the last id whose second starts at or before `at`.
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (snapshotIdToDate(ids[mid]!).getTime() <= limit) low = mid + 1;
    else high = mid;
  }
  for (let i = low - 1; i >= 0; i--) {
    const id = ids[i]!;
    if (snapshotIdToDate(id).getTime() + 999 <= limit) return id;
    const snapshot = await readSnapshot(dir, id);
    if (Date.parse(snapshot.takenAt) <= limit) return id;
  }
  return null;
}
