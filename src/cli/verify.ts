/** `verify`: the whole chain, from a checkpoint, or one downloaded file. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.ts';
import { HASH_FORM_NAME, verifyLedger, verifySnapshotFile } from '../ledger/index.ts';
import { type CliIO, common, load, printable, type Command } from './command.ts';

export const verifyCommand = {
  def: {
    meta: { name: 'verify', description: 'Check every snapshot against its schema and the hash chain; name the first file that fails' },
    args: {
      ...common,
      json: { type: 'boolean', description: 'Print the result as JSON' },
      'expect-head': { type: 'string', description: 'The head sha256 anchored outside the repo (tag, commit message, site footer), its chain or file hash; also checks the newest snapshot', valueHint: 'SHA256' },
      file: { type: 'string', description: 'Check ONE snapshot file on its own (e.g. downloaded from the site\'s /snapshots/, plain or gzip): schema, id, canonical form; needs no config', valueHint: 'PATH' },
      'expect-sha256': { type: 'string', description: 'With --file: the sha256 you hold for it, its chain hash (canonical JSON) or file hash (bytes); says which matched', valueHint: 'SHA256' },
      checkpoint: {
        type: 'string',
        description: 'A file holding the head an earlier verify checked ("ID SHA256"): only it and newer snapshots are read; rewritten after a successful run (a nightly CI caches it; verify fully now and then)',
        valueHint: 'FILE',
      },
    },
  },
  async run(args, io) {
    if (typeof args.file === 'string' || args['expect-sha256'] !== undefined) return verifyOneFile(args, io);
    const loaded = await load(args, io);
    const expectedHead = args['expect-head'];
    if (expectedHead !== undefined && !/^[0-9a-f]{64}$/.test(String(expectedHead)))
      throw new UsageError(`--expect-head must be a sha256 (64 lowercase hex characters): the head's chain hash, as printed by verify, or its file hash, as sha256sum prints it`);
    const checkpoint = typeof args.checkpoint === 'string' ? path.resolve(io.cwd, args.checkpoint) : undefined;
    const since = checkpoint ? await readCheckpoint(checkpoint) : undefined;
    const result = await verifyLedger(loaded.snapshotsDir, { ...(expectedHead === undefined ? {} : { expectedHead: String(expectedHead) }), ...(since ? { since } : {}) });
    if (args.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.ok) {
      if (!args.json) io.stderr(printable(`verify failed: ${result.file}: ${result.reason}\n`));
      return ExitCode.usage;
    }
    if (checkpoint && result.head) await writeCheckpoint(checkpoint, result.head);
    const read = since ? ` (${result.checked} read since the checkpoint ${since.id})` : '';
    const matched = result.expectedHeadForm ? `; --expect-head matched its ${HASH_FORM_NAME[result.expectedHeadForm]}` : '';
    if (!args.json)
      io.stdout(
        result.head
          ? `ok: ${result.count} snapshot${result.count === 1 ? '' : 's'} verified${read}; head ${result.head.id} sha256 ${result.head.sha256}${matched}\n`
          : 'ok: the ledger is empty\n',
      );
    return ExitCode.ok;
  },
} satisfies Command;

/** `verify --file PATH [--expect-sha256 HEX]`: one downloaded snapshot, no config or ledger needed. */
async function verifyOneFile(args: Record<string, unknown>, io: CliIO): Promise<number> {
  if (typeof args.file !== 'string') throw new UsageError('--expect-sha256 needs --file PATH, the snapshot file to check; for the whole ledger use --expect-head');
  for (const other of ['expect-head', 'checkpoint', 'config']) if (args[other] !== undefined) throw new UsageError(`--file checks one file on its own; it cannot be combined with --${other}`);
  const expected = args['expect-sha256'];
  if (expected !== undefined && !/^[0-9a-fA-F]{64}$/.test(String(expected)))
    throw new UsageError('--expect-sha256 must be a sha256 (64 hex characters): the chain hash or the file hash the site footer or /snapshots/ shows');
  const result = await verifySnapshotFile(path.resolve(io.cwd, args.file), expected === undefined ? undefined : String(expected));
  if (args.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.ok) {
    if (!args.json) io.stderr(printable(`verify failed: ${args.file}: ${result.reason}\n`));
    return ExitCode.usage;
  }
  if (!args.json) {
    const how = result.matched ? `it matches the given sha256 as its ${HASH_FORM_NAME[result.matched]}` : 'no --expect-sha256 given, so compare a hash below with one you hold';
    io.stdout(
      printable(
        `ok: ${args.file} is ${result.gzip ? 'a gzip copy of ' : ''}snapshot ${result.id}, valid and in canonical form; ${how}\n` +
          `  chain hash (sha256 of its canonical JSON): ${result.chainSha256}\n` +
          (result.gzip ? `  file hash (sha256 of the ledger file, its content after gunzip): ${result.fileSha256}\n` : `  file hash (sha256 of its bytes):           ${result.fileSha256}\n`) +
          `  previous: ${result.previous ? `${result.previous.id} sha256 ${result.previous.sha256} (check the chain with the other files: /snapshots/index.json)` : 'none (the first snapshot)'}\n`,
      ),
    );
  }
  return ExitCode.ok;
}

/** `verify --checkpoint FILE`: "ID SHA256" of a head an earlier run verified, or undefined when FILE does not exist yet. */
async function readCheckpoint(file: string): Promise<{ id: string; sha256: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the checkpoint ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); delete it to verify everything`);
  }
  const match = /^(\d{4}-\d{2}-\d{2}T\d{6}Z) ([0-9a-f]{64})\s*$/.exec(text);
  if (!match) throw new UsageError(`the checkpoint ${file} is not "SNAPSHOT-ID SHA256" as verify writes it; delete it to verify everything`);
  return { id: match[1]!, sha256: match[2]! };
}

async function writeCheckpoint(file: string, head: { id: string; sha256: string }): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${head.id} ${head.sha256}\n`);
  await rename(`${file}.tmp`, file);
}
