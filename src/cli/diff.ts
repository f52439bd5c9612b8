/** `diff`: two snapshots, or two environments at two moments. */
import { ExitCode, UsageError } from '../errors.ts';
import { diffEnvironments, diffSnapshots, formatEnvironmentDiff, formatSnapshotDiff, lastKnownBefore, listSnapshotIds, parseDiffOperand, readSnapshot } from '../ledger/index.ts';
import { common, load, printable, snapshotAt, type Command } from './command.ts';

export const diffCommand = {
  def: {
    meta: { name: 'diff', description: 'What differs between two snapshots (ids or dates) or two environments (prod@2026-03-14 qa@2026-03-14)' },
    args: {
      ...common,
      a: { type: 'positional', description: 'Snapshot id, date, or ENV@DATE', required: true },
      b: { type: 'positional', description: 'Snapshot id, date, or ENV@DATE', required: true },
      json: { type: 'boolean', description: 'Print JSON' },
    },
  },
  async run(args, io) {
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
  },
} satisfies Command;
