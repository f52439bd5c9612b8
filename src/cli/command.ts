/**
 * What every command shares: the inputs the entry hands it (`CliIO`), the
 * common flags, and the few steps several commands take (load the config,
 * read the ledger key, find a snapshot, report an appended one).
 */
import { printable } from '../model/printable.ts';
import path from 'node:path';
import type { ArgsDef, CommandDef } from 'citty';
import { ConfigError, ExitCode, LedgerError, UsageError } from '../errors.ts';
import { findSnapshotAt, listSnapshotIds, parseAt } from '../ledger/index.ts';
import { SEVERITIES, type Severity } from '../model/config.ts';
import { loadConfig, type LoadedConfig } from '../model/load-config.ts';
import { MIN_SECRET_KEY_LENGTH, secretKeyFrom, type SecretKey } from '../model/secret-fingerprint.ts';
import { isOpen, meetsSeverity } from '../rules/index.ts';
import type { CollectResult } from '../collect/collect.ts';

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

/** One command: its citty definition (flags, help) and what it does with the parsed flags. */
export interface Command {
  def: CommandDef & { args: ArgsDef };
  /** `argv` is the command's own arguments as typed, for a flag that may be repeated (citty keeps the last). */
  run(args: Record<string, unknown>, io: CliIO, argv: readonly string[]): Promise<number>;
}

export const DEFAULT_CONFIG = 'release-ledger.config.yaml';

export const common = {
  config: { type: 'string', description: `Config file (default: ${DEFAULT_CONFIG} in the current folder); the ledger is found from it`, valueHint: 'FILE' },
  debug: { type: 'boolean', description: 'Print stacks of unexpected errors' },
  quiet: { type: 'boolean', description: 'No progress on stderr' },
  help: { type: 'boolean', alias: 'h', description: 'Show this help' },
} as const satisfies ArgsDef;

/** `--fail-on`, shared by collect and merge (the CI gate). */
export const failOnArg = { type: 'string', description: `Exit 4 when an open finding is at or above this severity (${SEVERITIES.join(', ')})`, valueHint: 'SEVERITY' } as const;

/** Terminal-safe text: control characters and bidi overrides from outside data are shown escaped (one home: src/model/printable.ts). */
export { printable };

export async function load(args: { config?: unknown }, io: CliIO): Promise<LoadedConfig> {
  const file = path.resolve(io.cwd, typeof args.config === 'string' ? args.config : DEFAULT_CONFIG);
  return loadConfig(file);
}

/**
 * The ledger key that `secretKeyEnv` names, read once per command; a key too
 * short to protect anything is refused before any source runs. Without one,
 * `warning` is what to say once on stderr after the write (the snapshot says
 * it too: `secretFingerprints.keyId` is null).
 */
export function ledgerKey(loaded: LoadedConfig, io: CliIO): { secretKey: SecretKey | null; warning?: string } {
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

export function parseSeverity(value: unknown): Severity | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(SEVERITIES as readonly string[]).includes(value))
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got "${String(value)}")`);
  return value as Severity;
}

export async function snapshotAt(loaded: LoadedConfig, at: string | undefined): Promise<string> {
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
export function reportSnapshot(result: CollectResult, failOn: Severity | undefined, io: CliIO): number {
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

/** Progress lines on stderr, unless --quiet. */
export function progressOf(args: Record<string, unknown>, io: CliIO): (message: string) => void {
  return args.quiet ? () => {} : (message: string) => io.stderr(`${printable(message)}\n`);
}
