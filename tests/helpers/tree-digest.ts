import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Every file under `dir` (relative path, sorted) with the sha256 of its bytes: two sites compare byte for byte. */
export async function treeDigest(dir: string): Promise<Record<string, string>> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const entries: [string, string][] = [];
  for (const f of files) {
    const file = path.join(f.parentPath, f.name);
    entries.push([path.relative(dir, file), createHash('sha256').update(await readFile(file)).digest('hex')]);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}
