/**
 * `release-ledger export`: the population of production changes for an
 * audit period, as CSV or JSON with its extraction manifest; `--check FILE`
 * re-performs an extraction and confirms a file and its manifest against the
 * ledger (docs/audit.md, docs/cli.md).
 */
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.ts';
import { readGeneratorVersion } from '../collect/collect.ts';
import { checkExport, exportPopulation, parseFormat, parsePeriod } from '../export/extract.ts';
import { SNAPSHOT_ID_PATTERN } from '../model/index.ts';
import { common, load, printable, type CliIO, type Command } from './command.ts';

/** Every `--env` given (citty keeps the last of a repeated string flag, so they are read from the arguments as typed). */
export function envsFrom(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--env' && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
    else if (arg.startsWith('--env=')) out.push(arg.slice('--env='.length));
  });
  return out;
}

export const exportCommand = {
  def: {
    meta: { name: 'export', description: 'The population of changes that reached production in a period (CSV or JSON) with an extraction manifest; --check re-performs one' },
    args: {
      ...common,
      from: { type: 'string', description: 'First day of the period, YYYY-MM-DD (UTC)', valueHint: 'DATE' },
      to: { type: 'string', description: 'Last day of the period, YYYY-MM-DD (UTC), inclusive', valueHint: 'DATE' },
      env: { type: 'string', description: 'Only this environment (repeat for several); default: every environment marked production', valueHint: 'NAME' },
      format: { type: 'string', description: 'csv (default) or json', valueHint: 'FORMAT' },
      out: { type: 'string', description: 'Write the export here, with FILE.manifest.json beside it (default: stdout, no manifest)', valueHint: 'FILE' },
      'as-of': { type: 'string', description: 'Extract as the ledger stood at this snapshot id (default: its head); the manifest records it', valueHint: 'SNAPSHOT-ID' },
      check: { type: 'string', description: 'Confirm an export FILE and FILE.manifest.json against the ledger: hashes, snapshots read, and the same bytes re-derived', valueHint: 'FILE' },
      manifest: { type: 'string', description: 'With --check: the manifest, if not FILE.manifest.json', valueHint: 'FILE' },
    },
  },
  async run(args, io: CliIO, argv) {
    const { snapshotsDir } = await load(args, io);
    const say = (text: string) => io.stderr(printable(text));
    if (typeof args.check === 'string') {
      for (const other of ['from', 'to', 'env', 'format', 'out', 'as-of']) if (args[other] !== undefined) throw new UsageError(`--check takes its parameters from the manifest; it cannot be combined with --${other}`);
      const file = path.resolve(io.cwd, args.check);
      const result = await checkExport({ snapshotsDir, file, ...(typeof args.manifest === 'string' ? { manifestFile: path.resolve(io.cwd, args.manifest) } : {}) });
      if (!result.ok) {
        say(`export check failed: ${result.reason}\n`);
        return ExitCode.usage;
      }
      const m = result.manifest;
      io.stdout(printable(`ok: ${args.check} is the population ${m.parameters.from} to ${m.parameters.to} as the ledger gives it at ${m.ledger.head.id}: ${m.rows} rows, sha256 ${m.file.sha256}, ${m.snapshots.length} snapshots re-read\n`));
      return ExitCode.ok;
    }
    if (args.manifest !== undefined) throw new UsageError('--manifest goes with --check FILE');
    const asOf = args['as-of'];
    if (asOf !== undefined && (typeof asOf !== 'string' || !SNAPSHOT_ID_PATTERN.test(asOf))) throw new UsageError(`--as-of must be a snapshot id such as 2026-03-14T020000Z (got "${String(asOf)}")`);
    const period = parsePeriod(args.from, args.to, envsFrom(argv));
    const format = parseFormat(args.format);
    const out = typeof args.out === 'string' ? path.resolve(io.cwd, args.out) : null;
    const result = await exportPopulation({
      snapshotsDir,
      period,
      format,
      ...(typeof asOf === 'string' ? { asOf } : {}),
      target: out ? { file: out } : { write: io.stdout },
      extractedAt: (io.now ?? (() => new Date()))(),
      generator: { name: 'release-ledger', version: await readGeneratorVersion() },
    });
    const m = result.manifest;
    const open = `${m.period.closed ? '' : ' (the period is not closed yet: no snapshot after its last day)'}${m.period.beforeLedger ? ' (the period begins before the ledger: earlier changes are only those still running at its first snapshot)' : ''}`;
    const gaps = m.deploymentGaps.length > 0 ? `; ${m.deploymentGaps.length} deployment gaps in the snapshots read, listed in the manifest` : '';
    if (out) io.stdout(printable(`${path.relative(io.cwd, out) || out} ${m.file.sha256} — ${m.rows} changes from ${m.snapshots.length} snapshots${open}${gaps}; manifest ${path.relative(io.cwd, result.manifestFile!) || result.manifestFile}\n`));
    else say(`${m.rows} changes, sha256 ${m.file.sha256}${open}${gaps}; no manifest without --out\n`);
    return ExitCode.ok;
  },
} satisfies Command;
