/** `init`: the starter config, inventory and nightly workflow. */
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.ts';
import { common, type Command } from './command.ts';
import { PUBLISH_TARGETS, type PublishTarget } from '../init/publish.ts';

export const initCommand = {
  def: {
    meta: { name: 'init', description: 'Write a commented starter config, an example inventory and a nightly GitHub Actions workflow' },
    args: {
      // No --config: init writes the config (into --dir).
      debug: common.debug,
      quiet: common.quiet,
      help: common.help,
      dir: { type: 'string', description: 'Folder for the config and inventory (default: the current folder); the workflow goes to the git root above it', valueHint: 'DIR' },
      force: { type: 'boolean', description: 'Overwrite existing files' },
      shards: { type: 'string', description: 'Collect over N matrix jobs merged into one snapshot (collect --shard, merge); default 1', valueHint: 'N' },
      publish: { type: 'string', description: 'Where the workflow publishes the site: pages (GitHub Pages, default), s3 (an S3-compatible object store, aws s3 sync) or rsync (any host over SSH); only new and changed files, immutable ones marked for caches', valueHint: 'TARGET' },
    },
  },
  async run(args, io) {
    const dir = path.resolve(io.cwd, typeof args.dir === 'string' ? args.dir : '.');
    const shards = args.shards === undefined ? 1 : Number(args.shards);
    // A GitHub Actions matrix runs at most 256 jobs: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstrategymatrix
    if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new UsageError(`--shards must be a whole number from 1 to 256, the jobs of one GitHub Actions matrix (got "${String(args.shards)}")`);
    const publish = args.publish === undefined ? 'pages' : String(args.publish);
    if (!PUBLISH_TARGETS.includes(publish as PublishTarget)) throw new UsageError(`--publish must be one of ${PUBLISH_TARGETS.join(', ')} (got "${publish}")`);
    const { writeInitFiles } = await import('../init/index.ts');
    const result = await writeInitFiles({ dir, force: Boolean(args.force), shards, publish: publish as PublishTarget });
    for (const file of result.written) io.stdout(`wrote ${path.relative(io.cwd, file) || file}\n`);
    io.stdout(
      `next: edit ${path.relative(io.cwd, result.written[0]!) || result.written[0]} and ${path.relative(io.cwd, result.written[1]!) || result.written[1]}, create the ledger key (openssl rand -base64 32) as the repository secret RELEASE_LEDGER_SECRET_KEY and export it before "release-ledger collect", commit, and ${publish === 'pages' ? 'enable GitHub Pages (Settings → Pages → Source: GitHub Actions)' : 'set the repository variables and secrets the workflow header lists (docs/site.md, "Publishing")'}\n`,
    );
    return ExitCode.ok;
  },
} satisfies Command;
