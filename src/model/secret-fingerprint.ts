/**
 * How a secret value is known without being stored: its fingerprint, and
 * whether two fingerprints say anything about each other. Decided here once;
 * redaction writes fingerprints with `fingerprintSecret`, and rules, diffs and
 * pages ask `compareSecrets` (docs/guarantees.md, "No secrets at rest").
 *
 * A fingerprint is HMAC-SHA-256 under the ledger's key (RFC 2104), so nobody
 * without the key can test guesses of a low-entropy secret against it. The
 * MAC covers the service and the config key as well as the value, so equal
 * passwords of two services or two keys do not show as equal fingerprints;
 * the same key of one service still compares across environments and nights.
 * Without a key nothing is fingerprinted: the value is known to be secret and
 * nothing more. Snapshots written before keyed fingerprints hold a plain
 * sha256 of the value; they are read as they are and never rewritten.
 */
import { createHmac } from 'node:crypto';
import type { StoredValue } from './snapshot.ts';

/** A ledger key: the key bytes and an id derived from them that names the key without revealing it. */
export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Shorter keys are refused: the MAC is only as strong as the key (RFC 2104 §3: at least the hash's output length). */
export const MIN_SECRET_KEY_LENGTH = 32;

/** The key from its text (as held in the environment variable `secretKeyEnv` names); null when too short. */
export function secretKeyFrom(text: string): SecretKey | null {
  if (text.length < MIN_SECRET_KEY_LENGTH) return null;
  const key = Buffer.from(text, 'utf8');
  // A MAC of a fixed label: stable for the key, different for every key, and no way back to the key.
  const id = createHmac('sha256', key).update('release-ledger secret key id v1').digest('hex').slice(0, 16);
  return { id, key };
}

/** A stored secret: redacted, with a keyed fingerprint, a legacy plain hash, or nothing. */
export type RedactedValue = Extract<StoredValue, { redacted: true }>;

/** Whether a stored value is a redacted secret (as opposed to plain, or a secret known only by name). */
export function isRedacted(value: StoredValue | undefined): value is RedactedValue {
  return value !== null && typeof value === 'object' && 'redacted' in value;
}

/** What redaction stores for a secret value of `service`'s config `key`. */
export function fingerprintSecret(service: string, key: string, value: unknown, secretKey: SecretKey | null): RedactedValue {
  if (!secretKey) return { redacted: true };
  // NUL-separated: service and key names never contain NUL, so no two inputs share a message.
  const hmac = createHmac('sha256', secretKey.key).update(`${service}\u0000${key}\u0000${String(value)}`).digest('hex');
  return { redacted: true, hmac, keyId: secretKey.id };
}

/** Whether two stored secrets are the same value, different values, or cannot be told apart by what was stored. */
export type SecretComparison = 'same' | 'different' | 'not-comparable';

export function compareSecrets(a: RedactedValue, b: RedactedValue): SecretComparison {
  if (a === b) return fingerprintOf(a) ? 'same' : 'not-comparable';
  const x = fingerprintOf(a);
  const y = fingerprintOf(b);
  // Different keys (a rotation), a plain hash beside a keyed one, or no fingerprint: nothing can be said.
  if (x === null || y === null || x.scheme !== y.scheme) return 'not-comparable';
  return x.value === y.value ? 'same' : 'different';
}

/** Why two stored values of one key cannot be said to be the same or different, or null when they can. */
export type NotComparable = 'no common fingerprint' | 'values never read';

export function whyNotComparable(a: StoredValue | undefined, b: StoredValue | undefined): NotComparable | null {
  if (a === undefined || b === undefined) return null;
  // A secret known only by name (GitHub never returns secret values): nothing about its value is known.
  if (isNameOnly(a) || isNameOnly(b)) return 'values never read';
  if (isRedacted(a) && isRedacted(b) && compareSecrets(a, b) === 'not-comparable') return 'no common fingerprint';
  return null;
}

function isNameOnly(value: StoredValue): boolean {
  return value !== null && typeof value === 'object' && 'secret' in value;
}

/** The fingerprint as text people may see (a prefix), or what is missing. */
export function describeSecret(value: RedactedValue): string {
  const f = fingerprintOf(value);
  if (!f) return 'redacted, no fingerprint';
  return f.scheme === 'sha256' ? `redacted sha256:${f.value.slice(0, 12)}` : `redacted hmac:${f.value.slice(0, 12)} (key ${f.scheme.slice(5)})`;
}

/** A fingerprint comparable within its scheme (`sha256`, or `hmac:KEYID`); null without one. */
export function fingerprintOf(value: RedactedValue): { scheme: string; value: string } | null {
  if ('hmac' in value && value.hmac !== undefined) return { scheme: `hmac:${value.keyId}`, value: value.hmac };
  if ('sha256' in value && value.sha256 !== undefined) return { scheme: 'sha256', value: value.sha256 };
  return null;
}

/**
 * What a page may show of text written before keyed fingerprints: the plain
 * sha256 of a secret (and the 12-character prefix finding messages quoted)
 * lets anyone test guesses offline, so pages withhold it. The ledger keeps
 * it; snapshots are never rewritten.
 */
export function withholdPlainHashes<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/redacted sha256:[0-9a-f]{12,64}/g, 'redacted (plain hash withheld)') as T;
  if (Array.isArray(value)) return value.map(withholdPlainHashes) as T;
  if (value !== null && typeof value === 'object') {
    if ('redacted' in value && 'sha256' in value) return { redacted: true, sha256: 'withheld' } as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withholdPlainHashes(v)])) as T;
  }
  return value;
}
