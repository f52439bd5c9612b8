/**
 * A process killed in the middle of an append must leave no partial snapshot:
 * readers and verify see the ledger as it was (or with the new snapshot
 * complete), and the next append cleans up and succeeds.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendSnapshot, listSnapshotIds, readHead, verifyLedger, type AppendStep } from '../../src/ledger/index.ts';
import { buildChain, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { folderState, useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();
// Each child starts Node + tsx and builds a multi-megabyte snapshot: generous limits on a busy machine (not timing assertions).
const repoRoot = path.resolve(import.meta.dirname, '../..');
const child = path.join(import.meta.dirname, 'append-child.ts');

/** Start the child, wait until stdout has `count` lines matching `pattern` (then `afterMs` more), SIGKILL it. */
async function killChildAfter(dir: string, mode: string, pattern: RegExp, count = 1, afterMs = 0): Promise<string[]> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (lines.filter((line) => pattern.test(line)).length >= count) setTimeout(resolve, afterMs);
    });
    void exited.then(() => reject(new Error(`child exited before ${pattern}: ${stderr}`)));
  });
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return lines;
}

/** The ledger is whole, and the next append (by another process) works and leaves only snapshots behind. */
async function expectWholeThenAppend(dir: string, ids: string[]): Promise<void> {
  expect(await listSnapshotIds(dir)).toEqual(ids);
  expect(await verifyLedger(dir)).toMatchObject({ ok: true, count: ids.length });
  const head = (await readHead(dir))!;
  const takenAt = new Date(Date.parse(head.snapshot.takenAt) + 3_600_000).toISOString().replace('.000Z', 'Z');
  await appendSnapshot(dir, buildSnapshot({ takenAt, previous: { id: head.snapshot.id, sha256: head.sha256 } }));
  expect(await verifyLedger(dir)).toMatchObject({ ok: true, count: ids.length + 1 });
  expect(Object.keys(await folderState(dir)).every((name) => /^\d{4}-\d{2}-\d{2}T\d{6}Z\.json$/.test(name))).toBe(true);
}

describe('an append killed mid-write', () => {
  const steps: [AppendStep, boolean][] = [
    ['locked', false],
    ['temp-partial', false],
    ['temp-written', false],
    ['temp-synced', false],
    ['linked', true],
  ];
  for (const [step, committed] of steps) {
    it(`at "${step}" leaves ${committed ? 'the new snapshot complete' : 'the ledger as it was'}`, async () => {
      const dir = await tempDir();
      const { ids } = await buildChain(dir, 2);
      await killChildAfter(dir, `pause:${step}`, new RegExp(`^PAUSED ${step}$`));

      const leftovers = Object.keys(await folderState(dir)).filter((name) => name.startsWith('.'));
      expect(leftovers).toContain('.release-ledger.lock');
      if (step === 'temp-partial') {
        const temp = leftovers.find((name) => name.endsWith('.tmp') && !name.startsWith('.release-ledger.lock'))!;
        expect((await stat(path.join(dir, temp))).size).toBe(1 << 20);
        await expect(readFile(path.join(dir, temp), 'utf8').then((text) => JSON.parse(text))).rejects.toThrow(SyntaxError);
      }
      await expectWholeThenAppend(dir, committed ? [...ids, '2026-03-11T030000Z'] : ids);
    }, 120_000);
  }

  it('at whatever point a kill lands in a loop of large appends', async () => {
    const dir = await tempDir();
    await buildChain(dir, 1);
    // Kill at varied points after a few complete appends; which step it hits does not matter, every one must be safe.
    for (const [count, afterMs] of [
      [1, 0],
      [1, 7],
      [1, 23],
    ] as const) {
      const lines = await killChildAfter(dir, 'loop', /^APPENDED /, count, afterMs);
      const ids = await listSnapshotIds(dir);
      for (const line of lines) expect(ids).toContain(line.replace('APPENDED ', ''));
      await expectWholeThenAppend(dir, ids);
    }
  }, 180_000);
});
