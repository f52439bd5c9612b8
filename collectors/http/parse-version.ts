/**
 * Turns the body of a version endpoint into `{ version, commit }`. Pure: the
 * collector (`collectors/http/source.ts`) does the request and hands the text and
 * content type here.
 *
 * Shapes understood out of the box, tried in this order (docs/sources.md,
 * "Version endpoints"):
 * 1. the configured `versionPath` / `commitPath` (a JSON Pointer such as
 *    `/git.commit.id`, or an older dotted path, see json-pointer.ts); a
 *    configured path is the only place its field is read from;
 * 2. Kubernetes `/version`: `gitVersion`, `gitCommit`
 *    (https://kubernetes.io/docs/reference/using-api/health-checks/ lists it; shape: k8s.io/apimachinery/pkg/version.Info);
 * 3. Prometheus `/api/v1/status/buildinfo`: `data.version`, `data.revision`
 *    (https://prometheus.io/docs/prometheus/latest/querying/api/#build-information);
 * 4. PascalCase bodies: `Version` with `Commit`, `GitCommit`, `Sha` or
 *    `Revision` (.NET services; Argo CD `/api/version` gives `Version` and
 *    `GitCommit`);
 * 5. the git-commit-id plugin's `git.json`/`git.properties` as JSON, whose
 *    keys are literal dotted names: `git.build.version`, `git.commit.id`
 *    (or `git.commit.id.full`, `git.commit.id.abbrev`)
 *    (https://github.com/git-commit-id/git-commit-id-maven-plugin);
 * 6. Spring Boot `/actuator/info`: `build.version` and `git.commit.id`, where
 *    `id` is a string ("simple" mode) or `{ abbrev, full }` ("full" mode), see
 *    https://docs.spring.io/spring-boot/reference/actuator/endpoints.html#actuator.endpoints.info.git-commit-information
 * 7. flat JSON `{ version, commit }` (the commit may also be called `sha`,
 *    `gitCommit` or `revision`);
 * 8. plain text, first line: a version (`1.4.2`), or a version and a commit
 *    (`v1.4.2 (abc1234)`, `v1.4.2 abc1234`).
 */
import { readPath } from './json-pointer.ts';

/** What a version endpoint reported. */
export interface VersionReport {
  version: string | null;
  commit: string | null;
  /** Which shape matched, for progress lines and tests. */
  shape: 'paths' | 'kubernetes' | 'prometheus' | 'pascal-case' | 'git-properties' | 'spring-boot' | 'flat' | 'plain-text';
}

export type ParseResult = { ok: true; report: VersionReport } | { ok: false; reason: string };

export interface ParseOptions {
  /** Where the version is in a JSON body: a JSON Pointer (`/build/version`) or a dotted path (`build.version`). */
  versionPath?: string | undefined;
  /** Where the commit is in a JSON body: a JSON Pointer (`/git.commit.id`) or a dotted path. */
  commitPath?: string | undefined;
}

/** A version label: `2.4.1`, `v2.4.1-rc.1+build.7`, `2026.03.14`, `1.2`. */
const VERSION_TEXT = /^v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$/;
/** A (possibly abbreviated) git commit sha. */
const COMMIT = /^[0-9a-f]{7,64}$/i;
/** A version read from a JSON field: any short label without spaces or control characters. */
const VERSION_FIELD = /^[\x21-\x7e]{1,128}$/;

const COMMIT_KEYS = ['commit', 'sha', 'gitCommit', 'revision'] as const;

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

const none: Candidate = { version: null, commit: null };

/** The first of `paths` that holds a usable value. */
const first = <T>(json: unknown, paths: readonly string[], as: (v: unknown) => T | null): T | null => {
  for (const path of paths) {
    const value = as(readPath(json, path));
    if (value !== null) return value;
  }
  return null;
};

/** Built-in shapes, most specific first: a shape is only taken when its own signature field is there. */
const SHAPES: { shape: VersionReport['shape']; name: string; read: (json: unknown) => Candidate }[] = [
  {
    shape: 'kubernetes',
    name: 'Kubernetes /version',
    read: (json) => (readPath(json, '/gitVersion') === undefined ? none : { version: asVersion(readPath(json, '/gitVersion')), commit: asCommit(readPath(json, '/gitCommit')) }),
  },
  {
    shape: 'prometheus',
    name: 'Prometheus buildinfo',
    read: (json) => (readPath(json, '/data/version') === undefined ? none : { version: asVersion(readPath(json, '/data/version')), commit: asCommit(readPath(json, '/data/revision')) }),
  },
  {
    shape: 'pascal-case',
    name: '{Version, Commit}',
    read: (json) =>
      readPath(json, '/Version') === undefined && readPath(json, '/Commit') === undefined
        ? none
        : { version: asVersion(readPath(json, '/Version')), commit: first(json, ['/Commit', '/GitCommit', '/Sha', '/Revision'], asCommit) },
  },
  {
    shape: 'git-properties',
    name: 'git.json',
    read: (json) => ({ version: first(json, ['/git.build.version'], asVersion), commit: first(json, ['/git.commit.id', '/git.commit.id.full', '/git.commit.id.abbrev'], asCommit) }),
  },
  {
    shape: 'spring-boot',
    name: 'Spring Boot actuator info',
    read: (json) => ({ version: asVersion(readPath(json, '/build/version')), commit: asCommit(readPath(json, '/git/commit/id')) }),
  },
  {
    shape: 'flat',
    name: '{version, commit}',
    read: (json) => ({
      version: asVersion(readPath(json, '/version')),
      commit: first(json, COMMIT_KEYS.map((key) => `/${key}`), asCommit),
    }),
  },
];

function fromJson(json: unknown, options: ParseOptions): { report: VersionReport | null; tried: string[] } {
  const tried: string[] = [];
  const { versionPath, commitPath } = options;
  const version = versionPath ? asVersion(readPath(json, versionPath)) : null;
  const commit = commitPath ? asCommit(readPath(json, commitPath)) : null;
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

/** `v1.4.2 (abc1234)` or `v1.4.2 abc1234`: a version, then a commit. */
const VERSION_AND_COMMIT = /^(\S+)\s+\(?([0-9a-f]{7,64})\)?$/i;

function fromPlainText(body: string): VersionReport | null {
  const firstLine = (body.split(/\r?\n/, 1)[0] ?? '').trim();
  if (VERSION_TEXT.test(firstLine)) return { version: firstLine, commit: null, shape: 'plain-text' };
  const pair = VERSION_AND_COMMIT.exec(firstLine);
  if (pair && VERSION_TEXT.test(pair[1]!)) return { version: pair[1]!, commit: pair[2]!.toLowerCase(), shape: 'plain-text' };
  return null;
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
    tried.push('plain text version, or version and commit (first line)');
  }
  return { ok: false, reason: `unparsable body (tried: ${tried.join('; ')})` };
}
