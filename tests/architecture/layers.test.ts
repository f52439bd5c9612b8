/**
 * The folders are the flow (docs/architecture.md): a lower layer never
 * imports a higher one, so each decision has one home below everything that
 * asks it. Checked from the import statements of every source file, as
 * Starlight checks its own imports.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Lowest first. A file may import its own layer and any below it. */
const LAYERS: { name: string; holds: (file: string) => boolean }[] = [
  { name: 'errors', holds: (f) => f === 'src/errors.ts' },
  { name: 'model', holds: (f) => f.startsWith('src/model/') },
  // One folder a source (collectors/<source>/): its I/O and its pure parsers side by side; collectors/shared/ is what several sources use.
  { name: 'sources', holds: (f) => f.startsWith('collectors/') },
  { name: 'snapshot', holds: (f) => f.startsWith('src/snapshot/') },
  { name: 'rules', holds: (f) => f.startsWith('src/rules/') },
  { name: 'ledger', holds: (f) => f.startsWith('src/ledger/') },
  // Beside each other: assembling a snapshot, the views of it, the text report, init and the generated docs.
  { name: 'collect, views, report, init, docs', holds: (f) => /^src\/(collect|views|report|init|docs|export)\//.test(f) },
  { name: 'site', holds: (f) => /^src\/(site|components|pages|layouts)\//.test(f) },
  { name: 'cli', holds: (f) => f.startsWith('src/cli/') },
];

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.holds(file));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(ts|astro|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

/** Relative imports of a file (static, dynamic and type-only), resolved to repository paths. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

describe('layering', () => {
  it('every source file belongs to a layer', async () => {
    const files = [...(await sourceFiles('src')), ...(await sourceFiles('collectors'))].filter((f) => !f.startsWith('src/styles/'));
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no lower layer imports a higher one', async () => {
    const files = [...(await sourceFiles('src')), ...(await sourceFiles('collectors'))].filter((f) => layerOf(f) >= 0);
    const upward: string[] = [];
    for (const file of files) {
      for (const target of await importsOf(file)) {
        const to = layerOf(target);
        if (to > layerOf(file)) upward.push(`${file} (${LAYERS[layerOf(file)]!.name}) imports ${target} (${LAYERS[to]!.name})`);
      }
    }
    expect(upward).toEqual([]);
    expect(files.length).toBeGreaterThan(100);
  });
});
