/**
 * `verify`: every snapshot is valid, canonical, and chained to the one before
 * it; the result names the FIRST bad file and says what is wrong with it.
 *
 * The chain can only vouch for a file through its successor's
 * `previous.sha256`, so a mismatch between a file and its successor's record
 * has two explanations: the file was altered, or the successor's record was.
 * We name the one alteration that explains everything seen: the file itself,
 * unless the successor is also disowned by ITS successor (then the successor,
 * whose `previous` was edited, is the altered file). The head has no successor;
 * pass `expectedHead` (the hash anchored outside the repo) to cover it.
 *
 * A snapshot has two sha256 values, and an auditor may hold either
 * (docs/guarantees.md, "Tamper-evident"): its chain hash, over its RFC 8785
 * canonical JSON (what the next snapshot records and `verify` prints), and its
 * file hash, over the file's bytes (what `sha256sum` prints for a download).
 * A file in canonical form has exactly one of each, so accepting either
 * weakens nothing; the result says which one matched.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SNAPSHOT_ID_PATTERN, snapshotSchema, type Snapshot } from '../model/index.ts';
import { formatBytes, INPUT_LIMITS } from '../model/input-limits.ts';
import { canonicalForms, sha256Hex } from './canonical.ts';
import { gunzipCopy, isGzip } from './gzip-copy.ts';
import { snapshotIdFor } from './ids.ts';
import { describeSchemaIssue, listSnapshotIds, parseSnapshotBytes, snapshotFile } from './store.ts';

export type VerifyResult =
  | {
      ok: true;
      /** How many snapshots the ledger holds. */
      count: number;
      /** The newest snapshot and its sha256 (to anchor outside the repo), or null for an empty ledger. */
      head: { id: string; sha256: string } | null;
      /** How many files were read: all of them, or with `since` that one and the newer ones. */
      checked: number;
      /** With `expectedHead`: which of the head's hashes it was. */
      expectedHeadForm?: HashForm;
    }
  | {
      ok: false;
      /** How many snapshots the ledger holds. */
      count: number;
      /** The first bad file (path). */
      file: string;
      /** What is wrong with it and what that means, one line. */
      reason: string;
    };

export interface VerifyOptions {
  /** The head's sha256 as anchored elsewhere (a tag, a commit message, the site footer); checks the newest snapshot too. */
  expectedHead?: string;
  /**
   * A snapshot a previous run verified, with its sha256 then: only it and the
   * newer files are read (a nightly run over three years reads two files, not
   * a thousand). It must still be there with that hash. Older files are not
   * read again, so run a full verify now and then (weekly).
   */
  since?: { id: string; sha256: string };
  /**
   * Without `since`: check only the newest `last` snapshots, each on its own
   * and against the one before it (read, not checked itself). `collect` checks
   * the head it is about to link to with `last: 1` (issue 17 item 9).
   */
  last?: number;
}

/** The two hashes of a snapshot: `chain`, sha256 of its canonical JSON; `file`, sha256 of its bytes. */
export type HashForm = 'chain' | 'file';

/** How each form is named to people, in the CLI and the site's footer. */
export const HASH_FORM_NAME: Record<HashForm, string> = {
  chain: 'chain hash (sha256 of its canonical JSON, as the next snapshot records it)',
  file: 'file hash (sha256 of its bytes, as sha256sum prints it)',
};

interface Loaded {
  id: string;
  raw: unknown;
  text: string;
  bytes: Uint8Array;
  /** What the text must be: `serializeSnapshot(JSON.parse(text))`. */
  pretty: string;
  sha256: string;
}

type Link = { id: string; sha256: string };

/** A failed check: the file to blame and why. */
type Failure = { id: string; reason: string };

const fileName = (id: string) => `${id}.json`;

