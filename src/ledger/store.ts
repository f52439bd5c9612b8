/**
 * The append-only store: `<dir>/<id>.json`, one file per snapshot, written
 * once and never rewritten (docs/guarantees.md, "Append-only").
 *
 * A write is atomic and never overwrites: the bytes go to a temp file in the
 * same folder (a name readers ignore), are fsynced, then hard-linked to the
 * final name — `link(2)` fails with EEXIST instead of replacing, unlike
 * `rename(2)` — and the folder is fsynced so the new entry survives a crash.
 * A lock file serialises appenders, so two collectors cannot both chain to the
 * same head and fork the ledger.
 */
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { LedgerError, LedgerWriteError } from '../errors.ts';
import { snapshotSchema, type Snapshot } from '../model/index.ts';
import { canonicalForms, canonicalJson, sha256Hex } from './canonical.ts';
import { snapshotIdFor } from './ids.ts';
import { takeLock } from './lock.ts';

/** A snapshot file name; anything else in the folder (.gitkeep, temp files, the lock) is ignored. */
const SNAPSHOT_FILE = /^(\d{4}-\d{2}-\d{2}T\d{6}Z)\.json$/;
/** Temp files this module writes: `.<name>.<pid>.<n>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.(\d+)\.tmp$/;
/** Large snapshots are written in chunks; the test seam below fires after the first one. */
const CHUNK_BYTES = 1 << 20;

let tempCounter = 0;

/** Snapshot ids in `dir`, oldest first. A missing folder is an empty ledger. */
export async function listSnapshotIds(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new LedgerError(`cannot read the ledger folder ${dir} (${errorCode(error) ?? 'error'}); check the path and its permissions`, { cause: error });
  }
  return names
    .map((name) => SNAPSHOT_FILE.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
}

/** A snapshot with the hash its successor records for it. */
export interface SnapshotEntry {
  snapshot: Snapshot;
  /** sha256 of the file's canonical JSON: what the next snapshot's `previous.sha256` must be. */
  sha256: string;
  /** The file path. */
  file: string;
}

/** Read, parse and validate one snapshot, with its chain hash. LedgerError naming the file on failure. */
export async function readSnapshotEntry(dir: string, id: string): Promise<SnapshotEntry> {
  const { bytes: _bytes, ...entry } = await readSnapshotFile(dir, id, undefined);
  return entry;
}

/** What a read can vouch for, and what an earlier read vouched for (`readSnapshotFile`). */
export interface SnapshotReadOptions {
  /**
   * Also hash the bytes and say whether the validated snapshot is the parsed
   * JSON as it is (`plain`): no default filled in. Costs a hash and a walk.
   */
  vouch?: boolean;
  /**
   * The sha256 of this file's bytes as an earlier read in this process
   * validated them and found them plain. When the bytes read now hash the
   * same, they are the bytes validated then, so their parsed JSON is what the
   * schema gave: the schema pass (most of a read's cost) is skipped. Any
   * other bytes are validated as usual.
   */
  validatedSha256?: string;
}

/**
 * Reads, parses and validates one snapshot, keeping its bytes. With
 * `knownSha256` (the site build knows every chain hash from each successor's
 * `previous` link), the canonical form is not computed again: a third of the
 * cost of reading a 6 MB snapshot, which the site reads once per page kind.
 * `fileSha256` (the sha256 of the bytes) is given when the read hashed them
 * (`options`); `plain` when asked to vouch.
 */
export async function readSnapshotFile(
  dir: string, id: string, knownSha256: string | undefined, options: SnapshotReadOptions = {},
): Promise<SnapshotEntry & { bytes: Buffer; fileSha256?: string; plain?: boolean }> {
  const file = snapshotFile(dir, id);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new LedgerError(`no snapshot ${id} in ${dir}; list the ledger to see which ids exist`, { cause: error });
    throw new LedgerError(`cannot read ${file} (${errorCode(error) ?? 'error'}); check its permissions`, { cause: error });
  }
  const fileSha256 = options.vouch || options.validatedSha256 ? sha256Hex(bytes) : undefined;
  const parsed = parseSnapshotBytes(bytes);
  if (!parsed.ok) throw new LedgerError(`${file} ${parsed.reason}`);
  const sha256 = () => knownSha256 ?? sha256Hex(canonicalJson(parsed.raw));
  if (options.validatedSha256 !== undefined && fileSha256 === options.validatedSha256) return { snapshot: parsed.raw as Snapshot, sha256: sha256(), file, bytes, fileSha256 };
  const valid = snapshotSchema.safeParse(parsed.raw);
  if (!valid.success) throw new LedgerError(`${file} ${describeSchemaIssue(valid.error)}; run \`release-ledger verify\``);
  const vouched = options.vouch ? { plain: sameJson(parsed.raw, valid.data) } : {};
  return { snapshot: valid.data, sha256: sha256(), file, bytes, ...(fileSha256 !== undefined ? { fileSha256 } : {}), ...vouched };
}

