/**
 * The `release-ledger` command line. `main` takes its inputs (argv, env, cwd,
 * output streams) as arguments and returns the exit code, so tests run it
 * in-process; `bin/release-ledger.mjs` is the only place that touches
 * `process`. One top-level handler prints one line per error; stacks only
 * with `--debug` (library errors can carry request objects, and so tokens).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, renderUsage, type ArgsDef, type CommandDef } from 'citty';
import { ConfigError, ExitCode, LedgerError, UsageError } from '../src/errors.ts';
import {
  diffEnvironments,
  diffSnapshots,
  lastKnownBefore,
  findSnapshotAt,
  formatEnvironmentDiff,
  formatSnapshotDiff,
  listSnapshotIds,
  parseAt,
  parseDiffOperand,
  readHead,
  readSnapshot,
  snapshotHash,
  HASH_FORM_NAME,
  verifyLedger,
  verifySnapshotFile,
} from '../src/ledger/index.ts';
import { SEVERITIES, type Severity } from '../src/model/config.ts';
import { loadConfig, type LoadedConfig } from '../src/model/load-config.ts';
import { MIN_SECRET_KEY_LENGTH, secretKeyFrom, type SecretKey } from '../src/model/secret-fingerprint.ts';
import { formatStateView, stateView } from '../src/report/show.ts';
import { isOpen, meetsSeverity } from '../src/rules/index.ts';
import { collect, collectShard, mergeShards, readGeneratorVersion, type CollectResult } from './collect.ts';
import { parseShardSpec } from './shard.ts';
import { exportCommand, runExport } from '../src/cli/export.ts';

export interface CliIO {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is shown either way unless --quiet). */
  isTTY?: boolean;
  fetch?: typeof globalThis.fetch;
  /** Clock, for commands that need "now" (collect without --at). */
  now?: () => Date;
}

const REPORT_URL = 'https://github.com/release-ledger/release-ledger/issues';
const DEFAULT_CONFIG = 'release-ledger.config.yaml';

const common = {
  config: { type: 'string', description: `Config file (default: ${DEFAULT_CONFIG} in the current folder); the ledger is found from it`, valueHint: 'FILE' },
  debug: { type: 'boolean', description: 'Print stacks of unexpected errors' },
  quiet: { type: 'boolean', description: 'No progress on stderr' },
  help: { type: 'boolean', alias: 'h', description: 'Show this help' },
} as const satisfies ArgsDef;

/** `--fail-on`, shared by collect and merge (the CI gate). */
const failOnArg = { type: 'string', description: `Exit 4 when an open finding is at or above this severity (${SEVERITIES.join(', ')})`, valueHint: 'SEVERITY' } as const;

const EXIT_CODES = `Exit codes:
  0  success
  1  internal error (a bug; please report it)
  2  usage or configuration error, or a refused write (nothing written)
  3  snapshot written but incomplete (it has gaps)
  4  an open finding at or above --fail-on (wins over 3)`;

