/**
 * The `release-ledger` command line. `main` takes its inputs (argv, env, cwd,
 * output streams) as arguments and returns the exit code, so tests run it
 * in-process; `bin/release-ledger.mjs` is the only place that touches
 * `process`. One top-level handler prints one line per error; stacks only
 * with `--debug` (library errors can carry request objects, and so tokens).
 */
import { parseArgs, renderUsage, type ArgsDef, type CommandDef } from 'citty';
import { ExitCode, LedgerError, UsageError } from '../errors.ts';
import { readGeneratorVersion } from '../collect/collect.ts';
import { printable, type CliIO, type Command } from './command.ts';
import { buildCommand } from './build.ts';
import { collectCommand } from './collect.ts';
import { devCommand } from './dev.ts';
import { diffCommand } from './diff.ts';
import { initCommand } from './init.ts';
import { mergeCommand } from './merge.ts';
import { showCommand } from './show.ts';
import { verifyCommand } from './verify.ts';
import { exportCommand } from './export.ts';

export type { CliIO } from './command.ts';

/** One entry a command, in the order help lists them. */
const commands: Record<string, Command> = {
  collect: collectCommand,
  verify: verifyCommand,
  show: showCommand,
  diff: diffCommand,
  build: buildCommand,
  dev: devCommand,
  merge: mergeCommand,
  init: initCommand,
  export: exportCommand,
};

const REPORT_URL = 'https://github.com/release-ledger/release-ledger/issues';

const EXIT_CODES = `Exit codes:
  0  success
  1  internal error (a bug; please report it)
  2  usage or configuration error, or a refused write (nothing written)
  3  snapshot written but incomplete (it has gaps)
  4  an open finding at or above --fail-on (wins over 3)`;

const root: CommandDef = {
  meta: { name: 'release-ledger', description: 'What was running in each environment, how it got there, and who approved it' },
  subCommands: Object.fromEntries(Object.entries(commands).map(([name, command]) => [name, command.def])),
};

async function usage(cmd: CommandDef, parent?: CommandDef): Promise<string> {
  // citty colours its usage text; help is printed plain (it is read in CI logs and piped), without trailing padding.
  // eslint-disable-next-line no-control-regex
  const plain = (await renderUsage(cmd, parent)).replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((line) => line.trimEnd()).join('\n');
  return `${plain.trimEnd()}\n\n${EXIT_CODES}\n`;
}

function parseCommandArgs(name: string, argv: string[]) {
  const def = commands[name]!.def;
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
    const command = commands[name]!;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(await usage(command.def, root));
      return ExitCode.ok;
    }
    return await command.run(parseCommandArgs(name, rest), io, rest);
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
