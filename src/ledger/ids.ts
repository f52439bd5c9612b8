/**
 * Snapshot ids and the times users type. UTC everywhere: a snapshot id is the
 * UTC time it was taken, and a date alone means the end of that UTC day
 * (docs/time.md), so `show --at 2026-03-14` is what the day page shows.
 */
import { UsageError } from '../errors.ts';
import { SNAPSHOT_ID_PATTERN } from '../model/index.ts';

/** `YYYY-MM-DDTHHMMSSZ` for a time (UTC, seconds; milliseconds dropped). */
export function snapshotIdFor(date: Date): string {
  const iso = validIso(date, 'snapshotIdFor');
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** The time a snapshot id stands for. Throws UsageError for anything that is not a valid id. */
export function snapshotIdToDate(id: string): Date {
  const date = SNAPSHOT_ID_PATTERN.test(id)
    ? new Date(`${id.slice(0, 10)}T${id.slice(11, 13)}:${id.slice(13, 15)}:${id.slice(15, 17)}Z`)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || snapshotIdFor(date) !== id) {
    throw new UsageError(`"${id}" is not a snapshot id; use the UTC time as YYYY-MM-DDTHHMMSSZ, e.g. 2026-03-14T020000Z`);
  }
  return date;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_TIME_NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * A moment typed by a user (`--at`, `diff` operands):
 * - `2026-03-14` — the end of that UTC day, 23:59:59.999Z;
 * - an ISO time with a zone, `2026-03-14T02:00:00Z` or `…+01:00`;
 * - a snapshot id, `2026-03-14T020000Z`.
 * A time without a zone is refused rather than read as local time.
 */
export function parseAt(text: string): Date {
  const input = text.trim();
  const dateOnly = DATE_ONLY.exec(input);
  if (dateOnly) {
    const date = new Date(`${input}T23:59:59.999Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input) {
      throw new UsageError(`"${text}" is not a calendar date; use YYYY-MM-DD, e.g. 2026-03-14`);
    }
    return date;
  }
  if (SNAPSHOT_ID_PATTERN.test(input)) return snapshotIdToDate(input);
  if (ISO_TIME.test(input)) {
    const date = new Date(input);
    // Date accepts 2026-02-30T…; compare the calendar fields it kept with the ones typed.
    if (!Number.isNaN(date.getTime()) && calendarFieldsExist(input.slice(0, 16))) return date;
    throw new UsageError(`"${text}" is not a valid time; use an ISO 8601 UTC time such as 2026-03-14T02:00:00Z`);
  }
  if (ISO_TIME_NO_ZONE.test(input)) {
    throw new UsageError(`"${text}" has no time zone; add Z for UTC (e.g. ${input}Z) or an offset such as +01:00`);
  }
  throw new UsageError(
    `"${text}" is not a date or time; use YYYY-MM-DD (end of that day, UTC), an ISO time such as 2026-03-14T02:00:00Z, or a snapshot id such as 2026-03-14T020000Z`,
  );
}

/** Whether the date/hour/minute fields typed exist on the calendar (checked in UTC, before any offset). */
function calendarFieldsExist(fields: string): boolean {
  const date = new Date(`${fields}:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 16) === fields;
}

function validIso(date: Date, what: string): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new TypeError(`${what}: invalid Date`);
  const iso = date.toISOString();
  if (iso.length !== 24) throw new TypeError(`${what}: ${iso} is outside years 0000-9999`);
  return iso;
}
