/**
 * The ledger's append lock, `<dir>/.release-ledger.lock`: one appender at a
 * time, correct across PID reuse and crashed holders (issue 17 item 7).
 *
 * The file names its holder by PID, host and process start time, so a live
 * process that merely has the same PID (containers start every run at PID 1;
 * PIDs wrap) is not mistaken for the holder. On Linux the start time is field
 * 22 of `/proc/PID/stat` (clock ticks since boot, proc(5)) with the boot id
 * (`/proc/sys/kernel/random/boot_id`), which together name one process for the
 * machine's lifetime. The holder also touches the file every few seconds, so a
 * lock from another host (a shared folder), or where start times cannot be
 * read, is stale once it has not been touched for `STALE_MS`.
 *
 * Why not `proper-lockfile`: it decides staleness by mtime alone, so a holder
 * whose event loop is busy longer than its threshold (hashing a 6 MB head)
 * loses the lock, and a crashed holder blocks everyone until the threshold
 * passes; the start time settles both on the same host at once.
 */
import { readFileSync } from 'node:fs';
import { link, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { LedgerWriteError } from '../errors.ts';

export const LOCK_FILE = '.release-ledger.lock';
/** How often a holder touches its lock. */
const REFRESH_MS = 5_000;
/** A lock untouched this long has no live holder (12 missed refreshes). */
const STALE_MS = 60_000;

/** Who holds a lock, as written in the file. A lock from before this format holds only `pid`. */
export interface LockHolder {
  pid: number;
  host?: string;
  /** `<boot id>:<start ticks>` on Linux, else absent. */
  start?: string;
}

/** Locks this process holds (a second append in the same process must wait like any other). */
const held = new Set<string>();
let counter = 0;

/** `<boot id>:<start ticks>` of a process, or null where /proc cannot say (not Linux, process gone). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces and ")": fields 3… follow the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[22 - 3];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return ticks && /^\d+$/.test(ticks) ? `${boot}:${ticks}` : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder named by a lock file's text; null when it names none. */
export function parseHolder(text: string): LockHolder | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || (value.pid as number) <= 0) return null;
    return { pid: value.pid as number, ...(typeof value.host === 'string' ? { host: value.host } : {}), ...(typeof value.start === 'string' ? { start: value.start } : {}) };
  } catch {
    return null;
  }
}

/**
 * Whether the holder a lock file names still holds it. The one rule:
 * - this process: only if it took the lock itself (`held`);
 * - another host: while the file is touched (it cannot be asked);
 * - this host: its PID must be alive, a Node process and, where start times
 *   can be read, started at the recorded time; a lock that records none (the
 *   old format) is held only by one that started before the lock was written.
 */
export function holderIsLive(holder: LockHolder | null, lock: { file: string; mtimeMs: number }, now: number, here: { pid: number; host: string }): boolean {
  // Nothing we wrote: every record is linked in whole, so unreadable text is not a holder's.
  if (holder === null) return false;
  if (holder.host !== undefined && holder.host !== here.host) return now - lock.mtimeMs < STALE_MS;
  if (holder.pid === here.pid) return held.has(lock.file);
  if (!isAlive(holder.pid)) return false;
  const start = processStart(holder.pid);
  if (start === null) return holder.start === undefined || now - lock.mtimeMs < STALE_MS;
  // Only a Node process (release-ledger runs on Node) can hold it: that settles even a record copied from a live process.
  if (!isNode(holder.pid)) return false;
  if (holder.start !== undefined) return start === holder.start;
  // The old format: a process that started after the lock was written cannot have written it.
  return startedBefore(start, lock.mtimeMs);
}

/** Whether a process runs Node, from its command line (proc(5): `/proc/PID/cmdline`, NUL-separated). */
function isNode(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)node(js)?(\d+)?$/.test(argv0) || argv0 === process.execPath;
  } catch {
    return true;
  }
}

/** Whether a process (by its `processStart`) started before a wall-clock time. */
function startedBefore(start: string, atMs: number): boolean {
  try {
    const ticks = Number(start.split(':')[1]);
    // Boot time from /proc/stat's btime (seconds since the epoch); USER_HZ is 100 on every Linux ABI in use (proc(5)).
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(btime) || !Number.isFinite(ticks)) return true;
    return btime * 1000 + (ticks / 100) * 1000 <= atMs + 1000;
  } catch {
    return true;
  }
}

/**
 * Takes the ledger's lock: the holder's record is written to a temp file and
 * hard-linked to the lock's name (`link(2)` fails if it exists, so nobody
 * reads a half-written record). A stale lock is removed and taken. Two
 * processes clearing the same stale lock at the same instant is the one race
 * left; collectors run on a schedule, one at a time, so it is accepted.
 * Returns the release function.
 */
export async function takeLock(dir: string): Promise<() => Promise<void>> {
  const file = path.resolve(dir, LOCK_FILE);
  const here = { pid: process.pid, host: hostname() };
  const record: LockHolder = { ...here, ...(processStart(process.pid) ? { start: processStart(process.pid)! } : {}) };
  const tempPath = path.join(dir, `${LOCK_FILE}.${process.pid}.${++counter}.tmp`);
  const handle = await open(tempPath, 'wx');
  await handle.writeFile(`${JSON.stringify(record)}\n`);
  await handle.close();
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (held.has(file)) throw Object.assign(new Error('held here'), { code: 'EEXIST' });
        await link(tempPath, file);
        held.add(file);
        const timer = setInterval(() => {
          const now = new Date();
          utimes(file, now, now).catch(() => undefined);
        }, REFRESH_MS);
        timer.unref();
        return async () => {
          clearInterval(timer);
          held.delete(file);
          await unlink(file).catch(() => undefined);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new LedgerWriteError(`cannot create the lock ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check permissions (nothing written)`, { cause: error });
        }
      }
      const text = await readFile(file, 'utf8').catch(() => null);
      const info = await stat(file).catch(() => null);
      if (text === null || info === null) continue;
      const holder = parseHolder(text);
      if (holderIsLive(holder, { file, mtimeMs: info.mtimeMs }, Date.now(), here)) {
        const who = holder ? `pid ${holder.pid}${holder.host && holder.host !== here.host ? ` on ${holder.host}` : ''}` : 'another process';
        throw new LedgerWriteError(`another append is in progress (${who} holds ${file}); wait for it to finish, or delete that file if no collect is running (nothing written)`);
      }
      await unlink(file).catch(() => undefined);
    }
    throw new LedgerWriteError(`cannot take the lock ${file}; another process keeps taking it (nothing written)`);
  } finally {
    await unlink(tempPath).catch(() => undefined);
  }
}
