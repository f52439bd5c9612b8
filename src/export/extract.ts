/**
 * Extracting the population from the ledger, with its manifest, and checking
 * an export against the ledger again (docs/audit.md). Snapshots are read one
 * at a time, oldest first, and each one's rows are written before the next is
 * read: memory holds one snapshot and the change ids seen, whatever the
 * period's length. The manifest says what was read (every snapshot with its
 * chain hash and file hash), with which parameters, when, and the export's
 * own sha256, so an auditor can re-perform the extraction (`export --check`).
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LedgerError, UsageError } from '../errors.ts';
import { listSnapshotIds, readSnapshotFile, sha256Hex, verifyLedger } from '../ledger/index.ts';
import { SNAPSHOT_ID_PATTERN, type Snapshot } from '../model/index.ts';
import { EXPORT_FORMATS, exportHead, exportRow, exportTail, type ExportFormat } from './format.ts';
import { deploymentGaps, isDay, periodBounds, rowsOf, snapshotsForPeriod, type ChangeRow, type Period } from './population.ts';

export const MANIFEST_SUFFIX = '.manifest.json';

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const snapshotId = z.string().regex(SNAPSHOT_ID_PATTERN);

/** The extraction manifest written beside every export file. */
export const manifestSchema = z
  .object({
    manifest: z.literal('release-ledger export manifest'),
    manifestVersion: z.literal(1),
    generator: z.object({ name: z.string(), version: z.string() }).strict(),
    /** The command that re-performs the extraction. */
    command: z.string(),
    parameters: z
      .object({
        from: z.string(),
        to: z.string(),
        environments: z.array(z.string()).nullable(),
        format: z.enum(['csv', 'json']),
        /** The newest snapshot the extraction considered: the ledger's head at the time. */
        asOf: snapshotId,
      })
      .strict(),
    extractedAt: z.string(),
    /** `closed`: a snapshot after the last day was read. `beforeLedger`: the period begins before the first snapshot's day, so changes before it are only those still running then. */
    period: z.object({ start: z.string(), end: z.string(), closed: z.boolean(), beforeLedger: z.boolean() }).strict(),
    ledger: z.object({ head: z.object({ id: snapshotId, sha256: sha }).strict() }).strict(),
    snapshots: z.array(z.object({ id: snapshotId, sha256: sha, fileSha256: sha }).strict()),
    deploymentGaps: z.array(z.object({ snapshot: snapshotId, source: z.string(), service: z.string().nullable(), environment: z.string().nullable(), evidence: z.string(), reason: z.string() }).strict()),
    rows: z.number().int().min(0),
    file: z.object({ name: z.string(), bytes: z.number().int().min(0), sha256: sha }).strict(),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

/** What to extract. */
export interface ExtractRequest {
  snapshotsDir: string;
  period: Period;
  format: ExportFormat;
  /** Extract as the ledger stood at this snapshot id (default: its head). */
  asOf?: string;
  /** Called with each row as it is written (the site's period table). */
  onRow?: (row: ChangeRow) => void;
  /**
   * Chain hashes already known (the site's, from each successor's `previous` link, after
   * `verify`), so each snapshot's canonical form is not computed again; the export command and
   * `--check` leave it out and hash every snapshot they read.
   */
  knownSha256?: (id: string) => string | undefined;
}

/** Checks the parameters a user typed; UsageError naming the one that is wrong. */
export function parsePeriod(from: unknown, to: unknown, environments: readonly string[]): Period {
  if (typeof from !== 'string' || !isDay(from)) throw new UsageError(`--from must be a calendar day YYYY-MM-DD (got "${String(from ?? '')}")`);
  if (typeof to !== 'string' || !isDay(to)) throw new UsageError(`--to must be a calendar day YYYY-MM-DD (got "${String(to ?? '')}")`);
  if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
  return { from, to, environments: environments.length > 0 ? [...new Set(environments)].sort() : null };
}

export function parseFormat(value: unknown): ExportFormat {
  if (value === undefined) return 'csv';
  if (typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${String(value)}")`);
}

/** The command line that re-performs an extraction (what the manifest records). */
export function commandLine(p: Manifest['parameters'], outName: string | null): string {
  const envs = (p.environments ?? []).map((e) => ` --env ${e}`).join('');
  return `release-ledger export --from ${p.from} --to ${p.to}${envs} --format ${p.format} --as-of ${p.asOf}${outName ? ` --out ${outName}` : ''}`;
}

/** What an extraction derived from the ledger, besides its bytes: what the manifest records. */
export interface Derived {
  rows: number;
  snapshots: Manifest['snapshots'];
  deploymentGaps: Manifest['deploymentGaps'];
  closed: boolean;
  beforeLedger: boolean;
  head: { id: string; sha256: string };
}

/**
 * Derives the population and hands its bytes to `write`, a snapshot's rows
 * at a time. Shared by the export and its check, so both produce the same
 * bytes from the same ledger.
 */
async function derive(request: ExtractRequest, write: (text: string) => Promise<void>): Promise<Derived> {
  const { snapshotsDir: dir, period, format } = request;
  const ids = await listSnapshotIds(dir);
  if (ids.length === 0) throw new LedgerError(`the ledger in ${dir} is empty; run release-ledger collect first`);
  const asOf = request.asOf ?? ids.at(-1)!;
  if (!ids.includes(asOf)) throw new UsageError(`--as-of ${asOf}: no such snapshot in ${dir}`);
  const headEntry = await readSnapshotFile(dir, asOf, request.knownSha256?.(asOf));
  const selection = snapshotsForPeriod(ids, period, asOf);
  if (period.environments) {
    const known = new Set(headEntry.snapshot.environments.map((e) => e.name));
    const unknown = period.environments.filter((e) => !known.has(e));
    if (unknown.length > 0) throw new UsageError(`--env ${unknown.join(', ')}: no such environment in snapshot ${asOf} (it has ${[...known].join(', ')})`);
  }
  const seen = new Set<string>();
  const snapshots: Manifest['snapshots'] = [];
  const gaps: Manifest['deploymentGaps'] = [];
  let rows = 0;
  await write(exportHead(format));
  for (const id of selection.ids) {
    const entry = id === asOf ? headEntry : await readSnapshotFile(dir, id, request.knownSha256?.(id));
    snapshots.push({ id, sha256: entry.sha256, fileSha256: sha256Hex(entry.bytes) });
    gaps.push(...manifestGaps(id, entry.snapshot, period.environments));
    let text = '';
    for (const row of rowsOf(entry.snapshot, entry.sha256, period, seen)) {
      request.onRow?.(row);
      text += exportRow(format, row, rows++);
    }
    if (text) await write(text);
  }
  await write(exportTail(format, rows));
  return { rows, snapshots, deploymentGaps: gaps, closed: selection.closed, beforeLedger: period.from < ids[0]!.slice(0, 10), head: { id: asOf, sha256: headEntry.sha256 } };
}

/** A snapshot's deployment gaps as the manifest lists them (population.ts `deploymentGaps`). */
export function manifestGaps(id: string, snapshot: Snapshot, environments: readonly string[] | null): Manifest['deploymentGaps'] {
  return deploymentGaps(snapshot, environments).map((g) => ({ snapshot: id, source: g.source, service: g.service ?? null, environment: g.environment ?? null, evidence: g.evidence, reason: g.reason }));
}

/** Where the export goes: a file (atomically replaced, with its manifest beside it) or a stream such as stdout. */
export type ExportTarget = { file: string } | { write: (text: string) => void; /** The file name the bytes will have (the site's download), for the manifest. */ name?: string };

export interface ExportResult {
  manifest: Manifest;
  /** The manifest file, or null when the export went to a stream. */
  manifestFile: string | null;
}

/**
 * Extracts the population into `target`. `extractedAt` is the caller's clock
 * (the CLI's, or the closing snapshot's time for the site's period files), so
 * the same ledger, parameters and clock give byte-identical files.
 */
export async function exportPopulation(request: ExtractRequest & { target: ExportTarget; extractedAt: Date; generator: { name: string; version: string } }): Promise<ExportResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  const count = (text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    hash.update(buffer);
    bytes += buffer.length;
    return buffer;
  };
  let derived: Derived;
  let name: string | null = null;
  if ('file' in request.target) {
    const file = request.target.file;
    name = path.basename(file);
    const temp = path.join(path.dirname(file), `.${name}.${process.pid}.tmp`);
    const handle = await open(temp, 'w');
    try {
      derived = await derive(request, async (text) => {
        await handle.write(count(text));
      });
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, file);
  } else {
    const sink = request.target.write;
    name = request.target.name ?? null;
    derived = await derive(request, async (text) => {
      count(text);
      sink(text);
    });
  }
  const manifest = manifestOf(request, derived, name, { bytes, sha256: hash.digest('hex') });
  if (!('file' in request.target)) return { manifest, manifestFile: null };
  const manifestFile = `${request.target.file}${MANIFEST_SUFFIX}`;
  await writeAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestFile };
}

/**
 * The manifest of an extraction: its parameters, what it derived and the
 * bytes written. Shared by `exportPopulation` and the site's period files
 * assembled from cached parts (parts.ts), so both record the same manifest.
 */
export function manifestOf(
  request: Pick<ExtractRequest, 'period' | 'format'> & { extractedAt: Date; generator: { name: string; version: string } }, derived: Derived, name: string | null, file: { bytes: number; sha256: string },
): Manifest {
  const parameters: Manifest['parameters'] = { from: request.period.from, to: request.period.to, environments: request.period.environments ? [...request.period.environments] : null, format: request.format, asOf: derived.head.id };
  const { start, end } = periodBounds(request.period);
  return {
    manifest: 'release-ledger export manifest',
    manifestVersion: 1,
    generator: request.generator,
    command: commandLine(parameters, name),
    parameters,
    extractedAt: request.extractedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    period: { start, end, closed: derived.closed, beforeLedger: derived.beforeLedger },
    ledger: { head: derived.head },
    snapshots: derived.snapshots,
    deploymentGaps: derived.deploymentGaps,
    rows: derived.rows,
    file: { name: name ?? '-', bytes: file.bytes, sha256: file.sha256 },
  };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

export type CheckResult = { ok: true; manifest: Manifest } | { ok: false; reason: string };

/** One line naming where an export first differs from its re-derivation. */
function firstDifference(held: Buffer, derived: Buffer): string {
  const limit = Math.min(held.length, derived.length);
  let i = 0;
  while (i < limit && held[i] === derived[i]) i++;
  const line = held.subarray(0, i).toString('utf8').split('\n').length;
  if (i === limit) return held.length > derived.length ? `has ${held.length - derived.length} bytes more than the ledger gives, from line ${line}` : `ends early at line ${line}: the ledger gives ${derived.length - held.length} bytes more`;
  return `differs from what the ledger gives at byte ${i + 1} (line ${line})`;
}

/**
 * Confirms an export and its manifest against the ledger: the file's sha256
 * is the manifest's, the ledger's chain holds and still has the head the
 * manifest names, the snapshots read are the ones listed with the same
 * hashes, and re-deriving with the manifest's parameters gives the same bytes.
 */
export async function checkExport(options: { snapshotsDir: string; file: string; manifestFile?: string }): Promise<CheckResult> {
  const manifestFile = options.manifestFile ?? `${options.file}${MANIFEST_SUFFIX}`;
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const held = await read(options.file);
  let manifest: Manifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse((await read(manifestFile)).toString('utf8')));
    if (!parsed.success) return { ok: false, reason: `${manifestFile}: not an export manifest (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})` };
    manifest = parsed.data;
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    return { ok: false, reason: `${manifestFile}: not JSON` };
  }
  const fileSha = sha256Hex(held);
  if (fileSha !== manifest.file.sha256) return { ok: false, reason: `${options.file}: sha256 ${fileSha} is not the manifest's ${manifest.file.sha256}: the file changed after extraction` };
  if (held.length !== manifest.file.bytes) return { ok: false, reason: `${options.file}: ${held.length} bytes, the manifest says ${manifest.file.bytes}` };
  const chain = await verifyLedger(options.snapshotsDir);
  if (!chain.ok) return { ok: false, reason: `the ledger does not verify: ${chain.file}: ${chain.reason}` };
  const ids = await listSnapshotIds(options.snapshotsDir);
  const head = manifest.ledger.head;
  if (!ids.includes(head.id)) return { ok: false, reason: `${manifestFile}: the ledger has no snapshot ${head.id}, the head the export was taken at` };
  const chunks: Buffer[] = [];
  let derived: Derived;
  try {
    const period = parsePeriod(manifest.parameters.from, manifest.parameters.to, manifest.parameters.environments ?? []);
    derived = await derive({ snapshotsDir: options.snapshotsDir, period, format: manifest.parameters.format, asOf: manifest.parameters.asOf }, async (text) => {
      chunks.push(Buffer.from(text, 'utf8'));
    });
  } catch (error) {
    // The manifest's parameters are what was typed then: say which file they came from.
    if (error instanceof UsageError) return { ok: false, reason: `${manifestFile}: parameters: ${error.message}` };
    throw error;
  }
  if (derived.head.sha256 !== head.sha256) return { ok: false, reason: `${manifestFile}: snapshot ${head.id} has sha256 ${derived.head.sha256} in the ledger, the manifest recorded ${head.sha256}` };
  const listed = manifest.snapshots.map((s) => `${s.id} ${s.sha256} ${s.fileSha256}`);
  const readNow = derived.snapshots.map((s) => `${s.id} ${s.sha256} ${s.fileSha256}`);
  const missing = readNow.find((s, i) => listed[i] !== s) ?? (listed.length > readNow.length ? listed[readNow.length] : undefined);
  if (missing !== undefined || listed.length !== readNow.length) return { ok: false, reason: `${manifestFile}: the snapshots listed are not the ones the ledger gives for the period (first difference: ${missing ?? 'count'})` };
  if (derived.rows !== manifest.rows) return { ok: false, reason: `${manifestFile}: ${manifest.rows} rows recorded, the ledger gives ${derived.rows}` };
  const again = Buffer.concat(chunks);
  if (!again.equals(held)) return { ok: false, reason: `${options.file} ${firstDifference(held, again)}` };
  const expectedCommand = commandLine(manifest.parameters, manifest.file.name === '-' ? null : manifest.file.name);
  if (manifest.command !== expectedCommand) return { ok: false, reason: `${manifestFile}: command "${manifest.command}" is not what its parameters say ("${expectedCommand}")` };
  return { ok: true, manifest };
}
