import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, serializeSnapshot, sha256Hex, snapshotHash, verifyLedger, verifySnapshotFile, type VerifyResult } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { buildChain, buildDeployment, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();

/** Four chained snapshots, 2026-03-10 … 2026-03-13 at 02:00Z. */
async function ledger() {
  const dir = await tempDir();
  const chain = await buildChain(dir, 4);
  const file = (i: number) => path.join(dir, `${chain.ids[i]}.json`);
  const text = (i: number) => readFile(file(i), 'utf8');
  return { dir, ...chain, file, text };
}

/** The failure as `<file name>: <reason>`, so inline snapshots do not contain temp paths. */
function failure(result: VerifyResult): string {
  if (result.ok) return `ok (${result.count})`;
  return `${path.basename(result.file)}: ${result.reason}`;
}

describe('verifyLedger', () => {
  it('accepts an empty or missing ledger', async () => {
    const dir = await tempDir();
    expect(await verifyLedger(dir)).toEqual({ ok: true, count: 0, head: null, checked: 0 });
  });

  it('reports the head and its hash, the sha256 of its canonical JSON', async () => {
    const l = await ledger();
    const result = await verifyLedger(l.dir);
    expect(result).toEqual({ ok: true, count: 4, head: { id: '2026-03-13T020000Z', sha256: l.hashes[3] }, checked: 4 });
    expect(l.hashes[3]).toBe(sha256Hex(canonicalJson(JSON.parse(await l.text(3)))));
  });

  it('names a middle snapshot whose content changed by one byte, not its successor', async () => {
    const l = await ledger();
    const original = await l.text(1);
    expect(original).toContain('"version": "1.1.0"');
    await writeFile(l.file(1), original.replace('"version": "1.1.0"', '"version": "1.1.1"'));
    const result = await verifyLedger(l.dir);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ count: 4, file: l.file(1) });
    expect(failure(result)).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: content does not match the sha256 recorded by 2026-03-12T020000Z.json: this file was altered after it was written"`,
    );
  });

  it('names a snapshot whose own recorded hash of its predecessor was edited', async () => {
    const l = await ledger();
    const original = await l.text(2);
    const hash = l.hashes[1]!;
    const edited = hash.slice(0, 10) + (hash[10] === '0' ? '1' : '0') + hash.slice(11);
    await writeFile(l.file(2), original.replace(hash, edited));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-12T020000Z.json: its record of 2026-03-11T020000Z.json's sha256 does not match that file, and its own content does not match the sha256 recorded by 2026-03-13T020000Z.json: this file was altered after it was written"`,
    );
  });

  it('needs the anchored head hash to tell an edited head from an altered predecessor', async () => {
    const l = await ledger();
    const hash = l.hashes[2]!;
    await writeFile(l.file(3), (await l.text(3)).replace(hash, hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0')));
    // Alone, the break between 2 and 3 is read as 2 having changed (the usual tampering) …
    expect(await verifyLedger(l.dir)).toMatchObject({ ok: false, file: l.file(2) });
    // … but the head no longer matches its anchored hash, so the head is the altered file.
    expect(failure(await verifyLedger(l.dir, { expectedHead: l.hashes[3]! }))).toMatchInlineSnapshot(`"2026-03-13T020000Z.json: its record of 2026-03-12T020000Z.json's sha256 does not match that file, and its own content does not match the sha256 expected for the head: this file was altered after it was written"`);
  });

  it('names a file whose whitespace changed, though its hash did not', async () => {
    const l = await ledger();
    const original = await l.text(1);
    const line = original.split('\n').findIndex((text) => text.startsWith('  "name": ')) + 1;
    await writeFile(l.file(1), original.replace('"name": "Acme Payments",', '"name":  "Acme Payments",'));
    expect(failure(await verifyLedger(l.dir)).replace(` line ${line})`, ' line <name>)')).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: is not in canonical form (first difference on line <name>): it was edited after it was written (whitespace and key order count); restore it from git"`,
    );
    await writeFile(l.file(1), `${(await l.text(1)).replace('"name":  "Acme Payments",', '"name": "Acme Payments",')}\n`);
    expect(failure(await verifyLedger(l.dir))).toMatch(/^2026-03-11T020000Z\.json: is not in canonical form \(first difference on line \d+\)/);
  });

  it('names the successor of a deleted snapshot', async () => {
    const l = await ledger();
    await rm(l.file(1));
    const result = await verifyLedger(l.dir);
    expect(result).toMatchObject({ ok: false, count: 3 });
    expect(failure(result)).toMatchInlineSnapshot(
      `"2026-03-12T020000Z.json: records 2026-03-11T020000Z.json as its predecessor, but that file is missing: a snapshot was deleted (the file before it is now 2026-03-10T020000Z.json)"`,
    );
  });

  it('names the new first file when the first snapshots were deleted', async () => {
    const l = await ledger();
    await rm(l.file(0));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: records 2026-03-10T020000Z.json as its predecessor, but that file is missing: earlier snapshots were deleted"`,
    );
  });

  it('names the first of two files whose contents were swapped', async () => {
    const l = await ledger();
    const [one, two] = [await l.text(1), await l.text(2)];
    await writeFile(l.file(1), two);
    await writeFile(l.file(2), one);
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: contains snapshot 2026-03-12T020000Z, not 2026-03-11T020000Z: the file was renamed, or its content swapped with another snapshot's"`,
    );
  });

  it('names a file renamed to another time', async () => {
    const l = await ledger();
    await rename(l.file(3), path.join(l.dir, '2026-03-20T020000Z.json'));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-20T020000Z.json: contains snapshot 2026-03-13T020000Z, not 2026-03-20T020000Z: the file was renamed, or its content swapped with another snapshot's"`,
    );
  });

  it('names a valid-looking snapshot inserted into the chain', async () => {
    const l = await ledger();
    const inserted = buildSnapshot({ takenAt: '2026-03-11T12:00:00Z', previous: { id: l.ids[1]!, sha256: l.hashes[1]! } });
    await writeFile(path.join(l.dir, `${inserted.id}.json`), serializeSnapshot(inserted));
    const result = await verifyLedger(l.dir);
    expect(result).toMatchObject({ ok: false, count: 5, file: path.join(l.dir, '2026-03-11T120000Z.json') });
    expect(failure(result)).toMatchInlineSnapshot(
      `"2026-03-11T120000Z.json: is not in the hash chain: 2026-03-12T020000Z.json records 2026-03-11T020000Z.json as its predecessor, so this file was inserted after the chain was written"`,
    );
  });

  it('names an inserted snapshot whose recorded hash is wrong, not the predecessor it names', async () => {
    const l = await ledger();
    const inserted = buildSnapshot({ takenAt: '2026-03-11T12:00:00Z', previous: { id: l.ids[1]!, sha256: 'c'.repeat(64) } });
    await writeFile(path.join(l.dir, `${inserted.id}.json`), serializeSnapshot(inserted));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-11T120000Z.json: is not in the hash chain: 2026-03-12T020000Z.json records 2026-03-11T020000Z.json as its predecessor, so this file was inserted after the chain was written"`,
    );
  });

  it('names a truncated or emptied file', async () => {
    const l = await ledger();
    const original = await l.text(2);
    await writeFile(l.file(2), original.slice(0, original.length / 2));
    expect(failure(await verifyLedger(l.dir))).toMatch(
      /^2026-03-12T020000Z\.json: is not valid JSON \(.+\): it may be truncated or edited; restore it from git$/,
    );
    await writeFile(l.file(2), '');
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-12T020000Z.json: is empty: it was truncated or never finished writing; restore it from git"`,
    );
  });

  it('names a file that is canonical JSON but not a valid snapshot', async () => {
    const l = await ledger();
    const raw = JSON.parse(await l.text(1)) as Snapshot;
    (raw.deployments[0] as { commit: unknown }).commit = 42;
    await writeFile(l.file(1), serializeSnapshot(raw));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: does not match the snapshot schema at deployments[0].commit: Invalid input: expected string, received number: it was altered, or written by an incompatible tool"`,
    );
  });

  it('names a snapshot whose takenAt was moved', async () => {
    const l = await ledger();
    await writeFile(l.file(3), (await l.text(3)).replace('"takenAt": "2026-03-13T02:00:00Z"', '"takenAt": "2026-03-13T03:00:00Z"'));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-13T020000Z.json: takenAt 2026-03-13T03:00:00Z does not match its id 2026-03-13T020000Z: the time was altered after it was written"`,
    );
  });

  it('names a forged snapshot correctly chained to its predecessor (re-chained forgery)', async () => {
    const l = await ledger();
    const forged = buildSnapshot({
      takenAt: l.snapshots[1]!.takenAt,
      previous: { id: l.ids[0]!, sha256: l.hashes[0]! },
      deployments: [buildDeployment({ service: 'api', environment: 'prod', version: '9.9.9', deployedBy: 'mallory' })],
    });
    await writeFile(l.file(1), serializeSnapshot(forged));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-11T020000Z.json: content does not match the sha256 recorded by 2026-03-12T020000Z.json: this file was altered after it was written"`,
    );
  });

  it('names the successor when a forgery also rewrote the successor’s recorded hash', async () => {
    const l = await ledger();
    const forged = buildSnapshot({ takenAt: l.snapshots[1]!.takenAt, previous: { id: l.ids[0]!, sha256: l.hashes[0]! }, name: 'Forged' });
    await writeFile(l.file(1), serializeSnapshot(forged));
    await writeFile(l.file(2), (await l.text(2)).replace(l.hashes[1]!, snapshotHash(forged)));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-12T020000Z.json: content does not match the sha256 recorded by 2026-03-13T020000Z.json: this file was altered after it was written"`,
    );
  });

  it('catches a forgery re-chained all the way to the head only against the anchored head hash', async () => {
    const l = await ledger();
    let previous = { id: l.ids[0]!, sha256: l.hashes[0]! };
    for (const i of [1, 2, 3]) {
      const rewritten = buildSnapshot({ ...l.snapshots[i]!, previous, name: i === 1 ? 'Forged' : l.snapshots[i]!.name });
      await writeFile(l.file(i), serializeSnapshot(rewritten));
      previous = { id: rewritten.id, sha256: snapshotHash(rewritten) };
    }
    expect((await verifyLedger(l.dir)).ok).toBe(true);
    const fileHash = sha256Hex(await readFile(l.file(3)));
    expect(failure(await verifyLedger(l.dir, { expectedHead: l.hashes[3]! })).replace(l.hashes[3]!, '<anchored>').replace(previous.sha256, '<chain>').replace(fileHash, '<file>')).toMatchInlineSnapshot(
      `"2026-03-13T020000Z.json: content does not match the expected head sha256 <anchored> in either form (its chain hash (sha256 of its canonical JSON, as the next snapshot records it) is <chain>; its file hash (sha256 of its bytes, as sha256sum prints it) is <file>): the newest snapshot was altered, or the chain was rewritten up to it"`,
    );
    expect(await verifyLedger(l.dir, { expectedHead: previous.sha256 })).toMatchObject({ ok: true, head: previous });
  });

  it('names a later file claiming to be the first snapshot', async () => {
    const l = await ledger();
    const restart = buildSnapshot({ takenAt: '2026-03-14T02:00:00Z', previous: null });
    await writeFile(path.join(l.dir, `${restart.id}.json`), serializeSnapshot(restart));
    expect(failure(await verifyLedger(l.dir))).toMatchInlineSnapshot(
      `"2026-03-14T020000Z.json: says it is the first snapshot (previous: null), but 2026-03-13T020000Z.json comes before it: it was inserted or altered after the chain was written"`,
    );
  });

  it('names a valid-looking genesis inserted before the real first snapshot, not the real one its successor vouches for', async () => {
    const l = await ledger();
    const genesis = buildSnapshot({ takenAt: '2026-03-01T02:00:00Z', previous: null });
    await writeFile(path.join(l.dir, `${genesis.id}.json`), serializeSnapshot(genesis));
    const result = await verifyLedger(l.dir);
    expect(result).toMatchObject({ ok: false, file: path.join(l.dir, '2026-03-01T020000Z.json') });
    expect(failure(result)).toMatchInlineSnapshot(`"2026-03-01T020000Z.json: is not in the hash chain: 2026-03-10T020000Z.json, vouched for by 2026-03-11T020000Z.json, says it is the first snapshot, so this older file was inserted before the chain began"`);
  });

  it('ignores files that are not snapshots', async () => {
    const l = await ledger();
    await writeFile(path.join(l.dir, '.gitkeep'), '');
    await writeFile(path.join(l.dir, '.2026-03-14T020000Z.json.1234.1.tmp'), '{"half');
    await writeFile(path.join(l.dir, 'notes.json'), '{');
    expect(await verifyLedger(l.dir)).toEqual({ ok: true, count: 4, head: { id: l.ids[3], sha256: l.hashes[3] }, checked: 4 });
  });
});

