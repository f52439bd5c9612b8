/**
 * The generator fingerprint: what, besides the ledger, decides the bytes of
 * a page. A change to any of it renders every page again; anything else (the
 * collectors, the CLI, `init`'s templates, the tests) leaves the site's past
 * days as they are (docs/site.md, "Incremental builds").
 *
 * What the pages are made of is found, not listed: every file of the site
 * layer (src/site, src/pages, src/components, src/layouts, src/styles) and
 * `public/`, and every module they import, followed through relative
 * imports (the views reach into the ledger's diffs, the rules' version
 * parsing, the model). Plus the release-ledger version, the cache format and
 * the locked dependencies.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GENERATOR_VERSION, SITE_ROOT } from './config.ts';

const SITE_LAYER = ['src/site', 'src/pages', 'src/components', 'src/layouts', 'src/styles', 'public'];
const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The repository files the pages are made of, sorted (paths relative to the project root, with `/`). */
export async function pageSources(root: string = SITE_ROOT): Promise<string[]> {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const dir of SITE_LAYER) {
    const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isFile()) queue.push(path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  }
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|mjs|js|astro)$/.test(file)) continue;
    const text = await readFile(path.join(root, file), 'utf8').catch(() => '');
    for (const match of text.matchAll(IMPORT)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]!));
      if (!target.startsWith('..') && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** The fingerprint over `pageSources()`, the version, the cache format, `extra` (site options) and the locked dependencies. */
export async function generatorFingerprint(extra: unknown, format: number): Promise<string> {
  const hash = createHash('sha256').update(`release-ledger ${GENERATOR_VERSION} format ${format}\n${JSON.stringify(extra)}\n`);
  const files = [...(await pageSources()), 'package-lock.json'];
  for (const file of files) {
    const bytes = await readFile(path.join(SITE_ROOT, file)).catch(() => Buffer.alloc(0));
    hash.update(`${file}\0${createHash('sha256').update(bytes).digest('hex')}\n`);
  }
  return hash.digest('hex');
}
