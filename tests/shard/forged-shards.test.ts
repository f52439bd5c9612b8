/**
 * Issue 27 item 3: a shard cannot speak for another shard's services. `merge`
 * recomputes each shard's partition from the service names and the count and
 * refuses, with one line and nothing written, a record outside it, a record
 * repeated in another shard, a `services` list that is not the shard's own,
 * and a shard file or folder that is a symbolic link (or not a plain file).
 * "Nothing written" is checked on the whole ledger folder, byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shardOf, shardsDir } from '../../src/collect/shard.ts';
import { runCli } from '../helpers/cli.ts';

const SERVICES = ['billing', 'catalog', 'checkout', 'gateway', 'ledger', 'notify', 'payments', 'search', 'users'];
const AT = '2026-03-02T23:00:00Z';
const ID = '2026-03-02T230000Z';
const N = 3;

const CONFIG = `name: Shard Org
environments:
  - name: qa
  - name: prod
    production: true
    requiredApprovals: 1
sources:
  inventory:
    type: file
    path: inventory.yaml
services:
${SERVICES.map((s) => `  - name: ${s}\n    sources: [inventory]`).join('\n')}
`;

const commit = (s: string) => createHash('sha1').update(s).digest('hex');
const INVENTORY = `deployments:\n${SERVICES.map(
  (s) =>
    `  - { service: ${s}, environment: prod, version: 1.0.0, commit: ${commit(s)}, deployedAt: 2026-03-01T10:00:00Z, deployedBy: alice, approvals: [{ by: bob, at: 2026-03-01T09:00:00Z, state: approved }] }`,
).join('\n')}\n`;

interface Shard {
  services: string[];
  outcomes: { name: string; evidence: Record<string, { service?: string; [k: string]: unknown }[]> }[];
}

let root: string;
let dir: string;
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env: {} });
const shardFile = (i: number) => path.join(shardsDir(path.join(dir, 'content', 'snapshots'), ID), `${i}-of-${N}.json`);
const readShard = async (i: number) => JSON.parse(await readFile(shardFile(i), 'utf8')) as Shard;
const writeShard = (i: number, shard: Shard) => writeFile(shardFile(i), JSON.stringify(shard));
/** The shard that owns `service`, and one that does not. */
const ownerOf = (service: string) => shardOf(service, N);
const otherThan = (i: number) => (i % N) + 1;

/** Every file under the ledger folder (and the config's), path -> content: what "nothing written" compares. */
async function tree(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(e.parentPath, e.name);
    out[path.relative(dir, file)] = e.isFile() ? await readFile(file, 'utf8') : e.isSymbolicLink() ? 'symlink' : e.isFIFO() ? 'fifo' : 'dir';
  }
  return out;
}

/** Runs merge; expects exit 2, one line, and not one byte changed in the ledger folder. */
async function refused(): Promise<string> {
  const before = await tree();
  const run = await cli('merge', '--at', AT);
  expect(run.code, run.stdout).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(await tree()).toEqual(before);
  return run.stderr.replaceAll(root, '<root>').trim();
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rl-forged-'));
  dir = path.join(root, 'ledger');
  await mkdir(dir);
  await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG);
  await writeFile(path.join(dir, 'inventory.yaml'), INVENTORY);
  for (let i = 1; i <= N; i++) expect((await cli('collect', '--shard', `${i}/${N}`, '--at', AT)).code).toBe(0);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('merge refuses forged shards', () => {
  it('merges the honest shards (the control)', async () => {
    const run = await cli('merge', '--at', AT);
    expect(run.code, run.stderr).toBe(0);
  });

  it('refuses a record for a service of another partition (a forged deployment with no approvals)', async () => {
    const victim = 'payments';
    const forger = otherThan(ownerOf(victim));
    const shard = await readShard(forger);
    shard.outcomes[0]!.evidence.deployments!.push({ service: victim, environment: 'prod', version: '6.6.6', commit: commit('evil'), deployedAt: '2026-03-02T10:00:00Z', deployedBy: 'mallory', source: 'inventory', approvals: [] });
    await writeShard(forger, shard);
    expect(await refused()).toBe(
      `release-ledger: cannot merge ${ID}: ${forger}-of-3.json holds a deployments record of source "inventory" for service "payments", which shard ${ownerOf(victim)} of 3 owns; a shard carries only its own services' records (re-run shard ${forger}/3) (nothing written)`,
    );
  });

  it('refuses a record for an unconfigured service that another shard owns', async () => {
    const name = Array.from({ length: 20 }, (_, k) => `ghost-${k}`).find((n) => ownerOf(n) !== 1)!;
    const shard = await readShard(1);
    shard.outcomes[0]!.evidence.configs!.push({ service: name, environment: 'prod', source: 'inventory', values: { A: 'b' } });
    await writeShard(1, shard);
    expect(await refused()).toContain(`1-of-3.json holds a configs record of source "inventory" for service "${name}", which shard ${ownerOf(name)} of 3 owns`);
  });

  it('refuses a record duplicated into a second shard', async () => {
    const donor = await readShard(1);
    const record = donor.outcomes[0]!.evidence.deployments![0]!;
    const other = await readShard(2);
    other.outcomes[0]!.evidence.deployments!.push(record);
    await writeShard(2, other);
    expect(await refused()).toContain(`2-of-3.json holds a deployments record of source "inventory" for service "${record.service}", which shard 1 of 3 owns`);
  });

  it('refuses shards that trade services between them (no overlap, wrong partition)', async () => {
    const one = await readShard(1);
    const two = await readShard(2);
    const moved = one.services.pop()!;
    two.services.push(moved);
    await writeShard(1, one);
    await writeShard(2, two);
    expect(await refused()).toMatch(/1-of-3\.json lists services \[.*\], but shard 1 of 3 owns \[.*\]; a shard carries only its own services' records/);
  });

  it('refuses a shard symlinked from outside the ledger', async () => {
    const outside = path.join(root, 'elsewhere.json');
    await rename(shardFile(2), outside);
    await symlink(outside, shardFile(2));
    expect(await refused()).toBe(
      `release-ledger: cannot merge ${ID}: 2-of-3.json in <root>/ledger/content/shards/${ID} is a symbolic link; shards must be plain files written by collect --shard: delete it and re-run that shard (nothing written)`,
    );
  });

  it('refuses a shard folder that is a symlink to outside the ledger', async () => {
    const folder = path.dirname(shardFile(1));
    const outside = path.join(root, 'outside-shards');
    await rename(folder, outside);
    await symlink(outside, folder);
    expect(await refused()).toBe(
      `release-ledger: cannot merge ${ID}: <root>/ledger/content/shards/${ID} leads to <root>/outside-shards, outside the ledger; shards must be files inside <root>/ledger/content/shards (nothing written)`,
    );
  });

  it('refuses a FIFO in place of a shard without waiting for a writer', async () => {
    await rm(shardFile(3));
    execFileSync('mkfifo', [shardFile(3)]);
    expect(await refused()).toContain(`3-of-3.json in <root>/ledger/content/shards/${ID} is not a regular file`);
  });
});
