/**
 * What counts as a secret, decided here and nowhere else: token formats,
 * random-looking keys, and the names of fields that carry credentials (query
 * parameters, connection-string keywords). `redact.ts` applies it to config
 * values and `redact-url.ts` to URLs and connection strings.
 *
 * Every check is linear in its input: the patterns below are tested with a
 * ReDoS checker (tests/redact/redos.test.ts), and nothing here walks back over
 * text it has already passed (docs/guarantees.md, "Redaction is linear").
 *
 * Why hand-written rather than secretlint's preset
 * (`@secretlint/secretlint-rule-preset-recommend`): its only API is async
 * (`lintSource` returns a Promise) while redaction runs inside the pure,
 * synchronous snapshot assembly, and it does not recognise JDBC, Go DSN,
 * ADO.NET, signed-URL or `?access_token=` credentials (see docs/guarantees.md).
 */

/** What a removed credential is replaced with in a stored URL or text. */
export const REDACTED = 'REDACTED';

/**
 * Token formats with a published, recognisable prefix (the same families as
 * gitleaks' and secretlint's rules). Each starts on a boundary, and "at least
 * n" is written `X{n}X*`, never `X{n,}`: V8 backtracks `{n,}` through a stack
 * that a run of a few million characters overflows ("Maximum call stack size
 * exceeded"), while it runs `X*` in a loop (tests/redact/redact-url.test.ts).
 */
export const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20}[A-Za-z0-9]*/g, // GitHub tokens: https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
  /\bgithub_pat_[A-Za-z0-9_]{20}[A-Za-z0-9_]*/g, // GitHub fine-grained personal access tokens
  /\bxox[abprse]-[A-Za-z0-9-]{10}[A-Za-z0-9-]*/g, // Slack tokens
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{10}[A-Za-z0-9]*/g, // Stripe secret and restricted keys
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*/g, // OpenAI / Anthropic style keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google API keys
  /\bglpat-[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*/g, // GitLab personal access tokens
  /\bnpm_[A-Za-z0-9]{36}/g, // npm tokens
  /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g, // PEM / OpenSSH / PGP private keys
  // JWT: base64url JSON header and payload. Starts only where a base64url run starts, so "eyJ-eyJ-…" is not rescanned.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5}[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]{5}[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g,
];

/** Runs of 20 or more base64/base64url characters, the candidates for random keys; tried only where a run starts. */
export const KEY_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{20}[A-Za-z0-9+/=_-]*/g;

/** A value that stands for a secret without being one: `${DB_PASSWORD}`, `{{ .pw }}`, `<password>`, `****`, `xxx`, `...`, or our own marker. */
const PLACEHOLDER = /^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>|\*+|x+|\.\.\.|REDACTED)$/i;

/** Whether a credential field's value is a real credential rather than empty or a placeholder. */
export function isRealCredential(value: string): boolean {
  return value.length > 0 && !PLACEHOLDER.test(value);
}

/** Credential field names, compared lowercase with `-`, `_`, `.` and spaces removed. */
const CREDENTIAL_NAMES = new Set([
  'sig', // Azure SAS: https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas
  'key', // Google APIs' ?key=
  'pass',
  'pwd',
  'auth',
  'code', // OAuth authorization codes
  'xamzcredential', // AWS SigV4 query auth: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
  'xgoogcredential', // GCS signed URLs: https://cloud.google.com/storage/docs/access-control/signed-urls
  'sessionid',
  'session',
]);
/** Name endings that mark a credential: `password`, `db_password`, `access_token`, `X-Amz-Signature`, `AccountKey`, `api_key`. */
const CREDENTIAL_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'signature', 'apikey', 'accesskey', 'accountkey', 'privatekey', 'sharedaccesskey', 'credential', 'credentials'];

/** Whether a query parameter or connection-string keyword names a credential. */
export function isCredentialName(name: string): boolean {
  if (name.length > 64) return false;
  const normal = name.toLowerCase().replace(NAME_SEPARATORS, '');
  return CREDENTIAL_NAMES.has(normal) || CREDENTIAL_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

const NAME_SEPARATORS = /[-_. ]/g;
const HEX_WITH_DASHES = /^[0-9a-fA-F-]+$/;
/** Pieces of identifiers: `Payment`, `JSON`, `2026`. */
const WORD_SEGMENT = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g;

/** Whether a value has a token or a random-looking key in it, by its form alone. */
export function looksLikeToken(value: string): boolean {
  return redactTokens(value) !== value;
}

/** The text with every token and random-looking key replaced by `REDACTED`. */
export function redactTokens(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  // A PEM header is removed above; the key's body lines are random runs, caught here.
  return out.replace(KEY_RUN, (run) => (isRandomKey(run) ? REDACTED : run));
}

/**
 * One run of base64/base64url characters that looks random. Three tests,
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
function isRandomKey(run: string): boolean {
  let end = run.length;
  while (end > 0 && run[end - 1] === '=') end--; // not /=+$/, which rescans a run of "=" from every start
  const body = run.slice(0, end);
  if (body.length < 20) return false;
  if (HEX_WITH_DASHES.test(body)) return false;
  const counts = characterCounts(body);
  if (counts.separators * 6 > body.length) return false;
  if (Number(counts.lower > 0) + Number(counts.upper > 0) + Number(counts.digits > 0) < 2) return false;
  if (wordLike(body, counts)) return false;
  return shannonEntropy(counts.byCode, body.length) >= Math.min(4.3, Math.log2(body.length) - 1.3);
}

/** ASCII code -> class: 1 lower-case letter, 2 upper-case letter, 3 digit, 0 anything else; vowels marked separately. */
const CLASS = new Uint8Array(128);
const VOWEL = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CLASS[c] = ch >= 'a' && ch <= 'z' ? 1 : ch >= 'A' && ch <= 'Z' ? 2 : ch >= '0' && ch <= '9' ? 3 : 0;
  VOWEL[c] = 'aeiouAEIOU'.includes(ch) ? 1 : 0;
}

/** One pass over a run (its characters are ASCII): how many of each character and of each class. */
function characterCounts(text: string) {
  const byCode = new Int32Array(128);
  const byClass = [0, 0, 0, 0];
  let vowels = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) & 127;
    byCode[code]!++;
    byClass[CLASS[code]!]!++;
    vowels += VOWEL[code]!;
  }
  const [separators, lower, upper, digits] = byClass as [number, number, number, number];
  return { byCode, lower, upper, digits, vowels, separators };
}

/**
 * Made of words: pieces (`Payment`, `Service`, `2026`, `JSON`) that are long
 * on average and carry vowels like language does (about 40% of letters,
 * against 19% in random base62 text).
 */
function wordLike(text: string, counts: ReturnType<typeof characterCounts>): boolean {
  let segments = 0;
  let segmentChars = 0;
  for (const segment of text.matchAll(WORD_SEGMENT)) {
    segments++;
    segmentChars += segment[0].length;
  }
  const average = segmentChars / Math.max(1, segments);
  const vowels = counts.vowels / Math.max(1, counts.lower + counts.upper);
  return average >= 4.5 || (average >= 2.5 && vowels >= 0.3);
}

function shannonEntropy(byCode: Int32Array, length: number): number {
  let entropy = 0;
  for (const count of byCode) {
    if (count === 0) continue;
    const p = count / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Every regular expression used to find secrets, for the ReDoS test. */
export const DETECTION_PATTERNS: readonly RegExp[] = [
  ...TOKEN_PATTERNS,
  KEY_RUN,
  PLACEHOLDER,
  NAME_SEPARATORS,
  HEX_WITH_DASHES,
  WORD_SEGMENT,
];