export async function verifyLedger(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const ids = await listSnapshotIds(dir);
  const position = new Map(ids.map((id, i) => [id, i]));
  const fail = ({ id, reason }: Failure): VerifyResult => ({ ok: false, count: ids.length, file: snapshotFile(dir, id), reason });
  const successorOf = async (i: number) => {
    const nextId = ids[i + 1];
    const next = nextId === undefined ? undefined : await load(dir, nextId);
    return { nextId, nextRecord: next && typeof next !== 'string' ? recordedPrevious(next.raw) : undefined };
  };

  const begin = await startingPoint(dir, ids, position, options);
  if ('reason' in begin) return fail(begin);
  let { before } = begin;
  const { start } = begin;
  let checked = start > 0 ? 1 : 0;
  for (const [i, id] of ids.entries()) {
    if (i < start) continue;
    checked++;
    const loaded = await load(dir, id);
    if (typeof loaded === 'string') return fail({ id, reason: loaded });

    // 1. This file vouches for the one before it; a broken vouch usually blames the earlier file.
    const recorded = recordedPrevious(loaded.raw);
    if (before && recorded && recorded.id === before.id && recorded.sha256 !== before.sha256) return fail(brokenVouch(loaded, before, await successorOf(i), options));

    // 2. The file on its own.
    const own = checkOwn(loaded, id);
    if (typeof own === 'string') return fail({ id, reason: own });

    // 3. Its place in the chain.
    const misplaced = await chainPlace(own.previous, loaded, before, i, ids, position, () => successorOf(i));
    if (misplaced) return fail(misplaced);
    before = loaded;
  }

  if (options.expectedHead !== undefined) {
    if (before === null) return { ok: false, count: 0, file: dir, reason: `the ledger is empty, but head sha256 ${options.expectedHead} was expected: its snapshots were deleted` };
    const form = formOf(before, options.expectedHead);
    if (form === null) return fail({ id: before.id, reason: `${neitherForm(before, options.expectedHead, 'the expected head sha256')}: the newest snapshot was altered, or the chain was rewritten up to it` });
    return { ok: true, count: ids.length, head: { id: before.id, sha256: before.sha256 }, checked, expectedHeadForm: form };
  }
  return { ok: true, count: ids.length, head: before && { id: before.id, sha256: before.sha256 }, checked };
}

/** Where checking starts: after a checkpoint (`since`), before the newest `last`, or at the first snapshot. */
async function startingPoint(dir: string, ids: string[], position: Map<string, number>, options: VerifyOptions): Promise<{ before: Loaded | null; start: number } | Failure> {
  if (options.since) {
    const at = position.get(options.since.id);
    if (at === undefined) return { id: options.since.id, reason: `is missing, but an earlier run verified it (sha256 ${options.since.sha256}): snapshots were deleted or renamed` };
    const anchor = await load(dir, options.since.id);
    if (typeof anchor === 'string') return { id: options.since.id, reason: anchor };
    if (anchor.sha256 !== options.since.sha256) return { id: options.since.id, reason: `content does not match the sha256 an earlier run verified (${options.since.sha256}): it was altered since` };
    // Its own checks (schema, id, canonical form) passed on that run, and its bytes are the same.
    return { before: anchor, start: at + 1 };
  }
  if (options.last !== undefined && options.last >= 1 && ids.length > options.last) {
    const start = ids.length - options.last;
    const anchor = await load(dir, ids[start - 1]!);
    if (typeof anchor === 'string') return { id: ids[start - 1]!, reason: anchor };
    return { before: anchor, start };
  }
  return { before: null, start: 0 };
}

/** `loaded` records a sha256 for `before` that does not match it: which of the two was altered, or inserted. */
function brokenVouch(loaded: Loaded, before: Loaded, { nextId, nextRecord }: { nextId: string | undefined; nextRecord: Link | null | undefined }, options: VerifyOptions): Failure {
  const id = loaded.id;
  if (nextRecord && nextRecord.id === before.id && nextRecord.sha256 === before.sha256) {
    return { id, reason: `is not in the hash chain: ${fileName(nextId!)} records ${fileName(before.id)} as its predecessor, so this file was inserted after the chain was written` };
  }
  const disowned =
    (nextRecord && nextRecord.id === id && nextRecord.sha256 !== loaded.sha256) ||
    (nextId === undefined && options.expectedHead !== undefined && formOf(loaded, options.expectedHead) === null);
  if (disowned) {
    return {
      id,
      reason: `its record of ${fileName(before.id)}'s sha256 does not match that file, and its own content does not match the sha256 ${nextId === undefined ? 'expected for the head' : `recorded by ${fileName(nextId)}`}: this file was altered after it was written`,
    };
  }
  return { id: before.id, reason: `content does not match the sha256 recorded by ${fileName(id)}: this file was altered after it was written` };
}

