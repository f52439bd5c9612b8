/**
 * Credentials out of URLs and connection strings. A stored URL is parsed with
 * WHATWG `URL` (https://url.spec.whatwg.org/) and loses its whole userinfo,
 * every query or fragment value whose name or value is a credential, and any
 * path segment that is a token; what stays is the URL as the parser
 * serialises it. Text that is not one URL (a config value, a comment, an
 * unparsable URL field) is scanned for URLs, `name=value` credentials
 * (JDBC `;password=`, ADO.NET `Password=`, `?access_token=`) and Go MySQL DSNs
 * (`user:pw@tcp(host)/db`).
 *
 * Every scan moves forward only: each `://`, `=` and `@` is looked at once and
 * the walks back from it stop at the previous one, so the work is linear in
 * the text (docs/guarantees.md, "Redaction is linear").
 */
import { isCredentialName, isRealCredential, looksLikeToken, REDACTED, redactTokens } from './secret-detect.ts';

/** A URL as it may be stored: no userinfo, no credential in its query, fragment or path. Unchanged when it has none. */
export function redactUrl(url: string): string {
  const parsed = parseHierarchical(url);
  // The pair scan as well: a `;Password=…` after the host parses as part of it.
  return parsed ? cleanPairs(cleanParsed(url, parsed).text).text : redactSecretsInText(url);
}

/** Free text with every URL cleaned as `redactUrl` does and every other credential replaced by `REDACTED`. */
export function redactSecretsInText(text: string): string {
  return scan(text, true).text;
}

/** Whether text holds a URL or connection string with a real password or credential parameter (a user name alone is not one). */
export function hasConnectionCredentials(text: string): boolean {
  return scan(text).found;
}

interface Cleaned {
  text: string;
  /** A real credential was removed (not only a user name, an empty value or a placeholder). */
  found: boolean;
}

function parseHierarchical(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  // `jdbc:postgresql://…` parses with an opaque path that holds the real URL: the text scan finds it.
  return url.host !== '' && (url.pathname === '' || url.pathname.startsWith('/')) ? url : null;
}

function cleanParsed(original: string, url: URL): Cleaned {
  let found = false;
  let changed = false;
  if (url.username !== '' || url.password !== '') {
    found ||= isRealCredential(decodeSafe(url.password));
    url.username = '';
    url.password = '';
    changed = true;
  }
  const search = cleanPairs(url.search);
  if (search.text !== url.search) {
    url.search = search.text;
    found ||= search.found;
    changed = true;
  }
  const hash = cleanPairs(url.hash); // OAuth implicit flow: #access_token=…
  if (hash.text !== url.hash) {
    url.hash = hash.text;
    found ||= hash.found;
    changed = true;
  }
  const segments = url.pathname.split('/');
  const path = segments.map((segment) => (segment.length >= TOKEN_MIN && looksLikeToken(decodeSafe(segment)) ? REDACTED : segment));
  if (path.some((segment, i) => segment !== segments[i])) {
    url.pathname = path.join('/');
    found = true;
    changed = true;
  }
  if (!changed) return { text: original, found: false };
  // Templates such as `{environment}` stay readable.
  const href = original.includes('{') ? url.href.replaceAll('%7B', '{').replaceAll('%7D', '}') : url.href;
  return { text: href, found };
}

/** Characters that end a URL inside text. */
const URL_END = new Set([' ', '\t', '\n', '\r', '"', "'", '`', '<', '>']);
/** Characters that end a connection-string or query value. Not `#`, `,` or `)`: passwords hold them (`Password=#a,b)c;`), and a credential cut short there would leave the rest in clear. */
const VALUE_END = new Set([...URL_END, ';', '&']);
const SCHEME_MAX = 32;
/** No token pattern matches fewer characters (`xoxb-` and ten). */
const TOKEN_MIN = 15;
const PLUS = /\+/g;
const NAME_MAX = 64;

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** RFC 3986 scheme characters: letters, digits, `+`, `-`, `.`. */
const isSchemeChar = (c: number) => isLetter(c) || isDigit(c) || c === 43 || c === 45 || c === 46;
/** Names in `name=value`: letters, digits, `_`, `.`, `-`, and spaces (`Account Key=`). */
const isNameChar = (c: number) => isLetter(c) || isDigit(c) || c === 95 || c === 46 || c === 45 || c === 32;

/**
 * Every `scheme://…` in the text is cleaned as a URL (or, unparsable, by
 * dropping its userinfo); the text around them by the `name=value` and Go DSN
 * scans and, for free text (`tokens`), the token patterns. Token patterns stay
 * out of URLs, whose path segments `cleanParsed` judges one by one.
 */
