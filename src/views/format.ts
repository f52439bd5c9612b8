/**
 * Formatting in ONE place, always in UTC: a page must read the same wherever
 * and whenever it is built (no local time zone, no "3 days ago" relative to
 * the build time).
 */
import { DAY_MS } from '../model/time.ts';

/** `2026-03-14 02:00 UTC` for an ISO time; the input unchanged when it is not a time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  // The ledger writes UTC times ending in Z (`2026-03-14T02:00:00Z`): those need no Date (a day page formats thousands).
  if (UTC_TIME.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

const UTC_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z$/;

/** The UTC day of a snapshot id (`2026-03-14T020000Z` → `2026-03-14`). */
export function dayOfSnapshotId(id: string): string {
  return id.slice(0, 10);
}

/** `2026-03-14 02:00:00 UTC` for a snapshot id. */
/**
 * When a page's state was recorded: the time of the snapshot it shows, never
 * "the end of the day" (docs/time.md). `2026-09-15 23:30 UTC`.
 */
export function recordedAt(snapshot: { takenAt: string }): string {
  return formatTime(snapshot.takenAt);
}

export function formatSnapshotId(id: string): string {
  return `${id.slice(0, 10)} ${id.slice(11, 13)}:${id.slice(13, 15)}:${id.slice(15, 17)} UTC`;
}

/** A duration for people: `45 min`, `5 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${sign}${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${sign}${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${sign}${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** Whole days between two ISO times (b − a), rounded down. */
export function daysBetween(a: string, b: string): number {
  return Math.floor((Date.parse(b) - Date.parse(a)) / DAY_MS);
}

/** The first 7 characters of a hex commit; other strings are cut at 12 characters. */
export function shortCommit(commit: string | null | undefined): string {
  if (!commit) return '—';
  return /^[0-9a-f]{8,}$/i.test(commit) ? commit.slice(0, 7) : commit.length > 12 ? `${commit.slice(0, 12)}…` : commit;
}

/**
 * A URL from a snapshot that may be rendered as a link: only absolute
 * http(s) URLs. Anything else (`javascript:`, `data:`, relative paths, junk)
 * is shown as text by the components, never as an href.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return parsed.href;
}

/** Cuts a long outside string for table cells; the full text goes in a `title`. */
export function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `1 finding`, `2 findings`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Code-unit string order: the same on every machine and Node version (unlike locale collation). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Items grouped by their `service`, in their original order (items without one are left out). */
export function groupByService<T extends { service?: string | null | undefined }>(items: readonly T[]): Map<string, T[]> {
  return groupBy(items, (item) => item.service ?? undefined);
}

/** Items grouped by a key, in their order; an item whose key is undefined is left out. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const held = out.get(key);
    if (held) held.push(item);
    else out.set(key, [item]);
  }
  return out;
}
