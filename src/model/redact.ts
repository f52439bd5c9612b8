/**
 * Secret config values are never stored: they become `{ redacted: true, hmac,
 * keyId }`, a keyed fingerprint (src/model/secret-fingerprint.ts), so a change
 * stays visible without the value; with no ledger key, `{ redacted: true }`.
 *
 * A value is secret when
 * - its key matches a pattern in `policies.secretKeys` or the service's own
 *   `secretKeys` (globs, case-insensitive, `*` also crossing `/` and `.` so
 *   `*password*` catches `db/password`), or
 * - the value itself looks like a credential, whatever its key: well-known
 *   token prefixes, PEM private keys, JWTs, URLs or connection strings with a
 *   password, and long high-entropy strings.
 *
 * Deliberately NOT treated as secret by value (they are identifiers that pages
 * must show, and a key pattern still redacts them when needed): hex strings
 * such as commit shas and `sha256:` digests, UUIDs, versions and ranges,
 * hostnames, URLs without a password, paths, and words. Numbers and booleans
 * are secret only when their key says so.
 *
 * Never secret, whatever the key: a value that holds nothing (null, an empty
 * list `[]` or map `{}`, as config sources write them). There is nothing to
 * hide, and a chart's `imagePullSecrets: []` or `existingSecret: null` is a
 * setting people must see is empty; once it holds something it is redacted.
 */
import picomatch from 'picomatch';
import type { Config } from './config.ts';
import { fingerprintSecret, type SecretKey } from './secret-fingerprint.ts';
import type { RawConfigRecord, RawValue } from './evidence.ts';
import type { ConfigRecord, StoredValue } from './snapshot.ts';
import { hasConnectionCredentials } from './redact-url.ts';
import { looksLikeToken } from './secret-detect.ts';

/** Whether `key` matches one of the glob `patterns` (case-insensitive). */
export function isSecretKey(key: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && matcher(patterns)(key);
}

const matchers = new Map<string, (key: string) => boolean>();
function matcher(patterns: readonly string[]): (key: string) => boolean {
  const cacheKey = JSON.stringify(patterns);
  let match = matchers.get(cacheKey);
  if (!match) {
    // bash: a single `*` also matches `/` (https://github.com/micromatch/picomatch#options); dot: keys may start with a dot.
    match = picomatch([...patterns], { nocase: true, dot: true, bash: true });
    matchers.set(cacheKey, match);
  }
  return match;
}

/**
 * Whether a value looks like a credential by itself, whatever its key: a
 * token or random key (secret-detect.ts), or a URL or connection string with
 * a password or credential parameter (redact-url.ts). Linear in the value.
 */
export function looksLikeSecretValue(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 8) return false;
  return looksLikeToken(value) || hasConnectionCredentials(value);
}

/** A value with nothing in it: null, or the JSON text of an empty list or map (how sources flatten them). */
function holdsNothing(value: RawValue): boolean {
  return value === null || (typeof value === 'string' && /^\s*(\[\s*\]|\{\s*\})\s*$/.test(value));
}

/** Already a stored secret marker (`{ redacted }` or `{ secret }`): kept as it is. */
function isMarker(value: RawValue): value is Extract<StoredValue, object> {
  return value !== null && typeof value === 'object';
}

/** One value of `service`'s config `key` as it may be stored: in clear, or as its fingerprint. */
export function redactValue(service: string, key: string, value: RawValue, patterns: readonly string[], secretKey: SecretKey | null): StoredValue {
  if (isMarker(value) || holdsNothing(value)) return value;
  if (isSecretKey(key, patterns) || looksLikeSecretValue(value)) return fingerprintSecret(service, key, value, secretKey);
  return value;
}

/**
 * Redacts every config record with the global and per-service key patterns.
 * Output is deterministic: records sorted by service, environment, source,
 * origin; values by key.
 */
export function redactConfigs(configs: readonly RawConfigRecord[], config: Config, secretKey: SecretKey | null): ConfigRecord[] {
  const patternsOf = secretPatterns(config);
  const records = configs.map((record): ConfigRecord => {
    const out: ConfigRecord = { service: record.service, environment: record.environment, source: record.source, values: redactValues(record.service, record.values, patternsOf, secretKey) };
    if (record.origin !== undefined) out.origin = record.origin;
    if (record.revision !== undefined) out.revision = record.revision;
    if (record.changedBy !== undefined) out.changedBy = record.changedBy;
    if (record.changedAt !== undefined) out.changedAt = record.changedAt;
    return out;
  });
  return records.sort(
    (a, b) =>
      compare(a.service, b.service) || compare(a.environment, b.environment) || compare(a.source, b.source) || compare(a.origin ?? '', b.origin ?? ''),
  );
}

/**
 * Redacts records as a source gave them, fingerprinting secret values and
 * keeping every other field (for shard files, which are screened only when
 * merged); a record without a service and a values object is kept as it is.
 */
export function rawConfigRedactor(config: Config, secretKey: SecretKey | null): (record: unknown) => unknown {
  const patternsOf = secretPatterns(config);
  return (record) => {
    if (record === null || typeof record !== 'object') return record;
    const { service, values } = record as { service?: unknown; values?: unknown };
    if (typeof service !== 'string' || values === null || typeof values !== 'object' || Array.isArray(values)) return record;
    return { ...record, values: redactValues(service, values as Record<string, RawValue>, patternsOf, secretKey) };
  };
}

/** The key patterns that make a value of a service secret: the global ones and the service's own. */
function secretPatterns(config: Config): (service: string) => string[] {
  const own = new Map(config.services.map((s) => [s.name, s.secretKeys]));
  return (service) => [...config.policies.secretKeys, ...(own.get(service) ?? [])];
}

/** One record's values as they may be stored, by key. */
function redactValues(service: string, values: Record<string, RawValue>, patternsOf: (service: string) => string[], secretKey: SecretKey | null): Record<string, StoredValue> {
  const patterns = patternsOf(service);
  const out: Record<string, StoredValue> = {};
  for (const key of Object.keys(values).sort(compare)) out[key] = redactValue(service, key, values[key]!, patterns, secretKey);
  return out;
}

/** Code-point order, the same on every machine (no locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