/**
 * Whether two parsed JSON values hold the same data, key order aside: the
 * schema's output is a copy of its input with any default filled in, and
 * its fixed objects' keys in the schema's order (no page iterates those;
 * records keep their input's order). A default filled in, a key stripped or
 * a value transformed makes the two differ. Written out rather than
 * `util.isDeepStrictEqual`, which gives the same answer on JSON data at
 * twice the cost (14 against 7 ms a 500-service snapshot, once per snapshot
 * of a build).
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}

/** Read, parse and validate one snapshot. LedgerError naming the file on failure. */
export async function readSnapshot(dir: string, id: string): Promise<Snapshot> {
  return (await readSnapshotEntry(dir, id)).snapshot;
}

/** The newest snapshot and its chain hash, or null for an empty ledger. */
export async function readHead(dir: string): Promise<{ snapshot: Snapshot; sha256: string } | null> {
  const id = (await listSnapshotIds(dir)).at(-1);
  if (id === undefined) return null;
  const { snapshot, sha256 } = await readSnapshotEntry(dir, id);
  return { snapshot, sha256 };
}

/** Points in an append where a test may stop the process (see `tests/ledger/crash.test.ts`). */
export type AppendStep = 'locked' | 'temp-partial' | 'temp-written' | 'temp-synced' | 'linked';

export interface AppendOptions {
  /** Test seam only: awaited at each step of the write, so a test can kill the process there. */
  onStep?: (step: AppendStep) => void | Promise<void>;
}

/**
 * Append one snapshot. Refuses (LedgerWriteError, nothing written) when it is
 * not schema-valid, its id does not match `takenAt`, the id exists or is not
 * newer than the head, or `previous` is not `{ id, sha256 }` of the head
 * (null only for an empty ledger). Creates `dir` if missing.
 */
export async function appendSnapshot(dir: string, input: Snapshot, options: AppendOptions = {}): Promise<{ file: string; sha256: string }> {
  const step = options.onStep ?? (() => undefined);
  const valid = snapshotSchema.safeParse(input);
  const label = typeof (input as { id?: unknown })?.id === 'string' ? `snapshot ${(input as { id: string }).id}` : 'the snapshot';
  if (!valid.success) throw new LedgerWriteError(`${label} ${describeSchemaIssue(valid.error)} (nothing written)`);
  const snapshot = valid.data;
  const { id } = snapshot;
  const idOfTime = snapshotIdFor(new Date(snapshot.takenAt));
  if (idOfTime !== id) {
    throw new LedgerWriteError(`snapshot ${id} has takenAt ${snapshot.takenAt}, whose id is ${idOfTime}; the id must be the UTC time it was taken (nothing written)`);
  }
  const forms = canonicalForms(snapshot, true);
  const bytes = Buffer.from(forms.pretty, 'utf8');
  const sha256 = sha256Hex(forms.canonical);
  const file = snapshotFile(dir, id);

  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new LedgerWriteError(`cannot create the ledger folder ${dir} (${errorCode(error) ?? 'error'}); check the path and its permissions (nothing written)`, { cause: error });
  }
  const unlock = await takeLock(dir);
  try {
    await step('locked');
    await removeStaleTemps(dir);
    const ids = await listSnapshotIds(dir);
    const head = ids.at(-1);
    if (ids.includes(id)) {
      throw new LedgerWriteError(`${file} already exists; a snapshot is written once and never rewritten — take the new one at a later time (nothing written)`);
    }
    if (head !== undefined && id < head) {
      throw new LedgerWriteError(`snapshot ${id} is older than the ledger head ${head}; snapshots are appended in time order, so its time must be after ${head} (nothing written)`);
    }
    await checkPrevious(dir, snapshot, head);
    await writeNew(dir, id, bytes, step);
  } finally {
    await unlock();
  }
  return { file, sha256 };
}

