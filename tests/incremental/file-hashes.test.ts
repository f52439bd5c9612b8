/**
 * `/snapshots/` lists each file's sha256; a nightly build hashes only new or
 * changed files (src/site/incremental.ts `ledgerFacts`, `ledger-files.json`).
 */
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSnapshotIds, sha256Hex } from '../../src/ledger/index.ts';
import { groupOf, ledgerFacts } from '../../src/site/incremental.ts';
import { buildChain } from '../helpers/snapshot-builder.ts';
import { useTempDirs } from '../ledger/temp-ledger.ts';

const tempDir = useTempDirs();

describe('file hashes for /snapshots/', () => {
  it('hashes every file without a cache, and with one only files whose size, mtime or inode changed', async () => {
    const dir = await tempDir();
    await buildChain(dir, 3);
    const ids = await listSnapshotIds(dir);
    const truth = async (id: string) => sha256Hex(await readFile(path.join(dir, `${id}.json`)));
    const cold = await ledgerFacts(dir, ids);
    for (const id of ids) expect(cold.files.get(id)).toEqual({ sha256: await truth(id), bytes: (await readFile(path.join(dir, `${id}.json`))).length });

    const cacheDir = path.join(path.dirname(dir), 'cache');
    await ledgerFacts(dir, ids, cacheDir);
    // Mark the cached hash of an unchanged file: the next build takes it from the cache, not the file.
    const cacheFile = path.join(cacheDir, 'ledger-files.json');
    const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, { sha256: string }>;
    cache[ids[0]!]!.sha256 = 'f'.repeat(64);
    await writeFile(cacheFile, JSON.stringify(cache));
    expect((await ledgerFacts(dir, ids, cacheDir)).files.get(ids[0]!)!.sha256).toBe('f'.repeat(64));
    // A file touched since (a new mtime) is hashed again.
    await utimes(path.join(dir, `${ids[0]}.json`), new Date(), new Date(Date.now() + 5_000));
    expect((await ledgerFacts(dir, ids, cacheDir)).files.get(ids[0]!)!.sha256).toBe(await truth(ids[0]!));
  });

  it('groups only the copies /snapshots/ID.json.gz and /snapshots/ID.json by snapshot; the index pages are rendered on every build', () => {
    expect(groupOf('snapshots/2026-03-14T020000Z.json.gz')).toBe('snapshots/2026-03-14T020000Z');
    expect(groupOf('snapshots/2026-03-14T020000Z.json')).toBe('snapshots/2026-03-14T020000Z');
    expect(groupOf('snapshots/index.json')).toBe('always');
    expect(groupOf('snapshots/index.html')).toBe('always');
  });
});
