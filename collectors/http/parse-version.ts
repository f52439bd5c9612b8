/**
 * Turns the body of a version endpoint into `{ version, commit }`. Pure: the
 * collector (`collectors/http/source.ts`) does the request and hands the text and
 * content type here.
 *
 * Shapes understood out of the box, tried in this order:
 * 1. the configured `versionPath` / `commitPath` (dotted JSON paths); a
 *    configured path is the only place its field is read from;
 * 2. flat JSON `{ version, commit }` (the commit may also be called `sha`,
 *    `gitCommit` or `revision`);
 * 3. Spring Boot `/actuator/info`: `build.version` and `git.commit.id`, where
 *    `id` is a string ("simple" mode) or `{ abbrev, full }` ("full" mode), see
 *    https://docs.spring.io/spring-boot/reference/actuator/endpoints.html#actuator.endpoints.info.git-commit-information
 * 4. plain text: the first line, trimmed, when it looks like a version.
 */

/** What a version endpoint reported. */
export interface VersionReport {
  version: string | null;
  commit: string | null;
  /** Which shape matched, for progress lines and tests. */
  shape: 'paths' | 'flat' | 'spring-boot' | 'plain-text';
}

export type ParseResult = { ok: true; report: VersionReport } | { ok: false; reason: string };

export interface ParseOptions {
  /** Dotted path to the version in a JSON body, e.g. `build.version`. */
  versionPath?: string | undefined;
  /** Dotted path to the commit in a JSON body, e.g. `git.commit.id`. */
  commitPath?: string | undefined;
}

/** A version label: `2.4.1`, `v2.4.1-rc.1+build.7`, `2026.03.14`, `1.2`. */
const VERSION_TEXT = /^v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$/;
/** A (possibly abbreviated) git commit sha. */
const COMMIT = /^[0-9a-f]{7,64}$/i;
/** A version read from a JSON field: any short label without spaces or control characters. */
const VERSION_FIELD = /^[\x21-\x7e]{1,128}$/;

const COMMIT_KEYS = ['commit', 'sha', 'gitCommit', 'revision'] as const;

/** Dotted-path lookup (`a.b.c`) in parsed JSON; array indexes are plain segments (`items.0.version`). */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function asVersion(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return VERSION_FIELD.test(trimmed) ? trimmed : null;
}

function asCommit(value: unknown): string | null {
  if (typeof value === 'string' && COMMIT.test(value.trim())) return value.trim().toLowerCase();
  // Spring Boot "full" git info mode: { abbrev, full }; prefer the full sha.
  if (value !== null && typeof value === 'object') {
    const id = value as Record<string, unknown>;
    return asCommit(id['full']) ?? asCommit(id['abbrev']);
  }
  return null;
}

type Candidate = { version: string | null; commit: string | null };

const SHAPES: { shape: VersionReport['shape']; name: string; read: (json: unknown) => Candidate }[] = [
  {
    shape: 'flat',
    name: '{version, commit|sha|gitCommit|revision}',
    read: (json) => ({
      version: asVersion(getPath(json, 'version')),
      commit: COMMIT_KEYS.map((key) => asCommit(getPath(json, key))).find((c) => c !== null) ?? null,
    }),
  },
  {
    shape: 'spring-boot',
    name: 'Spring Boot actuator info {build.version, git.commit.id}',
    read: (json) => ({ version: asVersion(getPath(json, 'build.version')), commit: asCommit(getPath(json, 'git.commit.id')) }),
  },
];

function fromJson(json: unknown, options: ParseOptions): { report: VersionReport | null; tried: string[] } {
  const tried: string[] = [];
  const { versionPath, commitPath } = options;
  const version = versionPath ? asVersion(getPath(json, versionPath)) : null;
  const commit = commitPath ? asCommit(getPath(json, commitPath)) : null;
  if (versionPath || commitPath) {
    tried.push([versionPath && `versionPath "${versionPath}"`, commitPath && `commitPath "${commitPath}"`].filter(Boolean).join(' and '));
  }
  // A configured path is authoritative for its field; the built-in shapes only fill the other one.
  if (!(versionPath && commitPath)) {
    for (const { shape, name, read } of SHAPES) {
      tried.push(name);
      const found = read(json);
      if ((!versionPath && found.version) || (!commitPath && found.commit)) {
        const report = { version: versionPath ? version : found.version, commit: commitPath ? commit : found.commit };
        return { report: { ...report, shape: versionPath || commitPath ? 'paths' : shape }, tried };
      }
    }
  }
  if (version || commit) return { report: { version, commit, shape: 'paths' }, tried };
  return { report: null, tried };
}

function fromPlainText(body: string): VersionReport | null {
  const firstLine = (body.split(/\r?\n/, 1)[0] ?? '').trim();
  return VERSION_TEXT.test(firstLine) ? { version: firstLine, commit: null, shape: 'plain-text' } : null;
}

/** The media type of a Content-Type header, lower-cased, without parameters; null when absent. */
export function mediaType(contentType: string | null | undefined): string | null {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return type ? type : null;
}

const isJsonType = (type: string) => type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);

/**
 * Parses a version endpoint's body. `contentType` is the response header
 * (null when absent: then JSON is tried first, then plain text).
 */
export function parseVersionBody(body: string, contentType: string | null, options: ParseOptions = {}): ParseResult {
  const type = mediaType(contentType);
  const text = body.replace(/^\uFEFF/, '');
  const looksJson = /^\s*[{[]/.test(text);
  const wantJson = type === null ? looksJson : isJsonType(type) || (type === 'text/plain' && looksJson);
  const wantText = type === null || type === 'text/plain';
  if (type !== null && !isJsonType(type) && type !== 'text/plain') {
    const shown = type.replace(/[^\x21-\x7e]/g, '').slice(0, 80);
    return { ok: false, reason: `wrong content type ${shown} (expected application/json or text/plain)` };
  }
  const tried: string[] = [];
  if (wantJson) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
      tried.push('JSON (not valid JSON)');
    }
    if (json !== undefined) {
      const result = fromJson(json, options);
      if (result.report) return { ok: true, report: result.report };
      tried.push(...result.tried);
    }
  }
  // A body that starts like JSON is never a plain version line.
  if (wantText && !looksJson) {
    const report = fromPlainText(text);
    if (report) return { ok: true, report };
    tried.push('plain text version (first line)');
  }
  return { ok: false, reason: `unparsable body (tried: ${tried.join('; ')})` };
}
