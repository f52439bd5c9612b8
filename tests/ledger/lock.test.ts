/**
 * The append lock across PID reuse and crashed holders (issue 17 item 7,
 * src/ledger/lock.ts): a lock naming PID 1 (every container's first process),
 * or any live process that is not its holder, is stale; a lock held by a live
 * holder in another process blocks until that holder dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendSnapshot, listSnapshotIds } from '../../src/ledger/index.ts';
import { holderIsLive, parseHolder, processStart } from '../../src/ledger/lock.ts';
import { buildSnapshot } from '../helpers/snapshot-builder.ts';
import { messageOf, useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();
const LOCK = '.release-ledger.lock';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function withLock(text: string, mtime?: Date): Promise<string> {
  const dir = await tempDir();
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, LOCK), text);
  if (mtime) await utimes(path.join(dir, LOCK), mtime, mtime);
  return dir;
}

/** A live process that is not release-ledger. */
async function unrelated(): Promise<number> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('append lock', () => {
  it('a lock naming PID 1 in the old format ("1\\n") is stale', async () => {
    const dir = await withLock('1\n');
    await appendSnapshot(dir, buildSnapshot());
    expect(await listSnapshotIds(dir)).toEqual(['2026-03-14T020000Z']);
  });

  it('a lock naming a live unrelated process is stale, in the old format, with a start time not its own, and with its own', async () => {
    const pid = await unrelated();
    // Even a record with its true start time: it is not a Node process, so it cannot hold the lock.
    for (const text of [`${pid}\n`, `${JSON.stringify({ pid, host: hostname(), start: 'another-boot:12345' })}\n`, `${JSON.stringify({ pid, host: hostname(), start: processStart(pid) })}\n`]) {
      const dir = await withLock(text);
      await appendSnapshot(dir, buildSnapshot());
      expect(await listSnapshotIds(dir), text).toEqual(['2026-03-14T020000Z']);
    }
  });

  it('a lock naming this very process, which did not take it (PID 1 inside `unshare --pid`), is stale', async () => {
    for (const text of [`${process.pid}\n`, `${JSON.stringify({ pid: process.pid, host: hostname(), start: processStart(process.pid) })}\n`]) {
      const dir = await withLock(text);
      await appendSnapshot(dir, buildSnapshot());
      expect(await listSnapshotIds(dir), text).toEqual(['2026-03-14T020000Z']);
    }
  });

  it('a live holder in another process blocks; once it is killed, its lock is stale', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    const store = new URL('../../src/ledger/lock.ts', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const { takeLock } = await import(${JSON.stringify(store)}); await takeLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    // The same holder in the old format (a PID alone): held only if it started before the lock was written.
    const here = { pid: process.pid, host: hostname() };
    expect(holderIsLive({ pid: child.pid! }, { file: 'x', mtimeMs: Date.now() }, Date.now(), here)).toBe(true);
    expect(holderIsLive({ pid: child.pid! }, { file: 'x', mtimeMs: Date.parse('2020-01-01T00:00:00Z') }, Date.now(), here)).toBe(false);
    const message = await messageOf(appendSnapshot(dir, buildSnapshot()), dir);
    expect(message).toBe(`LedgerWriteError: another append is in progress (pid ${child.pid} holds <dir>/${LOCK}); wait for it to finish, or delete that file if no collect is running (nothing written)`);
    expect(await listSnapshotIds(dir)).toEqual([]);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await appendSnapshot(dir, buildSnapshot());
    expect(await listSnapshotIds(dir)).toEqual(['2026-03-14T020000Z']);
  });

  it('a lock from another host blocks while its holder keeps touching it, and is stale after a minute untouched', async () => {
    const record = `${JSON.stringify({ pid: 4242, host: 'another-host', start: 'b:1' })}\n`;
    const fresh = await withLock(record);
    expect(await messageOf(appendSnapshot(fresh, buildSnapshot()), fresh)).toMatch(/pid 4242 on another-host holds/);
    const old = await withLock(record, new Date(Date.now() - 2 * 60_000));
    await appendSnapshot(old, buildSnapshot());
    expect(await listSnapshotIds(old)).toEqual(['2026-03-14T020000Z']);
  });

  it('reads both record formats', () => {
    expect(parseHolder('1\n')).toEqual({ pid: 1 });
    expect(parseHolder('{"pid":7,"host":"h","start":"b:9"}\n')).toEqual({ pid: 7, host: 'h', start: 'b:9' });
    expect(parseHolder('garbage')).toBeNull();
    expect(processStart(process.pid)).toMatch(/^[0-9a-f-]+:\d+$/);
  });
});
