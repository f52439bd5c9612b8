import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerWriteError } from '../../src/errors.ts';
import {
  appendSnapshot,
  listSnapshotIds,
  readHead,
  readSnapshot,
  serializeSnapshot,
  snapshotHash,
  verifyLedger,
} from '../../src/ledger/index.ts';
import { buildChain, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { folderState, messageOf, useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();

/** A pid that surely belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('appendSnapshot', () => {
  it('writes a hash-chained ledger, one canonical file per snapshot', async () => {
    const dir = await tempDir();
    const { ids, snapshots, hashes } = await buildChain(dir, 3);
    expect(ids).toEqual(['2026-03-10T020000Z', '2026-03-11T020000Z', '2026-03-12T020000Z']);
    expect(await listSnapshotIds(dir)).toEqual(ids);
    expect(Object.keys(await folderState(dir))).toEqual(ids.map((id) => `${id}.json`));
    for (const [i, snapshot] of snapshots.entries()) {
      expect(await readFile(path.join(dir, `${ids[i]}.json`), 'utf8')).toBe(serializeSnapshot(snapshot));
      expect(hashes[i]).toBe(snapshotHash(snapshot));
      expect(snapshot.previous).toEqual(i === 0 ? null : { id: ids[i - 1], sha256: hashes[i - 1] });
    }
    expect(await readHead(dir)).toEqual({ snapshot: snapshots[2], sha256: hashes[2] });
    expect(await readSnapshot(dir, ids[1]!)).toEqual(snapshots[1]);
    expect(await verifyLedger(dir)).toEqual({ ok: true, count: 3, head: { id: ids[2], sha256: hashes[2] }, checked: 3 });
  });

  it('returns the file written and its hash, and creates the folder', async () => {
    const dir = path.join(await tempDir(), 'deep', 'er');
    const snapshot = buildSnapshot();
    expect(await appendSnapshot(dir, snapshot)).toEqual({ file: path.join(dir, '2026-03-14T020000Z.json'), sha256: snapshotHash(snapshot) });
  });

  it('refuses a snapshot whose id exists, leaving the ledger byte-identical', async () => {
    const dir = await tempDir();
    const { snapshots, hashes } = await buildChain(dir, 2);
    const before = await folderState(dir);
    const again = buildSnapshot({ takenAt: snapshots[1]!.takenAt, previous: { id: snapshots[1]!.id, sha256: hashes[1]! }, name: 'Rewritten' });
    const attempt = appendSnapshot(dir, again);
    await expect(attempt).rejects.toBeInstanceOf(LedgerWriteError);
    expect(await messageOf(appendSnapshot(dir, again), dir)).toMatchInlineSnapshot(
      `"LedgerWriteError: <dir>/2026-03-11T020000Z.json already exists; a snapshot is written once and never rewritten — take the new one at a later time (nothing written)"`,
    );
    expect(await folderState(dir)).toEqual(before);
  });

  it('refuses a snapshot older than the head', async () => {
    const dir = await tempDir();
    const { ids, hashes } = await buildChain(dir, 2);
    const before = await folderState(dir);
    const older = buildSnapshot({ takenAt: '2026-03-10T12:00:00Z', previous: { id: ids[1]!, sha256: hashes[1]! } });
    expect(await messageOf(appendSnapshot(dir, older), dir)).toMatchInlineSnapshot(
      `"LedgerWriteError: snapshot 2026-03-10T120000Z is older than the ledger head 2026-03-11T020000Z; snapshots are appended in time order, so its time must be after 2026-03-11T020000Z (nothing written)"`,
    );
    expect(await folderState(dir)).toEqual(before);
  });

  it('refuses a snapshot that does not chain to the head', async () => {
    const dir = await tempDir();
    const { ids, hashes } = await buildChain(dir, 2);
    const before = await folderState(dir);
    const takenAt = '2026-03-14T02:00:00Z';
    const wrongHash = buildSnapshot({ takenAt, previous: { id: ids[1]!, sha256: 'a'.repeat(64) } });
    const wrongId = buildSnapshot({ takenAt, previous: { id: ids[0]!, sha256: hashes[0]! } });
    const none = buildSnapshot({ takenAt, previous: null });
    const message = await messageOf(appendSnapshot(dir, wrongHash), dir);
    expect(message.replace(hashes[1]!.slice(0, 12), '<head>')).toMatchInlineSnapshot(
      `"LedgerWriteError: snapshot 2026-03-14T020000Z chains to 2026-03-11T020000Z (sha256 aaaaaaaaaaaa…), but the ledger head is 2026-03-11T020000Z (sha256 <head>…); take previous from readHead() (nothing written)"`,
    );
    await expect(appendSnapshot(dir, wrongId)).rejects.toThrow(/chains to 2026-03-10T020000Z .* but the ledger head is 2026-03-11T020000Z/);
    await expect(appendSnapshot(dir, none)).rejects.toThrow(/has previous: null, but the ledger head is 2026-03-11T020000Z; set previous to \{ id: "2026-03-11T020000Z", sha256: "[0-9a-f]{64}" \}/);
    expect(await folderState(dir)).toEqual(before);
  });

  it('refuses a first snapshot that names a predecessor, an id that is not its takenAt, and a schema-invalid one', async () => {
    const dir = await tempDir();
    const invalid = { ...buildSnapshot(), deployments: [{ ...buildSnapshot().deployments[0]!, version: 7 }] };
    expect(await messageOf(appendSnapshot(dir, invalid as never), dir)).toMatchInlineSnapshot(
      `"LedgerWriteError: snapshot 2026-03-14T020000Z does not match the snapshot schema at deployments[0].version: Invalid input: expected string, received number (nothing written)"`,
    );
    expect(await folderState(path.dirname(dir))).toEqual({});
    const chained = buildSnapshot({ previous: { id: '2026-03-13T020000Z', sha256: 'b'.repeat(64) } });
    expect(await messageOf(appendSnapshot(dir, chained), dir)).toMatchInlineSnapshot(
      `"LedgerWriteError: snapshot 2026-03-14T020000Z chains to 2026-03-13T020000Z, but <dir> has no snapshots; the first snapshot of a ledger has previous: null (nothing written)"`,
    );
    const mismatched = { ...buildSnapshot(), id: '2026-03-14T030000Z' };
    expect(await messageOf(appendSnapshot(dir, mismatched), dir)).toMatchInlineSnapshot(
      `"LedgerWriteError: snapshot 2026-03-14T030000Z has takenAt 2026-03-14T02:00:00Z, whose id is 2026-03-14T020000Z; the id must be the UTC time it was taken (nothing written)"`,
    );
    expect(await folderState(dir)).toEqual({});
  });

  it('refuses while another append holds the lock (here: one in this process, paused once it holds it)', async () => {
    const dir = await tempDir();
    let resume!: () => void;
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const first = appendSnapshot(dir, buildSnapshot(), {
      onStep: (step) => (step === 'locked' ? (locked(), new Promise<void>((resolve) => (resume = resolve))) : undefined),
    });
    await holding;
    const message = await messageOf(appendSnapshot(dir, buildSnapshot({ takenAt: '2026-03-14T03:00:00Z' })), dir);
    expect(message.replace(String(process.pid), '<pid>')).toMatchInlineSnapshot(
      `"LedgerWriteError: another append is in progress (pid <pid> holds <dir>/.release-ledger.lock); wait for it to finish, or delete that file if no collect is running (nothing written)"`,
    );
    resume();
    await first;
    expect(await listSnapshotIds(dir)).toEqual(['2026-03-14T020000Z']);
  });

  it('clears a dead process’s lock and temp files, and readers ignore them and other files', async () => {
    const dir = await tempDir();
    await buildChain(dir, 1);
    const pid = deadPid();
    await writeFile(path.join(dir, '.release-ledger.lock'), `${pid}\n`);
    await writeFile(path.join(dir, `.2026-03-11T020000Z.json.${pid}.1.tmp`), '{"half": ');
    await writeFile(path.join(dir, '.gitkeep'), '');
    await writeFile(path.join(dir, 'README.md'), 'notes');
    expect(await listSnapshotIds(dir)).toEqual(['2026-03-10T020000Z']);
    expect((await verifyLedger(dir)).ok).toBe(true);

    const head = (await readHead(dir))!;
    await appendSnapshot(dir, buildSnapshot({ takenAt: '2026-03-11T02:00:00Z', previous: { id: head.snapshot.id, sha256: head.sha256 } }));
    expect(Object.keys(await folderState(dir))).toEqual(['.gitkeep', '2026-03-10T020000Z.json', '2026-03-11T020000Z.json', 'README.md']);
  });
});

describe('reading', () => {
  it('treats a missing folder as an empty ledger', async () => {
    const dir = await tempDir();
    expect(await listSnapshotIds(dir)).toEqual([]);
    expect(await readHead(dir)).toBeNull();
  });

  it('names the file when a snapshot is missing, not JSON, or not a snapshot', async () => {
    const dir = await tempDir();
    await buildChain(dir, 1);
    expect(await messageOf(readSnapshot(dir, '2026-01-01T000000Z'), dir)).toMatchInlineSnapshot(
      `"LedgerError: no snapshot 2026-01-01T000000Z in <dir>; list the ledger to see which ids exist"`,
    );
    await writeFile(path.join(dir, '2026-03-11T020000Z.json'), '{"id": ');
    expect(await messageOf(readSnapshot(dir, '2026-03-11T020000Z'), dir)).toMatchInlineSnapshot(
      `"LedgerError: <dir>/2026-03-11T020000Z.json is not valid JSON (Unexpected end of JSON input): it may be truncated or edited; restore it from git"`,
    );
    await writeFile(path.join(dir, '2026-03-12T020000Z.json'), '{"id": "2026-03-12T020000Z"}\n');
    expect(await messageOf(readHead(dir), dir)).toMatchInlineSnapshot(
      `"LedgerError: <dir>/2026-03-12T020000Z.json does not match the snapshot schema at schemaVersion: Invalid input: expected 1 (and 16 more); run \`release-ledger verify\`"`,
    );
  });
});
