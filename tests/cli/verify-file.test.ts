/**
 * `verify --file` (one downloaded snapshot, no config) and `--expect-head`
 * with either of the head's two hashes, through the real CLI in-process
 * (docs/guarantees.md, "Tamper-evident").
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/ledger/index.ts';
import { buildChain } from '../helpers/snapshot-builder.ts';
import { runCli } from '../helpers/cli.ts';
import { useTempDirs } from '../ledger/temp-ledger.ts';

const tempDir = useTempDirs();

async function downloaded() {
  const dir = await tempDir();
  const chain = await buildChain(dir, 3);
  // An auditor's folder: one file, no config, no ledger.
  const work = path.dirname(dir);
  const bytes = await readFile(path.join(dir, `${chain.ids[1]}.json`));
  await writeFile(path.join(work, 'download.json'), bytes);
  return { dir, work, ...chain, chain: chain.hashes[1]!, file: sha256Hex(bytes) };
}

describe('verify --file', () => {
  it('checks one downloaded file against its chain hash or its file hash, and says which matched', async () => {
    const d = await downloaded();
    const byChain = await runCli(['verify', '--file', 'download.json', '--expect-sha256', d.chain], { cwd: d.work });
    expect(byChain).toMatchObject({ code: 0, stderr: '' });
    expect(byChain.stdout).toContain(`ok: download.json is snapshot ${d.ids[1]}, valid and in canonical form; it matches the given sha256 as its chain hash (sha256 of its canonical JSON, as the next snapshot records it)`);
    const byFile = await runCli(['verify', '--file', 'download.json', '--expect-sha256', d.file], { cwd: d.work });
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toContain('it matches the given sha256 as its file hash (sha256 of its bytes, as sha256sum prints it)');
    // Without a hash: both are printed, to compare with one held elsewhere.
    const plain = await runCli(['verify', '--file', 'download.json'], { cwd: d.work });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`chain hash (sha256 of its canonical JSON): ${d.chain}`);
    expect(plain.stdout).toContain(`file hash (sha256 of its bytes):           ${d.file}`);
    expect(plain.stdout).toContain(`previous: ${d.ids[0]} sha256 ${d.hashes[0]}`);
    const json = await runCli(['verify', '--file', 'download.json', '--expect-sha256', d.file, '--json'], { cwd: d.work });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, id: d.ids[1], chainSha256: d.chain, fileSha256: d.file, matched: 'file' });
  });

  it('refuses, in one line naming both forms, a file altered after download or a hash of another snapshot', async () => {
    const d = await downloaded();
    const text = await readFile(path.join(d.work, 'download.json'), 'utf8');
    await writeFile(path.join(d.work, 'download.json'), text.replace('"version": "1.1.0"', '"version": "1.1.1"'));
    const run = await runCli(['verify', '--file', 'download.json', '--expect-sha256', d.chain], { cwd: d.work });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/^verify failed: download\.json: content does not match the expected sha256 [0-9a-f]{64} in either form \(its chain hash \(sha256 of its canonical JSON, as the next snapshot records it\) is [0-9a-f]{64}; its file hash \(sha256 of its bytes, as sha256sum prints it\) is [0-9a-f]{64}\)/);
    const other = await runCli(['verify', '--file', path.join(d.dir, `${d.ids[2]}.json`), '--expect-sha256', d.chain], { cwd: d.work });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('in either form');
  });

  it('refuses usage mistakes in one line', async () => {
    const d = await downloaded();
    const cases: [string[], string][] = [
      [['verify', '--expect-sha256', d.chain], '--expect-sha256 needs --file PATH'],
      [['verify', '--file', 'download.json', '--expect-sha256', 'abc'], '--expect-sha256 must be a sha256'],
      [['verify', '--file', 'download.json', '--expect-head', d.chain], 'cannot be combined with --expect-head'],
      [['verify', '--file', 'nope.json'], 'verify failed: nope.json: does not exist; check the path'],
    ];
    for (const [argv, message] of cases) {
      const run = await runCli(argv, { cwd: d.work });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('verify --expect-head', () => {
  it('accepts the head\'s chain hash or file hash and names which it matched', async () => {
    const dir = await tempDir();
    const chain = await buildChain(dir, 3);
    const work = path.dirname(dir);
    await writeFile(path.join(work, 'release-ledger.config.yaml'), 'name: T\nsnapshotsDir: snapshots\nenvironments: [{ name: prod, production: true }]\nsources: {}\nservices: []\n');
    const file = sha256Hex(await readFile(path.join(dir, `${chain.ids[2]}.json`)));
    const byChain = await runCli(['verify', '--expect-head', chain.hashes[2]!], { cwd: work });
    expect(byChain.stderr).toBe('');
    expect(byChain.stdout).toBe(`ok: 3 snapshots verified; head ${chain.ids[2]} sha256 ${chain.hashes[2]}; --expect-head matched its chain hash (sha256 of its canonical JSON, as the next snapshot records it)\n`);
    const byFile = await runCli(['verify', '--expect-head', file], { cwd: work });
    expect(byFile.stdout).toBe(`ok: 3 snapshots verified; head ${chain.ids[2]} sha256 ${chain.hashes[2]}; --expect-head matched its file hash (sha256 of its bytes, as sha256sum prints it)\n`);
    const wrong = await runCli(['verify', '--expect-head', chain.hashes[1]!], { cwd: work });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`its chain hash (sha256 of its canonical JSON, as the next snapshot records it) is ${chain.hashes[2]}; its file hash (sha256 of its bytes, as sha256sum prints it) is ${file}`);
  });
});
