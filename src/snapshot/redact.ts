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
 * hostnames, URLs without a password, paths, and words. Numbers, booleans and
 * null are secret only when their key says so.
 */
import picomatch from 'picomatch';
import type { Config } from '../model/config.ts';
import { fingerprintSecret, type SecretKey } from '../model/secret-fingerprint.ts';
import type { RawConfigRecord, RawValue } from '../model/evidence.ts';
import type { ConfigRecord, StoredValue } from '../model/snapshot.ts';

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

/** Token formats with a published, recognisable prefix. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens: https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
  /\bgithub_pat_[A-Za-z0-9_]{20,}/, // GitHub fine-grained personal access tokens
  /\bxox[abprse]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}/, // Stripe secret and restricted keys
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/, // OpenAI / Anthropic style keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API keys
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab personal access tokens
  /\bnpm_[A-Za-z0-9]{36}/, // npm tokens
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, // PEM / OpenSSH / PGP private keys
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/, // JWT: base64url JSON header and payload
  /(?:^|[;\s])(?:password|pwd|passwd)\s*=\s*[^;\s]+/i, // ADO/JDBC-style connection strings: "...;Password=...;"
];

/** `scheme://user:password@host` with a password that is not a placeholder such as `${DB_PASSWORD}`. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]+)@/i;
const PLACEHOLDER = /^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>|\*+|x+|\.\.\.)$/i;

/** Whether a value looks like a credential by itself, whatever its key. */
export function looksLikeSecretValue(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 8) return false;
  if (TOKEN_PATTERNS.some((pattern) => pattern.test(value))) return true;
  const url = URL_WITH_PASSWORD.exec(value);
  if (url && !PLACEHOLDER.test(decodeSafe(url[1]!))) return true;
  return highEntropyRuns(value);
}

/**
 * Long runs of base64/base64url characters that look random. Three tests,
 * tuned with tests/redact/redact.test.ts against random tokens (32+
 * characters are always caught; 20-31 almost always) and identifiers such as
 * `PaymentServiceConfiguration2`, `k8s-prod-eu-west-1a`, package names and
 * paths (never caught):
 * - not hex-with-dashes (commits, digests, UUIDs are identifiers) and not
 *   dense with separators (`ip-10-0-12-34-ec2-internal`);
 * - not made of words (see `wordLike`): random text switches between upper,
 *   lower and digits every 1-2 characters and has few vowels;
 * - Shannon entropy close to that of random text of the same length.
 */
function highEntropyRuns(value: string): boolean {
  for (const run of value.match(/[A-Za-z0-9+/=_-]{20,}/g) ?? []) {
    const body = run.replace(/=+$/, '');
    if (/^[0-9a-fA-F-]+$/.test(body)) continue;
    const separators = body.replace(/[A-Za-z0-9]/g, '').length;
    if (separators * 6 > body.length) continue;
    if ([/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(body)).length < 2) continue;
    if (wordLike(body)) continue;
    if (shannonEntropy(body) >= Math.min(4.3, Math.log2(body.length) - 1.3)) return true;
  }
  return false;
}

/**
 * Made of words: pieces (`Payment`, `Service`, `2026`, `JSON`) that are long
 * on average and carry vowels like language does (about 40% of letters,
 * against 19% in random base62 text).
 */
function wordLike(text: string): boolean {
  const segments = text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? [];
  const average = segments.join('').length / Math.max(1, segments.length);
  const letters = text.replace(/[^A-Za-z]/g, '');
  const vowels = letters.replace(/[^aeiouAEIOU]/g, '').length / Math.max(1, letters.length);
  return average >= 4.5 || (average >= 2.5 && vowels >= 0.3);
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Already a stored secret marker (`{ redacted }` or `{ secret }`): kept as it is. */
function isMarker(value: RawValue): value is Extract<StoredValue, object> {
  return value !== null && typeof value === 'object';
}

/** One value of `service`'s config `key` as it may be stored: in clear, or as its fingerprint. */
export function redactValue(service: string, key: string, value: RawValue, patterns: readonly string[], secretKey: SecretKey | null): StoredValue {
  if (isMarker(value)) return value;
  if (isSecretKey(key, patterns) || looksLikeSecretValue(value)) return fingerprintSecret(service, key, value, secretKey);
  return value;
}

/**
 * Redacts every config record with the global and per-service key patterns.
 * Output is deterministic: records sorted by service, environment, source,
 * origin; values by key.
 */
export function redactConfigs(configs: readonly RawConfigRecord[], config: Config, secretKey: SecretKey | null): ConfigRecord[] {
  const servicePatterns = new Map(config.services.map((s) => [s.name, s.secretKeys]));
  const records = configs.map((record): ConfigRecord => {
    const patterns = [...config.policies.secretKeys, ...(servicePatterns.get(record.service) ?? [])];
    const values: Record<string, StoredValue> = {};
    for (const key of Object.keys(record.values).sort(compare)) values[key] = redactValue(record.service, key, record.values[key]!, patterns, secretKey);
    const out: ConfigRecord = { service: record.service, environment: record.environment, source: record.source, values };
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
 * A record as a source gave it, with its secret values fingerprinted and every
 * other field kept (for shard files, which are screened only when merged).
 */
export function redactRawConfigRecord(record: unknown, config: Config, secretKey: SecretKey | null): unknown {
  if (record === null || typeof record !== 'object') return record;
  const { service, values } = record as { service?: unknown; values?: unknown };
  if (typeof service !== 'string' || values === null || typeof values !== 'object' || Array.isArray(values)) return record;
  const patterns = [...config.policies.secretKeys, ...(config.services.find((s) => s.name === service)?.secretKeys ?? [])];
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) redacted[key] = redactValue(service, key, value as RawValue, patterns, secretKey);
  return { ...record, values: redacted };
}

/** Code-point order, the same on every machine (no locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A URL as it may be stored: credentials in its userinfo (`https://user:pass@host`)
 * are dropped whole. Works on templates such as `{environment}`.
 */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_, scheme: string) => `${scheme}redacted@`);
}

/** The services as a snapshot stores them: the config, minus credentials written into version URLs. */
export function redactServiceConfigs<T extends { versionUrl: Record<string, string> }>(services: readonly T[]): T[] {
  return services.map((service) => ({
    ...service,
    versionUrl: Object.fromEntries(Object.entries(service.versionUrl).map(([env, url]) => [env, redactUrlCredentials(url)])),
  }));
}
