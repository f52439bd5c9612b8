/**
 * The one home of "which strings are the credentials this run was given, and
 * how do they look when an answer echoes them". Every string from outside
 * (gap reasons, progress lines, answer fields, cache entries) passes
 * `Credentials.scrub` before it is stored or printed, and `findCredential`
 * is the last check before a snapshot or shard is written
 * (docs/guarantees.md, "No credential is ever written").
 *
 * A server that echoes a token rarely echoes it verbatim: an `Authorization:
 * Basic` header is base64 of `user:token`, a proxy may URL-encode or hex-dump
 * it, a log may wrap it. So each credential is matched in these forms: as
 * given with any whitespace inserted between its characters (which also
 * covers a PEM key re-wrapped), base64 and base64url at each of the three
 * byte alignments (the part that does not depend on the bytes around it),
 * hex (both cases) and URL-encoded. A multi-line credential (a PEM private
 * key) also counts each of its long lines, so one echoed line is caught.
 */
import { LedgerWriteError } from '../../src/errors.ts';

/** Shorter strings are not treated as credentials (or as forms of one): they would redact ordinary words. */
export const MIN_CREDENTIAL_LENGTH = 8;

const REDACTED = '[redacted]';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** The base64 characters of `secret` that stay the same whatever bytes surround it, at each alignment. */
function base64Cores(secret: Buffer, url: boolean): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), secret]);
    const text = padded.toString(url ? 'base64url' : 'base64');
    const start = shift === 0 ? 0 : 4;
    const end = Math.floor(padded.length / 3) * 4;
    if (end - start >= MIN_CREDENTIAL_LENGTH) out.push(text.slice(start, end));
  }
  return out;
}

/** Every literal form of one credential (the spaced-out form is a pattern, built in the constructor). */
function literalForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [...base64Cores(bytes, false), ...base64Cores(bytes, true), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), encodeURIComponent(secret)];
  return forms.filter((f) => f.length >= MIN_CREDENTIAL_LENGTH);
}

/** The credentials of one run, and the one scrubber that knows all their forms. */
export class Credentials {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  /** Adds a credential learnt during the run (e.g. an installation token a GitHub App exchanged). */
  add(value: string | undefined): void {
    if (!value) return;
    const parts = [value, value.replace(/\\n/g, '\n'), ...value.split(/\r?\n|\\n/).map((line) => line.trim())];
    // A header value (`Bearer X`, `token X`, `Basic base64(user:password)`): the bare credential, and a basic password, count too.
    const scheme = /^\s*(bearer|token|basic)\s+(\S+)\s*$/i.exec(value);
    if (scheme) {
      parts.push(scheme[2]!);
      if (scheme[1]!.toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2]!, 'base64').toString('utf8');
        parts.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
      }
    }
    for (const part of parts) {
      const compact = part.replace(/\s+/g, '');
      if (compact.length < MIN_CREDENTIAL_LENGTH || this.values.has(part)) continue;
      // A PEM armor line is the same in every key: blanking it would hide other keys from the secret policy (src/model/redact.ts).
      if (/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(part)) continue;
      this.values.add(part);
      this.pattern = null;
    }
  }

  get size(): number {
    return this.values.size;
  }

  private regex(): RegExp | null {
    if (this.pattern || this.values.size === 0) return this.pattern;
    const branches = new Set<string>();
    // Longest first, so a whole PEM is redacted as one piece rather than line by line.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      const compact = value.replace(/\s+/g, '');
      branches.add([...compact].map(escape).join('\\s*'));
      for (const form of literalForms(value)) branches.add(escape(form));
    }
    this.pattern = new RegExp([...branches].join('|'), 'g');
    return this.pattern;
  }

  /** `text` with every form of every credential replaced by `[redacted]`. */
  scrub(text: string): string {
    const re = this.regex();
    if (!re || text.length < MIN_CREDENTIAL_LENGTH) return text;
    return text.replace(re, REDACTED);
  }

  /** Whether `text` holds any form of a credential. */
  holds(text: string): boolean {
    const re = this.regex();
    if (!re || text.length < MIN_CREDENTIAL_LENGTH) return false;
    re.lastIndex = 0;
    const found = re.test(text);
    re.lastIndex = 0;
    return found;
  }

  /** A copy of a JSON-like value with every string (keys too) scrubbed. */
  scrubDeep<T>(value: T): T {
    if (!this.regex()) return value;
    return mapStrings(value, (s) => this.scrub(s)) as T;
  }
}

/** Token shapes GitHub issues (https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/), and JWTs. */
const TOKEN_LIKE = /\b(?:gh[pousr]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,}|v1\.[0-9a-f]{20,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\b/g;

/**
 * A message from outside (an error, a gap's reason) made safe to print: every
 * form of every known credential, and anything token-shaped (a credential the
 * run was not given, such as one a server invents), removed. Evidence gets
 * only `Credentials.scrub`: a token-shaped config value is for the secret
 * policy (src/model/redact.ts) to hash, not to blank.
 */
export function scrubMessage(text: string, credentials: Credentials): string {
  return credentials
    .scrub(text)
    .replace(TOKEN_LIKE, REDACTED)
    .replace(/\b(bearer|token|basic)\s+[A-Za-z0-9_.=+/-]{16,}/gi, `$1 ${REDACTED}`);
}

/** A copy of a JSON-like value with `f` applied to every string, object keys included. */
function mapStrings(value: unknown, f: (text: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(value)) out[f(k)] = mapStrings(inner, f);
    return out;
  }
  return value;
}

/**
 * The credentials a config reads from the environment: each GitHub source's
 * token or App private key, each http source's header values, each argocd
 * source's token and each kubernetes cluster's token. Values under
 * `MIN_CREDENTIAL_LENGTH` characters are ignored (see there).
 */
export function credentialsOf(
  config: { sources: Record<string, { type: string; tokenEnv?: string; app?: { privateKeyEnv: string }; headersEnv?: Record<string, string>; clusters?: Record<string, { tokenEnv?: string }> }> },
  env: Readonly<Record<string, string | undefined>>,
): Credentials {
  const values: (string | undefined)[] = [];
  for (const source of Object.values(config.sources)) {
    if (source.tokenEnv) values.push(env[source.tokenEnv]);
    // A kubernetes source's token per cluster.
    for (const cluster of Object.values(source.clusters ?? {})) if (cluster.tokenEnv) values.push(env[cluster.tokenEnv]);
    if (source.app) values.push(env[source.app.privateKeyEnv]);
    for (const variable of Object.values(source.headersEnv ?? {})) values.push(env[variable]);
  }
  return new Credentials(values);
}

/** Where in a JSON-like value the first string holding a credential sits (`deployments[3].deployedBy`), or null. */
export function findCredential(value: unknown, credentials: Credentials, where = ''): string | null {
  if (typeof value === 'string') return credentials.holds(value) ? where || '(value)' : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findCredential(item, credentials, `${where}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, inner] of Object.entries(value)) {
      const path = where ? `${where}.${k}` : k;
      if (credentials.holds(k)) return `${path} (a key)`;
      const found = findCredential(inner, credentials, path);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The last check before `file` is written: refuses (one line, nothing
 * written, exit 2) when any string of `value` still holds a credential. The
 * message names the field, never the credential.
 */
export function refuseCredentials(file: string, value: unknown, credentials: Credentials): void {
  if (credentials.size === 0) return;
  const field = findCredential(value, credentials);
  if (field) throw new LedgerWriteError(`refusing to write ${file}: ${field} holds a credential this run was given (in some encoding); nothing was written`);
}
