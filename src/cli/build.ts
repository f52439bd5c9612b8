/** `build`: the static site over the ledger. */
import path from 'node:path';
import { ExitCode, LedgerError } from '../errors.ts';
import { readHead } from '../ledger/index.ts';
import { common, load, progressOf, type Command } from './command.ts';

export const buildCommand = {
  def: {
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
  async run(args, io) {
    const progress = progressOf(args, io);
    const loaded = await load(args, io);
    const outDir = path.resolve(io.cwd, typeof args.out === 'string' ? args.out : path.join(loaded.dir, 'dist'));
    if ((await readHead(loaded.snapshotsDir)) === null) throw new LedgerError(`the ledger in ${loaded.snapshotsDir} is empty; run release-ledger collect first`);
    const { buildSite } = await import('../site/build.ts');
    progress(`building the site over ${loaded.snapshotsDir} into ${outDir}`);
    // Incremental by default: past day pages are immutable, so a nightly build reuses them (cache beside the output).
    const result = await buildSite({ snapshotsDir: loaded.snapshotsDir, outDir, configDir: loaded.dir, siteName: loaded.config.name, robots: loaded.config.site.robots, snapshotCopies: loaded.config.site.snapshotCopies, logLevel: args.quiet ? 'error' : 'warn', debug: args.debug === true, incremental: !args.full });
    io.stdout(`built ${result.pages} pages into ${path.relative(io.cwd, outDir) || outDir} (${result.rendered} rendered, ${result.reused} reused)\n`);
    return ExitCode.ok;
  },
} satisfies Command;
