/** `merge`: assemble one snapshot from the shards `collect --shard` wrote. */
import { UsageError } from '../errors.ts';
import { parseAt } from '../ledger/index.ts';
import { mergeShards } from '../collect/collect.ts';
import { common, failOnArg, ledgerKey, load, parseSeverity, progressOf, reportSnapshot, type Command } from './command.ts';

export const mergeCommand = {
  def: {
    meta: { name: 'merge', description: 'Assemble one snapshot from every shard written by collect --shard and append it; refuses missing or duplicate shards' },
    args: {
      ...common,
      at: { type: 'string', description: 'The --at the shards were collected with (required)', valueHint: 'ISO-TIME' },
      shards: { type: 'string', description: 'How many shards to expect (default: the n the shard files name; they must agree)', valueHint: 'N' },
      'fail-on': failOnArg,
    },
  },
  async run(args, io) {
    const progress = progressOf(args, io);
    if (typeof args.at !== 'string') throw new UsageError('merge needs --at, the time every shard was collected with (collect --shard i/n --at T)');
    const failOn = parseSeverity(args['fail-on']);
    const count = args.shards === undefined ? undefined : Number(args.shards);
    if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1000)) throw new UsageError(`--shards must be a whole number from 1 to 1000 (got "${String(args.shards)}")`);
    const loaded = await load(args, io);
    const key = ledgerKey(loaded, io);
    const result = await mergeShards({ loaded, at: parseAt(args.at), now: (io.now ?? (() => new Date()))(), env: io.env, progress, count, secretKey: key.secretKey });
    if (key.warning) io.stderr(key.warning);
    return reportSnapshot(result, failOn, io);
  },
} satisfies Command;