/** Whether the predecessor `loaded` records is the file before it; else which file is out of place, and why. */
async function chainPlace(
  previous: Link | null,
  loaded: Loaded,
  before: Loaded | null,
  i: number,
  ids: string[],
  position: Map<string, number>,
  successor: () => Promise<{ nextId: string | undefined; nextRecord: Link | null | undefined }>,
): Promise<Failure | null> {
  const id = loaded.id;
  if (before === null && previous !== null) {
    const at = position.get(previous.id);
    if (at === undefined) return { id, reason: `records ${fileName(previous.id)} as its predecessor, but that file is missing: earlier snapshots were deleted` };
    return { id, reason: `records ${fileName(previous.id)}, which is not older than itself, as its predecessor: the chain was altered` };
  }
  if (before !== null && previous === null) {
    // Vouched for by its successor, this file is the chain's true start: what comes before it was put there later.
    const { nextId, nextRecord } = await successor();
    if (nextRecord && nextRecord.id === id && nextRecord.sha256 === loaded.sha256) {
      return { id: ids[0]!, reason: `is not in the hash chain: ${fileName(id)}, vouched for by ${fileName(nextId!)}, says it is the first snapshot, so this older file was inserted before the chain began` };
    }
    return { id, reason: `says it is the first snapshot (previous: null), but ${fileName(before.id)} comes before it: it was inserted or altered after the chain was written` };
  }
  if (before !== null && previous !== null && previous.id !== before.id) {
    const at = position.get(previous.id);
    if (at === undefined) {
      return { id, reason: `records ${fileName(previous.id)} as its predecessor, but that file is missing: a snapshot was deleted (the file before it is now ${fileName(before.id)})` };
    }
    if (at < i - 1) {
      const intruder = ids[at + 1]!;
      return { id: intruder, reason: `is not in the hash chain: ${fileName(id)} records ${fileName(previous.id)} as its predecessor, so this file was inserted after the chain was written` };
    }
    return { id, reason: `records ${fileName(previous.id)}, which is not older than itself, as its predecessor: the chain was altered` };
  }
  return null;
}

export type FileVerifyResult =
  | {
      ok: true;
      /** The snapshot the file holds. */
      id: string;
      /** sha256 of its canonical JSON: what its successor records as `previous.sha256`. */
      chainSha256: string;
      /** sha256 of the file's bytes (of its content, when it is a gzip copy): the ledger file's. */
      fileSha256: string;
      /** The predecessor it records (the chain goes on from there: `/snapshots/index.json` on the site). */
      previous: Snapshot['previous'];
      /** With `expectedSha256`: which of the two hashes it was. */
      matched: HashForm | null;
      /** The file was a gzip copy (the site's `ID.json.gz`): the hashes are of its content, the ledger file's bytes. */
      gzip: boolean;
    }
  | { ok: false; file: string; reason: string };

/**
 * One snapshot file on its own, e.g. downloaded from the site's
 * `/snapshots/ID.json.gz` (its content is checked) or `ID.json`: valid, its id and time agree, in canonical form, and,
 * with `expectedSha256` (a hash the auditor holds: a successor's
 * `previous.sha256`, a footer, a tag), equal to its chain or file hash. Its
 * place in the chain needs the other files (`verifyLedger`).
 */
export async function verifySnapshotFile(file: string, expectedSha256?: string): Promise<FileVerifyResult> {
  const fail = (reason: string): FileVerifyResult => ({ ok: false, file, reason });
  const read = await readDownload(file);
  if (!read.ok) return fail(read.reason);
  const loaded = loadBytes(read.bytes, '');
  if (typeof loaded === 'string') return fail(read.gzip ? `its content (after gunzip) ${loaded}` : loaded);
  // A download may have been renamed ("… (1).json"); a name that is a snapshot id must still be its own.
  const named = path.basename(file).replace(/\.gz$/, '').replace(/\.json$/, '');
  const own = checkOwn(loaded, SNAPSHOT_ID_PATTERN.test(named) ? named : null);
  if (typeof own === 'string') return fail(own);
  let matched: HashForm | null = null;
  if (expectedSha256 !== undefined) {
    matched = formOf(loaded, expectedSha256);
    if (matched === null) return fail(`${neitherForm(loaded, expectedSha256, 'the expected sha256')}: the file was altered, or the hash is another snapshot's`);
  }
  return { ok: true, id: own.id, chainSha256: loaded.sha256, fileSha256: sha256Hex(loaded.bytes), previous: own.previous, matched, gzip: read.gzip };
}

