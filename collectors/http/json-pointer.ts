/**
 * Addresses into a version endpoint's JSON body. A path that starts with `/`
 * is a JSON Pointer (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901):
 * each `/`-separated token is one key, so `/git.commit.id` reads the literal
 * key `git.commit.id` (the git-commit-id plugin's `git.json`), `~1` stands
 * for `/` and `~0` for `~`, and `/items/0` is the first element of a list.
 * Any other path is the older dotted form (`build.version`), split on every
 * dot; configurations written with it keep working. The config schema
 * (src/model/config.ts) refuses a pointer with a bad `~` escape. No I/O.
 */

/** The tokens of a path: a JSON Pointer's unescaped tokens, or a dotted path's segments. */
function tokens(path: string): string[] {
  if (!path.startsWith('/')) return path.split('.');
  // RFC 6901 §4: `~1` first, then `~0`, so `~01` stays `~1`.
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `path` in parsed JSON, or undefined. Array elements by decimal index without leading zeros (RFC 6901 §4). */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current: unknown = value;
  for (const token of tokens(path)) {
    if (Array.isArray(current)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.hasOwn(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
