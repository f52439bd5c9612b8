/**
 * Length caps on the strings a source stores from outside. The ledger is
 * append-only and every snapshot is rendered into the site, so one 5 MB login
 * would be kept, and paid for, forever. A string over its cap is cut and says
 * so (`…[truncated N chars]`); nothing is cut silently. The caps follow what
 * GitHub itself allows where it documents a limit (a login is at most 39
 * characters, a pull request title 256) and are generous elsewhere; they are
 * listed in docs/guarantees.md ("When the API lies").
 */

/** Caps by field name; any other string gets `DEFAULT_CAP`. */
export const FIELD_CAPS: Readonly<Record<string, number>> = {
  // GitHub logins: at most 39 characters (https://github.com/join rejects longer ones).
  login: 39,
  by: 39,
  deployedBy: 39,
  author: 39,
  mergedBy: 39,
  changedBy: 100,
  requiredReviewers: 100,
  reviewers: 39,
  // Pull request titles: GitHub caps them at 256 characters.
  title: 256,
  // Git refs and names: git itself has no hard limit, GitHub's UI stops around 255.
  ref: 255,
  branch: 255,
  name: 255,
  version: 255,
  fromVersion: 255,
  tickets: 255,
  commit: 100,
  fromCommit: 100,
  artifact: 200,
  url: 2048,
  comment: 1024,
  reason: 1000,
  origin: 1000,
};

/** Anything else (config values, keys): large enough for any real value, small enough to bound a snapshot. */
export const DEFAULT_CAP = 65_536;

/** `text` cut to `max` characters with a visible marker, or `text` itself when it fits. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

/** The cap for a string stored under `key`. */
export function capFor(key: string | undefined): number {
  return (key !== undefined ? FIELD_CAPS[key] : undefined) ?? DEFAULT_CAP;
}

/** Fields whose object maps user-chosen names to values (config values, components): their keys are data, not field names. */
const DATA_MAPS = new Set(['values', 'components']);

/** A copy of a JSON-like value with every string cut to the cap of the field it sits under (keys to `DEFAULT_CAP`). */
export function capStrings<T>(value: T): T {
  return walk(value, undefined, false) as T;
}

function walk(value: unknown, key: string | undefined, data: boolean): unknown {
  if (typeof value === 'string') return capText(value, data ? DEFAULT_CAP : capFor(key));
  if (Array.isArray(value)) return value.map((item) => walk(item, key, data));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const inner = data || (key !== undefined && DATA_MAPS.has(key));
    for (const [k, v] of Object.entries(value)) out[capText(k, DEFAULT_CAP)] = walk(v, k, inner);
    return out;
  }
  return value;
}
