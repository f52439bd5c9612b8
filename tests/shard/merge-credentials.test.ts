/**
 * `merge` runs the same final credential check as `collect` (issue 27): the
 * CLI hands it the environment, so a shard file planted with a credential of
 * this run is refused by name and field, and a merged snapshot that would
 * hold one is refused before it is written. One line, exit 2, nothing
 * written, the credential never printed (in any encoding).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectShard } from '../../src/collect/collect.ts';
import { loadConfig } from '../../src/model/load-config.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, treeState, useTempRoot, writeWorld } from '../reliability/world.ts';

const SECRET = 'hdr_MergeCheckSecretValue0123456789';
const ENV = { API_KEY: `Bearer ${SECRET}` };
const AT = '2026-03-14T02:00:00Z';
const tempRoot = useTempRoot('merge-credentials');
const SERVICES = ['svc-a', 'svc-b', 'svc-c', 'svc-d'];

/** Two shards collected with the credential in the environment (each passes the check when written). */
async function sharded(extra: Record<string, unknown> = {}) {
  const dir = await tempRoot();
  // An http source whose header value comes from API_KEY: that value is a credential of this run.
  const file = await writeWorld(dir, { services: SERVICES, inventory: baseInventory(SERVICES), sources: { api: { type: 'http', headersEnv: { authorization: 'API_KEY' } } }, extra });
  const loaded = await loadConfig(file);
  for (const index of [1, 2]) await collectShard({ loaded, at: new Date(AT), env: ENV, shard: { index, count: 2 } });
  const shardDir = path.join(path.dirname(loaded.snapshotsDir), 'shards', '2026-03-14T020000Z');
  return { dir, loaded, shardDir };
}

const merge = (dir: string) => runCli(['merge', '--config', 'release-ledger.config.yaml', '--at', AT, '--quiet'], { cwd: dir, env: ENV });

/** The credential in any form a reader could undo: plain, base64 of the whole line. */
const printed = (text: string) => text.includes(SECRET) || text.includes(Buffer.from(SECRET).toString('base64').slice(0, 20));

describe('merge checks shards and the merged snapshot for credentials', () => {
  it('a shard planted with the token is refused: one line naming the file and the field, nothing written', async () => {
    const { dir, shardDir } = await sharded();
    const name = (await readdir(shardDir)).sort()[1]!;
    const file = path.join(shardDir, name);
    const shard = JSON.parse(await readFile(file, 'utf8')) as { outcomes: { evidence: { deployments: { deployedBy?: string }[] } }[] };
    const outcome = shard.outcomes.findIndex((o) => o.evidence.deployments.length > 0);
    expect(outcome).toBeGreaterThanOrEqual(0);
    shard.outcomes[outcome]!.evidence.deployments[0]!.deployedBy = `robot ${SECRET}`;
    await writeFile(file, JSON.stringify(shard));
    const before = await treeState(dir);

    const result = await merge(dir);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `release-ledger: cannot merge 2026-03-14T020000Z: ${file}: outcomes[${outcome}].evidence.deployments[0].deployedBy holds a credential this run was given (in some encoding); delete it and re-run that shard (nothing written)`,
    );
    expect(printed(result.stderr + result.stdout)).toBe(false);
    expect(await treeState(dir)).toEqual(before);
  });

  it('a merged snapshot that would hold the token is refused by the final check before it is written', async () => {
    // Shards carry the sources' evidence, not the config's name; the merged snapshot copies the name, so only the final check sees it.
    const { dir, loaded } = await sharded({ name: `Acme ${Buffer.from(`robot:${SECRET}`).toString('base64')}` });
    const before = await treeState(dir);
    const result = await merge(dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `release-ledger: refusing to write ${path.join(loaded.snapshotsDir, '2026-03-14T020000Z.json')}: name holds a credential this run was given (in some encoding); nothing was written`,
    ]);
    expect(printed(result.stderr + result.stdout)).toBe(false);
    expect(await treeState(dir)).toEqual(before);
  });

  it('the same shards merge when the environment holds no such credential', async () => {
    const { dir, loaded } = await sharded();
    const result = await runCli(['merge', '--config', 'release-ledger.config.yaml', '--at', AT], { cwd: dir, env: {} });
    expect(result.code, result.stderr).not.toBe(2);
    expect(await readdir(loaded.snapshotsDir)).toContain('2026-03-14T020000Z.json');
  });
});
