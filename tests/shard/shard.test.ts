/**
 * Sharded collection: the partition, and `collect --shard i/n` + `merge`
 * giving exactly the snapshot a single `collect` gives, byte for byte; merge
 * refusing missing, duplicate, overlapping or mismatched shards with nothing
 * written.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, collectShard, mergeShards } from '../../src/collect/collect.ts';
import { shardOf, shardsDir } from '../../src/collect/shard.ts';
import type { CollectorRegistry } from '../../collectors/registry.ts';
import { loadConfig, type LoadedConfig } from '../../src/model/load-config.ts';
import { emptyEvidence, type Collector, type Evidence } from '../../src/model/evidence.ts';
import { runCli } from '../helpers/cli.ts';

const SERVICES = ['billing', 'catalog', 'checkout', 'gateway', 'ledger', 'notify', 'payments', 'search', 'users'];

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
  github:
    type: github
services:
${SERVICES.map((s) => `  - name: ${s}\n    sources: [inventory, github]\n    dependsOn: { core: "^1.0.0" }`).join('\n')}
  - name: core
    kind: library
`;

const sha = (label: string, n: number) => `${label.padEnd(8, 'x').slice(0, 8)}${String(n).padStart(32, '0')}`.replace(/[^0-9a-f]/g, 'a');

function inventory(day: number): string {
  const lines = ['deployments:'];
  for (const [i, s] of SERVICES.entries()) {
    // qa moves every day; prod follows a day later for every other service.
    lines.push(`  - { service: ${s}, environment: qa, version: 1.${day}.0, commit: ${sha(s, day)}, deployedAt: 2026-03-0${day}T10:00:00Z, deployedBy: alice, components: { core: 1.${i % 2}.0 } }`);
    if (i % 2 === 0)
      lines.push(
        `  - { service: ${s}, environment: prod, version: 1.${day - 1}.0, commit: ${sha(s, day - 1)}, deployedAt: 2026-03-0${day}T12:00:00Z, deployedBy: alice, approvals: [{ by: ${i % 4 === 0 ? 'alice' : 'bob'}, at: 2026-03-0${day}T11:55:00Z, state: approved }] }`,
      );
  }
  lines.push('  - { service: ghost, environment: prod, version: 0.1.0, commit: abc, deployedAt: 2026-03-01T10:00:00Z, deployedBy: eve }');
  lines.push('configs:');
  for (const s of SERVICES) lines.push(`  - { service: ${s}, environment: prod, values: { LOG_LEVEL: info, DB_PASSWORD: "pw-${s}-${day}", REPLICAS: ${day + 2} } }`);
  return `${lines.join('\n')}\n`;
}

/** A per-service source standing in for GitHub: evidence only for `context.services`, plus what a real one says about the organisation. */
const fakeGitHub: Collector = async (context) => {
  const e: Evidence = emptyEvidence();
  const day = context.now.getUTCDate();
  for (const s of context.services) {
    e.history.push({ service: s.name, environment: 'qa', commit: sha(s.name, day), at: `2026-03-0${day}T10:00:00Z`, source: context.name });
    e.branches.push({ service: s.name, name: 'release/1.0', aheadBy: s.name.length % 3, behindBy: 2, lastCommitAt: '2026-03-01T00:00:00Z', source: context.name });
    e.branches.push({ service: s.name, name: 'hotfix/1.0.1', aheadBy: 1, behindBy: 0, lastCommitAt: null, source: context.name });
    e.changes.push({
      service: s.name,
      environment: 'qa',
      commit: sha(s.name, day),
      version: `1.${day}.0`,
      fromCommit: sha(s.name, day - 1),
      fromVersion: `1.${day - 1}.0`,
      deployedAt: `2026-03-0${day}T10:00:00Z`,
      pullRequests: [{ number: day * 10, title: `PAY-${day} change`, author: 'carol', mergedBy: 'dave', mergedAt: `2026-03-0${day}T09:00:00Z`, reviewers: ['erin'] }],
      tickets: [`PAY-${day}`],
      source: context.name,
    });
    // GitHub also reports qa for one service: a second source for the same cell (the first in config order wins).
    if (s.name === 'search')
      e.deployments.push({ service: s.name, environment: 'qa', version: `1.${day}.0`, commit: sha(s.name, day), deployedAt: `2026-03-0${day}T10:00:00Z`, deployedBy: 'bot', source: context.name, approvals: [] });
    if (s.name === 'notify') e.gaps.push({ source: context.name, service: s.name, environment: 'prod', evidence: 'approvals', reason: 'the run was deleted' });
  }
  // Organisation-wide: the same in every shard (must appear once), and a malformed record naming no service.
  e.gaps.push({ source: context.name, evidence: 'branches', reason: 'the request budget ran out before branches of some repositories' });
  e.observed.push({ environment: 'prod' } as never);
  return e;
};
const registry: Partial<CollectorRegistry> = { github: async () => fakeGitHub as Collector<never> };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rl-shard-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function ledgerDir(name: string, day: number): Promise<LoadedConfig> {
  const dir = path.join(root, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG);
  await writeFile(path.join(dir, 'inventory.yaml'), inventory(day));
  return loadConfig(path.join(dir, 'release-ledger.config.yaml'));
}