const commands = {
  collect: {
    meta: { name: 'collect', description: 'Run every configured source and append one snapshot to the ledger' },
    args: {
      ...common,
      at: { type: 'string', description: 'Snapshot time (ISO time or date = end of that day, UTC), not in the future (5 minutes of clock skew allowed); never rewrites or precedes an existing snapshot', valueHint: 'ISO-TIME' },
      'fail-on': failOnArg,
      shard: {
        type: 'string',
        description: 'Collect only shard i of n (services split by a stable hash of their names) into <ledger>/../shards/<id>/; needs --at; then run merge',
        valueHint: 'i/n',
      },
    },
  },
  verify: {
    meta: { name: 'verify', description: 'Check every snapshot against its schema and the hash chain; name the first file that fails' },
    args: {
      ...common,
      json: { type: 'boolean', description: 'Print the result as JSON' },
      'expect-head': { type: 'string', description: 'The head sha256 anchored outside the repo (tag, commit message, site footer), its chain or file hash; also checks the newest snapshot', valueHint: 'SHA256' },
      file: { type: 'string', description: 'Check ONE snapshot file on its own (e.g. downloaded from the site\'s /snapshots/): schema, id, canonical form; needs no config', valueHint: 'PATH' },
      'expect-sha256': { type: 'string', description: 'With --file: the sha256 you hold for it, its chain hash (canonical JSON) or file hash (bytes); says which matched', valueHint: 'SHA256' },
      checkpoint: {
        type: 'string',
        description: 'A file holding the head an earlier verify checked ("ID SHA256"): only it and newer snapshots are read; rewritten after a successful run (a nightly CI caches it; verify fully now and then)',
        valueHint: 'FILE',
      },
    },
  },
  show: {
    meta: { name: 'show', description: 'What was running at a moment (the latest snapshot at or before it)' },
    args: {
      ...common,
      at: { type: 'string', description: 'Date (end of that day, UTC), ISO time or snapshot id; default: the latest', valueHint: 'DATE-OR-TIME' },
      env: { type: 'string', description: 'Only this environment', valueHint: 'NAME' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
  },
  diff: {
    meta: { name: 'diff', description: 'What differs between two snapshots (ids or dates) or two environments (prod@2026-03-14 qa@2026-03-14)' },
    args: {
      ...common,
      a: { type: 'positional', description: 'Snapshot id, date, or ENV@DATE', required: true },
      b: { type: 'positional', description: 'Snapshot id, date, or ENV@DATE', required: true },
      json: { type: 'boolean', description: 'Print JSON' },
    },
  },
  build: {
    meta: { name: 'build', description: 'Build the static site over the ledger beside the config' },
    args: {
      ...common,
      out: {
        type: 'string',
        description: 'Output folder (default: dist/ beside the config), replaced whole: missing, empty or an earlier build\'s; never the config\'s folder, the ledger or a git root',
        valueHint: 'DIR',
      },
      full: { type: 'boolean', description: 'Rebuild every page instead of reusing unchanged past days from the previous build' },
    },
  },
  dev: {
    meta: { name: 'dev', description: 'Serve the site over the ledger while you work on it' },
    args: { ...common, port: { type: 'string', description: 'Port (default 4321)', valueHint: 'PORT' } },
  },
  merge: {
    meta: { name: 'merge', description: 'Assemble one snapshot from every shard written by collect --shard and append it; refuses missing or duplicate shards' },
    args: {
      ...common,
      at: { type: 'string', description: 'The --at the shards were collected with (required)', valueHint: 'ISO-TIME' },
      shards: { type: 'string', description: 'How many shards to expect (default: the n the shard files name; they must agree)', valueHint: 'N' },
      'fail-on': failOnArg,
    },
  },
  init: {
    meta: { name: 'init', description: 'Write a commented starter config, an example inventory and a nightly GitHub Actions workflow' },
    args: {
      // No --config: init writes the config (into --dir).
      debug: common.debug,
      quiet: common.quiet,
      help: common.help,
      dir: { type: 'string', description: 'Folder for the config and inventory (default: the current folder); the workflow goes to the git root above it', valueHint: 'DIR' },
      force: { type: 'boolean', description: 'Overwrite existing files' },
      shards: { type: 'string', description: 'Collect over N matrix jobs merged into one snapshot (collect --shard, merge); default 1', valueHint: 'N' },
    },
  },
  export: { meta: exportCommand.meta, args: { ...common, ...exportCommand.args } },
} satisfies Record<string, CommandDef>;
type CommandName = keyof typeof commands;

const root: CommandDef = {
  meta: { name: 'release-ledger', description: 'What was running in each environment, how it got there, and who approved it' },
  subCommands: commands,
};

async function usage(cmd: CommandDef, parent?: CommandDef): Promise<string> {
  // citty colours its usage text; help is printed plain (it is read in CI logs and piped), without trailing padding.
  // eslint-disable-next-line no-control-regex
  const plain = (await renderUsage(cmd, parent)).replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((line) => line.trimEnd()).join('\n');
  return `${plain.trimEnd()}\n\n${EXIT_CODES}\n`;
}

/** Terminal-safe text: control characters and bidi overrides from outside data are shown escaped. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseCommandArgs(name: CommandName, argv: string[]) {
  const def = commands[name];
  const args = parseArgs(argv, def.args as ArgsDef) as Record<string, unknown> & { _: string[] };
  const known = new Set<string>(['_']);
  for (const [key, value] of Object.entries(def.args as ArgsDef)) {
    known.add(key);
    for (const alias of [('alias' in value ? value.alias : undefined) ?? []].flat()) known.add(alias);
  }
  for (const key of Object.keys(args)) {
    // citty adds camelCase twins of kebab-case flags.
    const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (!known.has(key) && !known.has(kebab)) throw new UsageError(`unknown option --${kebab} for "${name}"; see release-ledger ${name} --help`);
  }
  const positionals = Object.entries(def.args as ArgsDef).filter(([, v]) => v.type === 'positional');
  if (args._.length > positionals.length) throw new UsageError(`unexpected argument "${args._[positionals.length]}" for "${name}"; see release-ledger ${name} --help`);
  positionals.forEach(([key, value], i) => {
    if (value.required && args._[i] === undefined) throw new UsageError(`"${name}" needs ${positionals.length} arguments (${positionals.map(([k]) => k.toUpperCase()).join(' ')}); see release-ledger ${name} --help`);
    args[key] = args._[i];
  });
  for (const [key, value] of Object.entries(def.args as ArgsDef)) {
    if (value.type === 'string' && args[key] !== undefined && typeof args[key] !== 'string') throw new UsageError(`--${key} needs a value; see release-ledger ${name} --help`);
    if (value.type === 'string' && args[key] === '') throw new UsageError(`--${key} needs a value; see release-ledger ${name} --help`);
  }
  return args;
}

async function load(args: { config?: unknown }, io: CliIO): Promise<LoadedConfig> {
  const file = path.resolve(io.cwd, typeof args.config === 'string' ? args.config : DEFAULT_CONFIG);
  return loadConfig(file);
}

/**
 * The ledger key that `secretKeyEnv` names, read once per command; a key too
 * short to protect anything is refused before any source runs. Without one,
 * `warning` is what to say once on stderr after the write (the snapshot says
 * it too: `secretFingerprints.keyId` is null).
 */
function ledgerKey(loaded: LoadedConfig, io: CliIO): { secretKey: SecretKey | null; warning?: string } {
  const name = loaded.config.secretKeyEnv;
  const text = name ? io.env[name] : undefined;
  if (name && text) {
    const secretKey = secretKeyFrom(text);
    if (!secretKey)
      throw new ConfigError(
        `${loaded.file}: secretKeyEnv: ${name} holds ${text.length} characters; the ledger key needs at least ${MIN_SECRET_KEY_LENGTH} (create one with: openssl rand -base64 32)`,
        loaded.file,
      );
    return { secretKey };
  }
  return {
    secretKey: null,
    warning: `warning: ${name ? `${name} (secretKeyEnv) is not set` : 'no secretKeyEnv in the config'}: secret values were stored with no fingerprint, so their changes cannot be detected until a ledger key is configured (see docs/guarantees.md)\n`,
  };
}

function parseSeverity(value: unknown): Severity | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(SEVERITIES as readonly string[]).includes(value))
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got "${String(value)}")`);
  return value as Severity;
}

async function snapshotAt(loaded: LoadedConfig, at: string | undefined): Promise<string> {
  const dir = loaded.snapshotsDir;
  if (at === undefined) {
    const ids = await listSnapshotIds(dir);
    const last = ids.at(-1);
    if (!last) throw new LedgerError(`the ledger in ${dir} is empty; run release-ledger collect first`);
    return last;
  }
  const id = await findSnapshotAt(dir, parseAt(at));
  if (!id) throw new LedgerError(`no snapshot at or before ${at} in ${dir}`);
  return id;
}

/** The one-line summary of an appended snapshot, and its exit code (4 gate > 3 gaps > 0). */
function reportSnapshot(result: CollectResult, failOn: Severity | undefined, io: CliIO): number {
  const open = result.snapshot.findings.filter(isOpen);
  const gaps = result.snapshot.gaps.length;
  io.stdout(
    `${path.relative(io.cwd, result.file) || result.file} ${result.sha256} — ${result.snapshot.deployments.length} deployments, ${open.length} open findings, ${gaps} gaps\n`,
  );
  if (failOn) {
    const blocking = open.filter((f) => meetsSeverity(f, failOn));
    if (blocking.length) {
      io.stderr(printable(`${blocking.length} open finding${blocking.length === 1 ? '' : 's'} at or above ${failOn}: ${blocking.slice(0, 5).map((f) => f.id).join(', ')}${blocking.length > 5 ? ', …' : ''}\n`));
      return ExitCode.gate;
    }
  }
  return gaps ? ExitCode.incomplete : ExitCode.ok;
}

async function run(name: CommandName, args: Record<string, unknown>, io: CliIO, argv: readonly string[] = []): Promise<number> {
  const progress = args.quiet ? () => {} : (message: string) => io.stderr(`${printable(message)}\n`);
  switch (name) {
    case 'collect': {
      const failOn = parseSeverity(args['fail-on']);
      if (typeof args.shard === 'string') {
        const shard = parseShardSpec(args.shard);
        // Every job of a matrix must name the same time, or the shards would be of different snapshots.
        if (typeof args.at !== 'string') throw new UsageError('collect --shard needs --at (the same time on every shard, e.g. the time the matrix started)');
        if (failOn) throw new UsageError('--fail-on applies to the whole snapshot: pass it to merge, not to collect --shard');
        const loaded = await load(args, io);
        const key = ledgerKey(loaded, io);
        const result = await collectShard({ loaded, at: parseAt(args.at), now: (io.now ?? (() => new Date()))(), env: io.env, fetch: io.fetch, progress, shard, secretKey: key.secretKey });
        if (key.warning) io.stderr(key.warning);
        io.stdout(`${path.relative(io.cwd, result.file) || result.file} — shard ${shard.index}/${shard.count}: ${result.services.length} services, ${result.gaps} gaps\n`);
        return ExitCode.ok;
      }
      const loaded = await load(args, io);
      const now = (io.now ?? (() => new Date()))();
      const at = typeof args.at === 'string' ? parseAt(args.at) : now;
      const key = ledgerKey(loaded, io);
      const result = await collect({ loaded, at, now, env: io.env, fetch: io.fetch, progress, secretKey: key.secretKey });
      if (key.warning) io.stderr(key.warning);
      return reportSnapshot(result, failOn, io);
    }
    case 'merge': {
      if (typeof args.at !== 'string') throw new UsageError('merge needs --at, the time every shard was collected with (collect --shard i/n --at T)');
      const failOn = parseSeverity(args['fail-on']);
      const count = args.shards === undefined ? undefined : Number(args.shards);
      if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1000)) throw new UsageError(`--shards must be a whole number from 1 to 1000 (got "${String(args.shards)}")`);
      const loaded = await load(args, io);
      const key = ledgerKey(loaded, io);
      const result = await mergeShards({ loaded, at: parseAt(args.at), now: (io.now ?? (() => new Date()))(), env: io.env, progress, count, secretKey: key.secretKey });
      if (key.warning) io.stderr(key.warning);
      return reportSnapshot(result, failOn, io);
    }
    case 'init': {
      const dir = path.resolve(io.cwd, typeof args.dir === 'string' ? args.dir : '.');
      const shards = args.shards === undefined ? 1 : Number(args.shards);
      // A GitHub Actions matrix runs at most 256 jobs: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstrategymatrix
      if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new UsageError(`--shards must be a whole number from 1 to 256, the jobs of one GitHub Actions matrix (got "${String(args.shards)}")`);
      const { writeInitFiles } = await import('../src/init/index.ts');
      const result = await writeInitFiles({ dir, force: Boolean(args.force), shards });
      for (const file of result.written) io.stdout(`wrote ${path.relative(io.cwd, file) || file}\n`);
      io.stdout(
        `next: edit ${path.relative(io.cwd, result.written[0]!) || result.written[0]} and ${path.relative(io.cwd, result.written[1]!) || result.written[1]}, create the ledger key (openssl rand -base64 32) as the repository secret RELEASE_LEDGER_SECRET_KEY and export it before "release-ledger collect", commit, and enable GitHub Pages (Settings → Pages → Source: GitHub Actions)\n`,
      );
      return ExitCode.ok;
    }
    case 'verify': {
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
    }
    case 'show': {
      const loaded = await load(args, io);
      const id = await snapshotAt(loaded, typeof args.at === 'string' ? args.at : undefined);
      const snapshot = await readSnapshot(loaded.snapshotsDir, id);
      const env = typeof args.env === 'string' ? args.env : undefined;
      if (env !== undefined && !snapshot.environments.some((e) => e.name === env))
        throw new UsageError(`no environment "${env}" in snapshot ${id} (it has ${snapshot.environments.map((e) => e.name).join(', ')})`);
      const view = stateView(snapshot, snapshotHash(snapshot), env);
      io.stdout(args.json ? `${JSON.stringify(view, null, 2)}\n` : printable(formatStateView(view)));
      return ExitCode.ok;
    }
    case 'diff': {
      const loaded = await load(args, io);
      const a = parseDiffOperand(String(args.a));
      const b = parseDiffOperand(String(args.b));
      const [sa, sb] = await Promise.all(
        [a, b].map(async (operand) => readSnapshot(loaded.snapshotsDir, await snapshotAt(loaded, operand.at))),
      );
      if ((a.environment === undefined) !== (b.environment === undefined))
        throw new UsageError('diff compares two snapshots (A B) or two environments (ENV@DATE ENV@DATE), not one of each');
      if (a.environment !== undefined && b.environment !== undefined) {
        for (const [operand, snapshot] of [[a, sa!], [b, sb!]] as const) {
          if (!snapshot.environments.some((e) => e.name === operand.environment))
            throw new UsageError(`no environment "${operand.environment}" in snapshot ${snapshot.id}`);
        }
        const diff = diffEnvironments(sa!, a.environment, sb!, b.environment);
        io.stdout(args.json ? `${JSON.stringify(diff, null, 2)}\n` : printable(formatEnvironmentDiff(diff)));
      } else {
        // A deployment a gap hid in A is compared with the last snapshot before A that knew it.
        const ids = await listSnapshotIds(loaded.snapshotsDir);
        const earlier = async function* () {
          for (let j = ids.indexOf(sa!.id) - 1; j >= 0; j--) yield readSnapshot(loaded.snapshotsDir, ids[j]!);
        };
        const diff = diffSnapshots(sa!, sb!, { lastKnown: await lastKnownBefore(sa!, sb!, earlier()) });
        io.stdout(args.json ? `${JSON.stringify(diff, null, 2)}\n` : printable(formatSnapshotDiff(diff)));
      }
      return ExitCode.ok;
    }
    case 'build': {
      const loaded = await load(args, io);
      const outDir = path.resolve(io.cwd, typeof args.out === 'string' ? args.out : path.join(loaded.dir, 'dist'));
      if ((await readHead(loaded.snapshotsDir)) === null) throw new LedgerError(`the ledger in ${loaded.snapshotsDir} is empty; run release-ledger collect first`);
      const { buildSite } = await import('../src/site/build.ts');
      progress(`building the site over ${loaded.snapshotsDir} into ${outDir}`);
      // Incremental by default: past day pages are immutable, so a nightly build reuses them (cache beside the output).
      const result = await buildSite({ snapshotsDir: loaded.snapshotsDir, outDir, configDir: loaded.dir, siteName: loaded.config.name, robots: loaded.config.site.robots, logLevel: args.quiet ? 'error' : 'warn', debug: args.debug === true, incremental: !args.full });
      io.stdout(`built ${result.pages} pages into ${path.relative(io.cwd, outDir) || outDir} (${result.rendered} rendered, ${result.reused} reused)\n`);
      return ExitCode.ok;
    }
    case 'export': {
      const loaded = await load(args, io);
      return runExport(args, argv, loaded.snapshotsDir, { cwd: io.cwd, stdout: io.stdout, stderr: (t) => io.stderr(printable(t)), now: io.now ?? (() => new Date()) }, { name: 'release-ledger', version: await readGeneratorVersion() });
    }
    case 'dev': {
      const loaded = await load(args, io);
      const port = args.port === undefined ? 4321 : Number(args.port);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${String(args.port)}")`);
      const { devSite } = await import('../src/site/dev.ts');
      const server = await devSite({ snapshotsDir: loaded.snapshotsDir, port });
      io.stdout(`serving ${loaded.snapshotsDir} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise(() => {});
      return ExitCode.ok;
    }
  }
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(await usage(root));
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${await readGeneratorVersion()}\n`);
      return ExitCode.ok;
    }
    if (!Object.hasOwn(commands, name)) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')} (see release-ledger --help)`);
    const command = name as CommandName;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(await usage(commands[command], root));
      return ExitCode.ok;
    }
    const args = parseCommandArgs(command, rest);
    return await run(command, args, io, rest);
  } catch (error) {
    if (error instanceof LedgerError) {
      io.stderr(`release-ledger: ${printable(error.message)}\n`);
      if (debug && error.cause instanceof Error) io.stderr(`${error.cause.stack ?? error.cause.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    io.stderr(`release-ledger: internal error: ${printable(message ?? '')}. This is a bug: please report it at ${REPORT_URL}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && error instanceof Error) io.stderr(`${error.stack}\n`);
    return ExitCode.internal;
  }
}

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
        `ok: ${args.file} is snapshot ${result.id}, valid and in canonical form; ${how}\n` +
          `  chain hash (sha256 of its canonical JSON): ${result.chainSha256}\n` +
          `  file hash (sha256 of its bytes):           ${result.fileSha256}\n` +
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
