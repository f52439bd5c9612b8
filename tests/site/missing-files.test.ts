/**
 * `missingFiles` (src/site/output.ts): which kept files of a night are gone,
 * checked on a worker thread while Astro renders (a page deleted by hand
 * makes a full build: tests/site/output.test.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingFiles } from '../../src/site/output.ts';

describe('missingFiles', () => {
  it('names exactly the files that are not there, in the order asked', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'rl-missing-'));
    try {
      const files = Array.from({ length: 300 }, (_, i) => `days/2026-03-${String((i % 28) + 1).padStart(2, '0')}/services/svc-${i}/index.html`);
      for (const file of files) {
        await mkdir(path.dirname(path.join(root, file)), { recursive: true });
        await writeFile(path.join(root, file), 'x');
      }
      expect(await missingFiles(root, files)).toEqual([]);
      await rm(path.join(root, files[17]!));
      await rm(path.dirname(path.join(root, files[250]!)), { recursive: true });
      expect(await missingFiles(root, [...files, 'index.html'])).toEqual([files[17], files[250], 'index.html']);
      expect(await missingFiles(path.join(root, 'nowhere'), files.slice(0, 2))).toEqual(files.slice(0, 2));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
