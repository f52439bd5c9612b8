/**
 * A second read of a snapshot whose bytes an earlier read validated skips
 * the schema pass only for those very bytes, and only when the validated
 * snapshot is the parsed JSON as it is (store.ts `readSnapshotFile`).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSnapshotFile } from '../../src/ledger/index.ts';
import { buildChain } from '../helpers/snapshot-builder.ts';
import { useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('readSnapshotFile: vouched reads', () => {
  it('vouches for a written snapshot: its bytes hash, and it is plain', async () => {
    const dir = await tempDir();
    const { ids, snapshots } = await buildChain(dir, 2);
    const read = await readSnapshotFile(dir, ids[1]!, undefined, { vouch: true });
    expect(read.fileSha256).toBe(sha(await readFile(path.join(dir, `${ids[1]}.json`))));
    expect(read.plain).toBe(true);
    // The same bytes again: parsed without the schema pass, the same data.
    const again = await readSnapshotFile(dir, ids[1]!, undefined, { validatedSha256: read.fileSha256! });
    expect(again.snapshot).toEqual(snapshots[1]);
    expect(again.sha256).toBe(read.sha256);
  });

  it('does not vouch for a file the schema fills a default into', async () => {
    const dir = await tempDir();
    const { ids } = await buildChain(dir, 1);
    const file = path.join(dir, `${ids[0]}.json`);
    const raw = JSON.parse(await readFile(file, 'utf8')) as { deployments: Record<string, unknown>[] };
    // An older snapshot without `approvals` on a deployment: the schema fills in [].
    delete raw.deployments[0]!.approvals;
    await writeFile(file, JSON.stringify(raw, null, 2));
    const read = await readSnapshotFile(dir, ids[0]!, undefined, { vouch: true });
    expect(read.snapshot.deployments[0]!.approvals).toEqual([]);
    expect(read.plain).toBe(false);
  });

  it('validates bytes that differ from the ones vouched for', async () => {
    const dir = await tempDir();
    const { ids } = await buildChain(dir, 1);
    const file = path.join(dir, `${ids[0]}.json`);
    const vouched = (await readSnapshotFile(dir, ids[0]!, undefined, { vouch: true })).fileSha256!;
    // Valid JSON the schema refuses, written after the first read.
    const raw = JSON.parse(await readFile(file, 'utf8')) as { deployments: Record<string, unknown>[] };
    raw.deployments[0]!.version = 42;
    await writeFile(file, JSON.stringify(raw, null, 2));
    await expect(readSnapshotFile(dir, ids[0]!, undefined, { validatedSha256: vouched })).rejects.toThrow(/does not match the snapshot schema at deployments\[0\]\.version/);
  });
});