async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir).catch(() => [])).sort()) out[f] = await readFile(path.join(dir, f), 'utf8');
  return out;
}

describe('partition', () => {
  it('puts every service in exactly one shard, depending only on its name and n', () => {
    const names = Array.from({ length: 500 }, (_, i) => `service-${i}`);
    for (const n of [1, 2, 3, 7]) {
      const counts = new Array<number>(n).fill(0);
      for (const name of names) {
        const s = shardOf(name, n);
        expect(s).toBeGreaterThanOrEqual(1);
        expect(s).toBeLessThanOrEqual(n);
        expect(shardOf(name, n)).toBe(s);
        counts[s - 1]!++;
      }
      // Roughly even: no shard gets less than half its share.
      for (const c of counts) expect(c).toBeGreaterThan(500 / n / 2);
    }
  });

  it('moves only the services the new shard wins when n grows', () => {
    const names = Array.from({ length: 500 }, (_, i) => `service-${i}`);
    const moved = names.filter((name) => shardOf(name, 5) !== shardOf(name, 4));
    expect(moved.every((name) => shardOf(name, 5) === 5)).toBe(true);
    expect(moved.length).toBeLessThan(500 / 5 + 40);
  });
});

describe('merge', () => {
  it('gives byte-for-byte the snapshots a single collect gives, day after day', async () => {
    for (const day of [2, 3]) {
      const at = new Date(`2026-03-0${day}T23:00:00Z`);
      const single = await ledgerDir('single', day);
      await collect({ loaded: single, at, env: {}, registry });
      for (const n of [1, 3]) {
        const sharded = await ledgerDir(`sharded-${n}`, day);
        // Shards run in any order (a CI matrix); run them backwards.
        for (let i = n; i >= 1; i--) await collectShard({ loaded: sharded, at, env: {}, registry, shard: { index: i, count: n } });
        const merged = await mergeShards({ loaded: sharded, at, env: {} });
        expect(merged.snapshot.deployments.length).toBeGreaterThan(9);
      }
    }
    const expected = await files(path.join(root, 'single', 'content', 'snapshots'));
    expect(Object.keys(expected)).toEqual(['2026-03-02T230000Z.json', '2026-03-03T230000Z.json']);
    const snapshot = JSON.parse(expected['2026-03-03T230000Z.json']!) as { gaps: { reason: string; service?: string }[]; findings: unknown[] };
    // The organisation-wide gap once, the unknown service's record once, per-service gaps kept.
    expect(snapshot.gaps.filter((g) => g.reason.startsWith('the request budget')).length).toBe(1);
    expect(snapshot.gaps.filter((g) => g.reason.includes('"ghost"')).length).toBe(1);
    expect(snapshot.gaps.some((g) => g.service === 'notify')).toBe(true);
    expect(snapshot.findings.length).toBeGreaterThan(0);
    for (const n of [1, 3]) expect(await files(path.join(root, `sharded-${n}`, 'content', 'snapshots')), `n=${n}`).toEqual(expected);
  });
});

