/** `collect`: run every source and append one snapshot (or, with --shard, write one shard). */
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.ts';
import { parseAt } from '../ledger/index.ts';
import { collect, collectShard } from '../collect/collect.ts';
import { parseShardSpec } from '../collect/shard.ts';
import { common, failOnArg, ledgerKey, load, parseSeverity, progressOf, reportSnapshot, type Command } from './command.ts';

export const collectCommand = {
  def: {
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
  async run(args, io) {
    const progress = progressOf(args, io);
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
  },
} satisfies Command;
