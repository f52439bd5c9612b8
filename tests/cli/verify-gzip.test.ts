/**
 * `verify --file` on the site's gzip copy (`/snapshots/ID.json.gz`, config
 * `site.snapshotCopies: gzip`): recognised by its magic bytes whatever its
 * name, checked on its content (the ledger file, byte for byte); a damaged or
 * altered copy is refused in one line naming the file, and a gzip bomb is
 * refused once what it expands to passes the cap, without expanding it whole.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipCopy, gzipCopy, isGzip, sha256Hex } from '../../src/ledger/index.ts';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { buildChain } from '../helpers/snapshot-builder.ts';
import { runCli } from '../helpers/cli.ts';
import { useTempDirs } from '../ledger/temp-ledger.ts';

const tempDir = useTempDirs();

async function downloaded() {
  const dir = await tempDir();
  const chain = await buildChain(dir, 3);
  const work = path.dirname(dir);
  const id = chain.ids[1]!;
  const bytes = await readFile(path.join(dir, `${id}.json`));
  await writeFile(path.join(work, `${id}.json.gz`), gzipCopy(bytes));
  return { work, id, bytes, chain: chain.hashes[1]!, file: sha256Hex(bytes) };
}

describe('the gzip copy', () => {
  it('is deterministic and gunzips to the ledger file byte for byte, with no name, mtime 0 and the OS byte "unknown"', async () => {
    const d = await downloaded();
    const a = gzipCopy(d.bytes);
    expect(gzipCopy(d.bytes).equals(a)).toBe(true);
    expect(gunzipSync(a).equals(d.bytes)).toBe(true);
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    expect(isGzip(a)).toBe(true);
    expect(isGzip(d.bytes)).toBe(false);
  });
});

describe('verify --file on a gzip copy', () => {
  it('checks its content against either hash of the ledger file, and says it was a gzip', async () => {
    const d = await downloaded();
    for (const [hash, form] of [[d.chain, 'chain hash'], [d.file, 'file hash']] as const) {
      const run = await runCli(['verify', '--file', `${d.id}.json.gz`, '--expect-sha256', hash], { cwd: d.work });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`ok: ${d.id}.json.gz is a gzip copy of snapshot ${d.id}, valid and in canonical form; it matches the given sha256 as its ${form}`);
    }
    const plain = await runCli(['verify', '--file', `${d.id}.json.gz`], { cwd: d.work });
    expect(plain.stdout).toContain(`file hash (sha256 of the ledger file, its content after gunzip): ${d.file}`);
    const json = await runCli(['verify', '--file', `${d.id}.json.gz`, '--json'], { cwd: d.work });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, id: d.id, chainSha256: d.chain, fileSha256: d.file, gzip: true });
  });

  it('knows a gzip by its bytes, not its name: a renamed download still verifies, and its id is still checked', async () => {
    const d = await downloaded();
    await writeFile(path.join(d.work, 'evidence (1).json'), await readFile(path.join(d.work, `${d.id}.json.gz`)));
    const run = await runCli(['verify', '--file', 'evidence (1).json', '--expect-sha256', d.file], { cwd: d.work });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // Named as another snapshot: refused, as for a plain file.
    await writeFile(path.join(d.work, '2020-01-01T000000Z.json.gz'), await readFile(path.join(d.work, `${d.id}.json.gz`)));
    const renamed = await runCli(['verify', '--file', '2020-01-01T000000Z.json.gz'], { cwd: d.work });
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toContain(`contains snapshot ${d.id}, not 2020-01-01T000000Z`);
  });

  it('refuses, in one line naming the file, a copy whose content was altered and re-compressed', async () => {
    const d = await downloaded();
    const text = d.bytes.toString('utf8');
    const altered = text.replace('"version": "1.1.0"', '"version": "1.1.1"');
    expect(altered).not.toBe(text);
    await writeFile(path.join(d.work, `${d.id}.json.gz`), gzipSync(altered));
    const run = await runCli(['verify', '--file', `${d.id}.json.gz`, '--expect-sha256', d.file], { cwd: d.work });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^verify failed: ${d.id}\\.json\\.gz: content does not match the expected sha256 ${d.file} in either form`));
  });

  it('refuses, in one line naming the file, a copy damaged in transit (a flipped byte, a cut-off end)', async () => {
    const d = await downloaded();
    const good = await readFile(path.join(d.work, `${d.id}.json.gz`));
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)]! ^= 0xff;
    const cut = good.subarray(0, good.length - 20);
    for (const [name, bytes] of [['flipped.json.gz', flipped], ['cut.json.gz', cut]] as const) {
      await writeFile(path.join(d.work, name), bytes);
      const run = await runCli(['verify', '--file', name, '--expect-sha256', d.file], { cwd: d.work });
      expect(run.code, name).toBe(2);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(run.stderr, name).toMatch(new RegExp(`^verify failed: ${name.replace(/\./g, '\\.')}: (is a damaged gzip|its content \\(after gunzip\\))`));
    }
  });

  it('refuses a gzip bomb (200 MiB of zeros) in one line once it expands past the cap, without expanding it whole', async () => {
    const d = await downloaded();
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await writeFile(path.join(d.work, 'bomb.json.gz'), bomb);
    const run = await runCli(['verify', '--file', 'bomb.json.gz'], { cwd: d.work });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^verify failed: bomb\.json\.gz: is a gzip that expands past 64 MiB, more than any snapshot; refused/);
    // The cap is what stops it: zlib gives up at maxOutputLength, not at 200 MiB.
    const capped = gunzipCopy(bomb, INPUT_LIMITS.snapshotFileBytes);
    expect(capped.ok).toBe(false);
    const small = gunzipCopy(bomb, 1024);
    expect(small).toMatchObject({ ok: false });
  });

  it('refuses a file larger than the cap by its size, before reading it', async () => {
    const d = await downloaded();
    const big = path.join(d.work, 'big.json.gz');
    await writeFile(big, '');
    const { truncate } = await import('node:fs/promises');
    await truncate(big, INPUT_LIMITS.snapshotFileBytes + 1);
    const run = await runCli(['verify', '--file', 'big.json.gz'], { cwd: d.work });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^verify failed: big\.json\.gz: is 64\.0 MiB, over the 64 MiB cap on one snapshot file/);
  });
});