describe('merge refusals (CLI)', () => {
  const AT = '2026-03-02T23:00:00Z';
  const ID = '2026-03-02T230000Z';
  let dir: string;
  let loaded: LoadedConfig;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env: {} });
  const FILE_ONLY = CONFIG.replace(/  github:\n    type: github\n/, '').replaceAll('[inventory, github]', '[inventory]');
  beforeEach(async () => {
    loaded = await ledgerDir('cli', 2);
    dir = loaded.dir;
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), FILE_ONLY);
    loaded = await loadConfig(path.join(dir, 'release-ledger.config.yaml'));
  });
  const shards = () => shardsDir(loaded.snapshotsDir, ID);
  async function collectAll(n: number) {
    for (let i = 1; i <= n; i++) {
      const run = await cli('collect', '--shard', `${i}/${n}`, '--at', AT);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^content/shards/${ID}/${i}-of-${n}\\.json — shard ${i}/${n}: \\d+ services, \\d+ gaps\\n$`));
    }
  }
  const refused = async (...argv: string[]) => {
    const run = await cli('merge', '--at', AT, ...argv);
    expect(run.code).toBe(2);
    expect(await files(loaded.snapshotsDir)).toEqual({});
    return run.stderr.replaceAll(dir, '<dir>');
  };

  it('merges a complete set through the CLI (exit code as collect: 3 = gaps)', async () => {
    await collectAll(3);
    const run = await cli('merge', '--at', AT, '--shards', '3');
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^content\/snapshots\/2026-03-02T230000Z\.json [0-9a-f]{64} — 14 deployments, \d+ open findings, 1 gaps\n$/);
    expect((await cli('verify')).code).toBe(0);
    const again = await cli('merge', '--at', AT);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('refuses a missing shard', async () => {
    await collectAll(3);
    await rm(path.join(shards(), '2-of-3.json'));
    expect(await refused()).toMatchInlineSnapshot(`
      "release-ledger: cannot merge 2026-03-02T230000Z: shard 2/3 missing in <dir>/content/shards/2026-03-02T230000Z; run "release-ledger collect --shard 2/3 --at 2026-03-02T230000Z" (nothing written)
      "
    `);
  });

  it('refuses when there are no shards at all', async () => {
    expect(await refused()).toMatchInlineSnapshot(`
      "release-ledger: cannot merge 2026-03-02T230000Z: no shards in <dir>/content/shards/2026-03-02T230000Z; run "release-ledger collect --shard i/n --at 2026-03-02T230000Z" for every shard first (nothing written)
      "
    `);
  });

  it('refuses a duplicate shard (two files claiming the same i)', async () => {
    await collectAll(3);
    await copyFile(path.join(shards(), '2-of-3.json'), path.join(shards(), '2-of-3 (1).json'));
    expect(await refused()).toMatchInlineSnapshot(`
      "release-ledger: cannot merge 2026-03-02T230000Z: 2-of-3 (1).json and 2-of-3.json both claim shard 2 of 3; delete the stale one (nothing written)
      "
    `);
  });

  it('refuses overlapping shards (two shards covering one service)', async () => {
    await collectAll(3);
    const file = path.join(shards(), '3-of-3.json');
    const shard = JSON.parse(await readFile(file, 'utf8')) as { services: string[] };
    const other = JSON.parse(await readFile(path.join(shards(), '1-of-3.json'), 'utf8')) as { services: string[] };
    shard.services.push(other.services[0]!);
    await writeFile(file, JSON.stringify(shard));
    expect(await refused()).toMatch(/1-of-3\.json and 3-of-3\.json both cover service "\w+"; the shards overlap/);
  });

  it('refuses shards of a different n, or not the n asked for', async () => {
    await collectAll(3);
    const run = await cli('collect', '--shard', '1/2', '--at', AT);
    expect(run.code).toBe(0);
    expect(await refused()).toMatchInlineSnapshot(`
      "release-ledger: cannot merge 2026-03-02T230000Z: 1-of-3.json is shard 1 of 3, but 1-of-2.json is of 2; every shard must use the same n (nothing written)
      "
    `);
    await rm(path.join(shards(), '1-of-2.json'));
    expect(await refused('--shards', '4')).toMatchInlineSnapshot(`
      "release-ledger: cannot merge 2026-03-02T230000Z: 1-of-3.json is shard 1 of 3, but --shards is 4; every shard must use the same n (nothing written)
      "
    `);
  });

  it('refuses shards collected with another config', async () => {
    await collectAll(2);
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), FILE_ONLY.replace('name: Shard Org', 'name: Other Org'));
    expect(await refused()).toMatch(/1-of-2\.json was collected with a different config \(config hash [0-9a-f]{12}…, now [0-9a-f]{12}…\); re-run every shard with this config \(nothing written\)/);
  });

  it('refuses a shard of another snapshot time put in this folder', async () => {
    await collectAll(2);
    const file = path.join(shards(), '2-of-2.json');
    const shard = JSON.parse(await readFile(file, 'utf8')) as { id: string };
    shard.id = '2026-03-01T230000Z';
    await writeFile(file, JSON.stringify(shard));
    expect(await refused()).toContain('2-of-2.json is a shard of 2026-03-01T230000Z, not 2026-03-02T230000Z');
  });

  it('needs --at on collect --shard, a valid i/n, and no --fail-on there', async () => {
    const noAt = await cli('collect', '--shard', '1/2');
    expect(noAt.code).toBe(2);
    expect(noAt.stderr).toMatchInlineSnapshot(`
      "release-ledger: collect --shard needs --at (the same time on every shard, e.g. the time the matrix started)
      "
    `);
    const bad = await cli('collect', '--shard', '3/2', '--at', AT);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatchInlineSnapshot(`
      "release-ledger: --shard must be i/n with 1 <= i <= n <= 1000, e.g. --shard 2/4 (got "3/2")
      "
    `);
    const gate = await cli('collect', '--shard', '1/2', '--at', AT, '--fail-on', 'high');
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('pass it to merge');
    const noMergeAt = await cli('merge');
    expect(noMergeAt.code).toBe(2);
    expect(noMergeAt.stderr).toContain('merge needs --at');
  });
});