/**
 * A downloaded file's snapshot bytes: the file itself, or, when it starts
 * with gzip's magic bytes (the site's `ID.json.gz`, whatever it is named now),
 * its content. Both are capped (`INPUT_LIMITS.snapshotFileBytes`): the file by
 * its size before it is read, the content as it expands.
 */
async function readDownload(file: string): Promise<{ ok: true; bytes: Buffer; gzip: boolean } | { ok: false; reason: string }> {
  const cap = INPUT_LIMITS.snapshotFileBytes;
  let bytes: Buffer;
  try {
    const { size } = await stat(file);
    if (size > cap) return { ok: false, reason: `is ${formatBytes(size)}, over the ${formatBytes(cap)} cap on one snapshot file; a snapshot copy from the site is a few MB` };
    bytes = await readFile(file);
  } catch (error) {
    return { ok: false, reason: unreadable(error) };
  }
  if (!isGzip(bytes)) return { ok: true, bytes, gzip: false };
  const content = gunzipCopy(bytes, cap);
  return content.ok ? { ok: true, bytes: content.bytes, gzip: true } : content;
}

function unreadable(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' ? 'does not exist; check the path' : `cannot be read (${code ?? 'error'}); check its permissions`;
}

/** Which of a loaded file's hashes `expected` is, or null. */
function formOf(loaded: Loaded, expected: string): HashForm | null {
  const hex = expected.toLowerCase();
  if (hex === loaded.sha256) return 'chain';
  return hex === sha256Hex(loaded.bytes) ? 'file' : null;
}

/** The one line for a hash that is neither of a file's: it names both, so a reader sees which form they hold. */
function neitherForm(loaded: Loaded, expected: string, what: string): string {
  return `content does not match ${what} ${expected} in either form (its ${HASH_FORM_NAME.chain} is ${loaded.sha256}; its ${HASH_FORM_NAME.file} is ${sha256Hex(loaded.bytes)})`;
}

/** Schema, id (when known) and time, canonical form: the snapshot, or what is wrong with it. */
function checkOwn(loaded: Loaded, id: string | null): Snapshot | string {
  const valid = snapshotSchema.safeParse(loaded.raw);
  if (!valid.success) return `${describeSchemaIssue(valid.error)}: it was altered, or written by an incompatible tool`;
  const snapshot = valid.data;
  if (id !== null && snapshot.id !== id) return `contains snapshot ${snapshot.id}, not ${id}: the file was renamed, or its content swapped with another snapshot's`;
  const idOfTime = snapshotIdFor(new Date(snapshot.takenAt));
  if (idOfTime !== snapshot.id) return `takenAt ${snapshot.takenAt} does not match its id ${snapshot.id}: the time was altered after it was written`;
  if (loaded.pretty !== loaded.text) {
    return `is not in canonical form (first difference on line ${firstDifferentLine(loaded.pretty, loaded.text)}): it was edited after it was written (whitespace and key order count); restore it from git`;
  }
  return snapshot;
}

/** A file as JSON with its chain hash, or the reason it cannot be read. */
function load(dir: string, id: string): Promise<Loaded | string> {
  return loadFile(snapshotFile(dir, id), id);
}

async function loadFile(file: string, id: string): Promise<Loaded | string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return unreadable(error);
  }
  return loadBytes(bytes, id);
}

function loadBytes(bytes: Buffer, id: string): Loaded | string {
  const parsed = parseSnapshotBytes(bytes);
  if (!parsed.ok) return parsed.reason;
  // Canonicalising a value with no JSON form (e.g. a number too large) throws: that file is not a snapshot.
  let forms: { canonical: string; pretty: string };
  try {
    forms = canonicalForms(parsed.raw, true);
  } catch (error) {
    return `has no canonical form (${(error as Error).message}): it was altered, or written by an incompatible tool`;
  }
  return { id, raw: parsed.raw, text: parsed.text, bytes, pretty: forms.pretty, sha256: sha256Hex(forms.canonical) };
}

/** `previous` read loosely (before schema validation), so a file's vouch can be checked first. */
function recordedPrevious(raw: unknown): Link | null {
  const previous = (raw as { previous?: unknown } | null)?.previous as { id?: unknown; sha256?: unknown } | null | undefined;
  if (typeof previous?.id === 'string' && typeof previous.sha256 === 'string') return { id: previous.id, sha256: previous.sha256 };
  return null;
}

function firstDifferentLine(expected: string, actual: string): number {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const index = a.findIndex((line, i) => line !== b[i]);
  return (index === -1 ? a.length : index) + 1;
}