function scan(text: string, tokens = false): Cleaned {
  let out = '';
  let last = 0;
  let found = false;
  const between = (piece: string) => {
    const pairs = cleanPairs(piece);
    const dsns = scanGoDsns(pairs.text);
    found ||= pairs.found || dsns.found;
    return tokens ? redactTokens(dsns.text) : dsns.text;
  };
  let at = text.indexOf('://');
  while (at !== -1) {
    let start = at;
    while (start > last && at - start < SCHEME_MAX && isSchemeChar(text.charCodeAt(start - 1))) start--;
    while (start < at && !isLetter(text.charCodeAt(start))) start++;
    if (start === at) {
      at = text.indexOf('://', at + 3);
      continue;
    }
    let end = at + 3;
    while (end < text.length && !URL_END.has(text[end]!)) end++;
    const token = text.slice(start, end);
    const parsed = parseHierarchical(token);
    const cleaned = parsed ? cleanParsed(token, parsed) : dropUserinfo(token, at - start + 3);
    // The pair scan as well: a `;Password=…` after the host parses as part of it.
    const pairs = cleanPairs(cleaned.text);
    out += between(text.slice(last, start)) + pairs.text;
    found ||= cleaned.found || pairs.found;
    last = end;
    at = text.indexOf('://', end);
  }
  out += between(text.slice(last));
  return { text: out, found };
}

/** An unparsable URL: its userinfo is everything before the last `@` of the authority (as WHATWG reads it). */
function dropUserinfo(token: string, authorityStart: number): Cleaned {
  let authorityEnd = authorityStart;
  while (authorityEnd < token.length && !'/?#\\'.includes(token[authorityEnd]!)) authorityEnd++;
  const at = token.lastIndexOf('@', authorityEnd - 1);
  if (at < authorityStart) return { text: token, found: false };
  const userinfo = token.slice(authorityStart, at);
  const colon = userinfo.indexOf(':');
  return { text: token.slice(0, authorityStart) + token.slice(at + 1), found: colon !== -1 && isRealCredential(decodeSafe(userinfo.slice(colon + 1))) };
}

/**
 * `name=value` pairs whose name is a credential (`password=`, `Pwd=`,
 * `access_token=`, `X-Amz-Signature=`, `sig=`): the value becomes `REDACTED`.
 * Values may be quoted (`Password="a;b"`) or braced (ODBC `PWD={a;b}`).
 */
function cleanPairs(text: string): Cleaned {
  let out = '';
  let last = 0;
  let found = false;
  let eq = text.indexOf('=');
  while (eq !== -1) {
    let start = eq;
    while (start > last && eq - start < NAME_MAX && isNameChar(text.charCodeAt(start - 1))) start--;
    const name = text.slice(start, eq).trim();
    if (name !== '' && isCredentialName(decodeSafe(name.replace(PLUS, ' ')))) {
      let from = eq + 1;
      while (text[from] === ' ') from++;
      const close = { '"': '"', "'": "'", '{': '}' }[text[from] ?? ''];
      let end = close ? text.indexOf(close, from + 1) : -1;
      if (end !== -1) end++;
      else for (end = from; end < text.length && !VALUE_END.has(text[end]!); ) end++;
      const value = text.slice(from, end);
      const bare = close && value.length >= 2 ? value.slice(1, -1) : value;
      if (isRealCredential(decodeSafe(bare.replace(PLUS, ' ')))) {
        out += text.slice(last, from) + REDACTED;
        last = end;
        found = true;
        eq = text.indexOf('=', end);
        continue;
      }
    }
    eq = text.indexOf('=', eq + 1);
  }
  return { text: out + text.slice(last), found };
}

/** Go MySQL DSN `user:password@tcp(host:3306)/db` (https://github.com/go-sql-driver/mysql#dsn-data-source-name): the userinfo is dropped. */
const DSN_PROTOCOL = /@(?:tcp[46]?|udp|unix|unixgram)\(/g;

function scanGoDsns(text: string): Cleaned {
  let out = '';
  let last = 0;
  let found = false;
  for (const match of text.matchAll(DSN_PROTOCOL)) {
    const at = match.index;
    if (at < last) continue;
    let start = at;
    while (start > last && !URL_END.has(text[start - 1]!)) start--;
    const userinfo = text.slice(start, at);
    const colon = userinfo.indexOf(':');
    if (colon === -1) continue;
    found ||= isRealCredential(userinfo.slice(colon + 1));
    out += text.slice(last, start);
    last = at + 1;
  }
  return { text: out + text.slice(last), found };
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every regular expression used here, for the ReDoS test. */
export const URL_PATTERNS: readonly RegExp[] = [DSN_PROTOCOL, PLUS];
