/**
 * Looking for secrets in written files, shared by the secrets cases: every
 * file of a folder as text (gzip files also decompressed), and which owners'
 * needles appear in them, in one pass per file over 8-character windows
 * (needles shorter than 8 characters are ignored).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface TextFile {
  file: string;
  text: string;
}

/** Every file under `dir` as text; gzip files (pagefind fragments) are also read decompressed. */
export async function readTree(dir: string): Promise<TextFile[]> {
  const out: TextFile[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    out.push({ file, text: bytes.toString('utf8') });
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        out.push({ file: `${file} (gunzipped)`, text: gunzipSync(bytes).toString('utf8') });
      } catch {
        // not gzip after all
      }
    }
  }
  return out;
}

/** Each owner whose needles appear in `files`, with where (the first place found). */
export function findNeedles<T>(owners: readonly T[], needlesOf: (owner: T) => string[], files: readonly TextFile[]): { owner: T; where: string }[] {
  const byPrefix = new Map<string, { needle: string; owner: T }[]>();
  for (const owner of owners) {
    for (const needle of needlesOf(owner)) {
      if (needle.length < 8) continue;
      const prefix = needle.slice(0, 8);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), { needle, owner }]);
    }
  }
  const found = new Map<T, string>();
  for (const { file, text } of files) {
    for (let i = 0; i + 8 <= text.length; i++) {
      const candidates = byPrefix.get(text.slice(i, i + 8));
      if (!candidates) continue;
      for (const { needle, owner } of candidates) if (!found.has(owner) && text.startsWith(needle, i)) found.set(owner, `${file} (as ${JSON.stringify(needle.length > 40 ? `${needle.slice(0, 40)}…` : needle)})`);
    }
  }
  return [...found].map(([owner, where]) => ({ owner, where }));
}
