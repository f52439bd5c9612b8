/**
 * File patterns of a gitops source (`environments/{environment}/{service}/values.yaml`)
 * turned into repository paths. Every path is checked to stay inside the
 * repository, and only files that exist in the commit's tree are ever read,
 * so neither a pattern nor a name can reach outside it.
 */
import picomatch from 'picomatch';

const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;
const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export type Expanded = { ok: true; path: string; glob: boolean } | { ok: false; reason: string };

/**
 * Substitutes `{environment}` and `{service}` and validates the result: a
 * relative path with no `.`/`..` or empty segments. Glob characters left after
 * substitution (`*`, `?`, `[…]`, `{a,b}`) are matched with picomatch.
 */
export function expandPattern(pattern: string, values: { environment: string; service: string }): Expanded {
  for (const [placeholder, name] of pattern.matchAll(PLACEHOLDER)) {
    if (name !== 'environment' && name !== 'service') return { ok: false, reason: `pattern "${pattern}" has an unknown placeholder ${placeholder}; use {environment} or {service}` };
  }
  for (const [name, value] of Object.entries(values)) {
    if (!SAFE_VALUE.test(value)) return { ok: false, reason: `${name} "${value}" cannot be used in a path (letters, digits, ".", "_", "-")` };
  }
  const path = pattern.replaceAll('{environment}', values.environment).replaceAll('{service}', values.service);
  const segments = path.split('/');
  if (path.startsWith('/') || /[\\\0]/.test(path) || /^[A-Za-z]:/.test(path) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return { ok: false, reason: `pattern "${pattern}" gives "${path}", which is not a plain relative path inside the repository` };
  }
  return { ok: true, path, glob: picomatch.scan(path).isGlob };
}

/** The repository files (from `git ls-tree`) a resolved path names, sorted. */
export function selectFiles(expanded: { path: string; glob: boolean }, files: ReadonlySet<string>): string[] {
  if (!expanded.glob) return files.has(expanded.path) ? [expanded.path] : [];
  const isMatch = picomatch(expanded.path, { dot: false });
  return [...files].filter((f) => isMatch(f)).sort();
}