async function checkPrevious(dir: string, snapshot: Snapshot, head: string | undefined): Promise<void> {
  const { id, previous } = snapshot;
  if (head === undefined) {
    if (previous !== null) {
      throw new LedgerWriteError(
        `snapshot ${id} chains to ${previous.id}, but ${dir} has no snapshots; the first snapshot of a ledger has previous: null (nothing written)`,
      );
    }
    return;
  }
  const { sha256 } = await readSnapshotEntry(dir, head).catch((error: unknown) => {
    throw new LedgerWriteError(`cannot chain to the ledger head: ${(error as Error).message} (nothing written)`, { cause: error });
  });
  if (previous === null) {
    throw new LedgerWriteError(`snapshot ${id} has previous: null, but the ledger head is ${head}; set previous to { id: "${head}", sha256: "${sha256}" } (nothing written)`);
  }
  if (previous.id !== head || previous.sha256 !== sha256) {
    throw new LedgerWriteError(
      `snapshot ${id} chains to ${previous.id} (sha256 ${previous.sha256.slice(0, 12)}…), but the ledger head is ${head} (sha256 ${sha256.slice(0, 12)}…); take previous from readHead() (nothing written)`,
    );
  }
}

async function writeNew(dir: string, id: string, bytes: Buffer, step: (s: AppendStep) => void | Promise<void>): Promise<void> {
  const file = snapshotFile(dir, id);
  const temp = path.join(dir, `.${id}.json.${process.pid}.${++tempCounter}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, offset, Math.min(CHUNK_BYTES, bytes.length - offset));
      offset += bytesWritten;
      if (offset === Math.min(CHUNK_BYTES, bytes.length) && offset < bytes.length) await step('temp-partial');
    }
    await step('temp-written');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw new LedgerWriteError(`cannot write ${temp} (${errorCode(error) ?? 'error'}); check free space and permissions (nothing written)`, { cause: error });
  }
  await handle.close();
  await step('temp-synced');
  try {
    await link(temp, file);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') {
      await unlink(temp).catch(() => undefined);
      throw new LedgerWriteError(`${file} appeared while it was being written; another process wrote it first (nothing written)`, { cause: error });
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      await unlink(temp).catch(() => undefined);
      throw new LedgerWriteError(`cannot create ${file} (${code ?? 'error'}); check permissions (nothing written)`, { cause: error });
    }
    // A file system without hard links: rename is still atomic, and the lock
    // (held since before the existence check) keeps other appenders out.
    if (await exists(file)) throw new LedgerWriteError(`${file} already exists (nothing written)`);
    await rename(temp, file);
  }
  await step('linked');
  await unlink(temp).catch(() => undefined);
  await syncDir(dir);
}

/** Remove temp files left by a killed append: those of dead processes, and our own (we hold the lock, so none is in flight). */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = TEMP_FILE.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || !isAlive(pid)) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}

/** Make the new directory entry durable (POSIX); platforms that cannot fsync a folder skip it. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse to open or fsync a directory; the link itself is already done.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export function snapshotFile(dir: string, id: string): string {
  return path.join(dir, `${id}.json`);
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Bytes → JSON value, or why not. Shared with verify. */
export function parseSnapshotBytes(bytes: Uint8Array): { ok: true; raw: unknown; text: string } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'is empty: it was truncated or never finished writing; restore it from git' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'is not valid UTF-8: it was altered or corrupted after it was written; restore it from git' };
  }
  try {
    return { ok: true, raw: JSON.parse(text), text };
  } catch (error) {
    // V8 quotes the text around the error, newlines and all: the reason stays one line.
    return { ok: false, reason: `is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}): it may be truncated or edited; restore it from git` };
  }
}

/** The first zod issue as "does not match the snapshot schema at deployments[0].version: …". */
export function describeSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the snapshot schema';
  const where = issue.path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}${out ? '.' : ''}${String(key)}`),
    '',
  );
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `does not match the snapshot schema at ${where || 'the top level'}: ${issue.message}${more}`;
}