describe('verifyLedger since a verified snapshot', () => {
  it('reads only that snapshot and the newer ones, and still catches a change to them', async () => {
    const l = await ledger();
    const since = { id: l.ids[1]!, sha256: l.hashes[1]! };
    expect(await verifyLedger(l.dir, { since })).toEqual({ ok: true, count: 4, head: { id: l.ids[3], sha256: l.hashes[3] }, checked: 3 });
    // Older files are not read again: a change there is for a full verify to find.
    await writeFile(l.file(0), (await l.text(0)).replace('"version": "1.0.0"', '"version": "1.0.9"'));
    expect((await verifyLedger(l.dir, { since })).ok).toBe(true);
    expect((await verifyLedger(l.dir)).ok).toBe(false);
    // A change to a newer file is found as before.
    await writeFile(l.file(2), (await l.text(2)).replace('"version": "1.2.0"', '"version": "1.2.9"'));
    expect(failure(await verifyLedger(l.dir, { since }))).toMatchInlineSnapshot(
      `"2026-03-12T020000Z.json: content does not match the sha256 recorded by 2026-03-13T020000Z.json: this file was altered after it was written"`,
    );
  });

  it('refuses when the verified snapshot changed or is gone', async () => {
    const l = await ledger();
    const since = { id: l.ids[1]!, sha256: l.hashes[1]! };
    await writeFile(l.file(1), (await l.text(1)).replace('"version": "1.1.0"', '"version": "1.1.1"'));
    expect(failure(await verifyLedger(l.dir, { since }))).toBe(
      `2026-03-11T020000Z.json: content does not match the sha256 an earlier run verified (${l.hashes[1]}): it was altered since`,
    );
    await rm(l.file(1));
    expect(failure(await verifyLedger(l.dir, { since }))).toBe(
      `2026-03-11T020000Z.json: is missing, but an earlier run verified it (sha256 ${l.hashes[1]}): snapshots were deleted or renamed`,
    );
  });
});

