/** `dev`: serve the site while working on it. */
import { ExitCode, UsageError } from '../errors.ts';
import { common, load, type Command } from './command.ts';

export const devCommand = {
  def: {
    meta: { name: 'dev', description: 'Serve the site over the ledger while you work on it' },
    args: { ...common, port: { type: 'string', description: 'Port (default 4321)', valueHint: 'PORT' } },
  },
  async run(args, io) {
    const loaded = await load(args, io);
    const port = args.port === undefined ? 4321 : Number(args.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${String(args.port)}")`);
    const { devSite } = await import('../site/dev.ts');
    const server = await devSite({ snapshotsDir: loaded.snapshotsDir, port, snapshotCopies: loaded.config.site.snapshotCopies });
    io.stdout(`serving ${loaded.snapshotsDir} at ${server.url} (Ctrl-C to stop)\n`);
    await new Promise(() => {});
    return ExitCode.ok;
  },
} satisfies Command;
