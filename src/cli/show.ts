/** `show`: what was running at a moment. */
import { ExitCode, UsageError } from '../errors.ts';
import { readSnapshot, snapshotHash } from '../ledger/index.ts';
import { formatStateView, stateView } from '../report/show.ts';
import { formatReleaseShow, showRelease } from '../report/release.ts';
import { common, load, printable, snapshotAt, type Command } from './command.ts';

export const showCommand = {
  def: {
    meta: { name: 'show', description: 'What was running at a moment (the latest snapshot at or before it)' },
    args: {
      ...common,
      at: { type: 'string', description: 'Date (end of that day, UTC), ISO time or snapshot id; default: the latest', valueHint: 'DATE-OR-TIME' },
      env: { type: 'string', description: 'Only this environment', valueHint: 'NAME' },
      release: { type: 'string', description: 'One release (declared, or a ticket key several services share): where each component is, per environment', valueHint: 'NAME' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
  },
  async run(args, io) {
    const loaded = await load(args, io);
    const id = await snapshotAt(loaded, typeof args.at === 'string' ? args.at : undefined);
    const snapshot = await readSnapshot(loaded.snapshotsDir, id);
    if (typeof args.release === 'string') {
      const view = showRelease(snapshot, snapshotHash(snapshot), args.release);
      io.stdout(args.json ? `${JSON.stringify(view, null, 2)}\n` : printable(formatReleaseShow(view)));
      return ExitCode.ok;
    }
    const env = typeof args.env === 'string' ? args.env : undefined;
    if (env !== undefined && !snapshot.environments.some((e) => e.name === env))
      throw new UsageError(`no environment "${env}" in snapshot ${id} (it has ${snapshot.environments.map((e) => e.name).join(', ')})`);
    const view = stateView(snapshot, snapshotHash(snapshot), env);
    io.stdout(args.json ? `${JSON.stringify(view, null, 2)}\n` : printable(formatStateView(view)));
    return ExitCode.ok;
  },
} satisfies Command;