describe('the two hashes of a snapshot', () => {
  it('accepts the head\'s chain hash or its file hash as the expected head, and says which', async () => {
    const l = await ledger();
    const fileHash = sha256Hex(await readFile(l.file(3)));
    expect(fileHash).not.toBe(l.hashes[3]);
    expect(await verifyLedger(l.dir, { expectedHead: l.hashes[3]! })).toMatchObject({ ok: true, expectedHeadForm: 'chain' });
    expect(await verifyLedger(l.dir, { expectedHead: fileHash })).toMatchObject({ ok: true, expectedHeadForm: 'file', head: { sha256: l.hashes[3] } });
    // The file hash of an earlier snapshot is neither of the head's.
    const other = sha256Hex(await readFile(l.file(2)));
    expect(failure(await verifyLedger(l.dir, { expectedHead: other }))).toContain(`does not match the expected head sha256 ${other} in either form`);
  });

  it('checks one file alone against either hash, and names both when neither matches', async () => {
    const l = await ledger();
    const bytes = await readFile(l.file(2));
    const fileHash = sha256Hex(bytes);
    expect(await verifySnapshotFile(l.file(2))).toEqual({ ok: true, id: l.ids[2], chainSha256: l.hashes[2], fileSha256: fileHash, previous: { id: l.ids[1], sha256: l.hashes[1] }, matched: null, gzip: false });
    expect(await verifySnapshotFile(l.file(2), l.hashes[2])).toMatchObject({ ok: true, matched: 'chain' });
    expect(await verifySnapshotFile(l.file(2), fileHash.toUpperCase())).toMatchObject({ ok: true, matched: 'file' });
    const wrong = await verifySnapshotFile(l.file(2), l.hashes[1]);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.reason).toBe(
      `content does not match the expected sha256 ${l.hashes[1]} in either form (its chain hash (sha256 of its canonical JSON, as the next snapshot records it) is ${l.hashes[2]}; its file hash (sha256 of its bytes, as sha256sum prints it) is ${fileHash}): the file was altered, or the hash is another snapshot's`,
    );
  });

  it('refuses a downloaded file that is not canonical, renamed to another id, or altered', async () => {
    const l = await ledger();
    const dir = path.dirname(l.dir);
    const text = await l.text(2);
    const reindented = path.join(dir, 'download.json');
    await writeFile(reindented, JSON.stringify(JSON.parse(text), null, 4));
    expect(await verifySnapshotFile(reindented)).toMatchObject({ ok: false, reason: expect.stringMatching(/^is not in canonical form \(first difference on line 2\)/) });
    // Renamed by a browser: still fine; named as another snapshot: refused.
    const copy = path.join(dir, `${l.ids[2]} (1).json`);
    await writeFile(copy, text);
    expect(await verifySnapshotFile(copy, l.hashes[2])).toMatchObject({ ok: true, matched: 'chain' });
    const swapped = path.join(dir, `${l.ids[3]}.json`);
    await writeFile(swapped, text);
    expect(await verifySnapshotFile(swapped)).toMatchObject({ ok: false, reason: expect.stringContaining(`contains snapshot ${l.ids[2]}, not ${l.ids[3]}`) });
    const altered = path.join(dir, 'altered.json');
    await writeFile(altered, text.replace('"version": "1.2.0"', '"version": "1.2.1"'));
    expect(text).toContain('"version": "1.2.0"');
    expect(await verifySnapshotFile(altered)).toMatchObject({ ok: true });
    expect(await verifySnapshotFile(altered, l.hashes[2])).toMatchObject({ ok: false });
    expect(await verifySnapshotFile(path.join(dir, 'missing.json'))).toMatchObject({ ok: false, reason: 'does not exist; check the path' });
  });
});
