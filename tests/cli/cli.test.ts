/**
 * The CLI end to end, in-process, over real files in temp folders: exit codes,
 * refusals that leave the ledger intact, one-line errors, secrets never at rest.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const SECRET = 'hunter2-Zq8#correct-horse';

const CONFIG = `# test organisation
name: Test Org
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
  - name: api
    kind: service
    sources: [inventory]
    dependsOn: { core: ">=1.0.0 <2" }
  - name: core
    kind: library
`;

function inventory(options: { prodApproval: boolean; prodCommit?: string }) {
  const commit = 'a'.repeat(40);
  return `deployments:
  - service: api
    environment: qa
    version: 1.0.0
    commit: ${commit}
    deployedAt: 2026-03-01T10:00:00Z
    deployedBy: alice
    components: { core: 1.2.0 }
  - service: api
    environment: prod
    version: 1.0.0
    commit: ${options.prodCommit ?? commit}
    deployedAt: ${options.prodCommit ? '2026-03-03T10:00:00Z' : '2026-03-02T10:00:00Z'}
    deployedBy: alice
    components: { core: 1.2.0 }
    approvals: ${options.prodApproval ? '[{ by: bob, at: 2026-03-02T09:55:00Z, state: approved }]' : '[]'}
configs:
  - service: api
    environment: prod
    values: { LOG_LEVEL: info, DB_PASSWORD: "${SECRET}" }
`;
}

let dir: string;
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env: {} });
const snapshotsDir = () => path.join(dir, 'content', 'snapshots');
async function ledgerBytes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(snapshotsDir())).sort()) out[f] = await readFile(path.join(snapshotsDir(), f), 'utf8');
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-cli-'));
  await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG);
  await writeFile(path.join(dir, 'inventory.yaml'), inventory({ prodApproval: true }));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help and usage', () => {
  it('prints help with the exit codes for every command', async () => {
    for (const command of ['collect', 'verify', 'show', 'diff', 'build', 'dev']) {
      const run = await cli(command, '--help');
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(command);
      expect(run.stdout).toContain('4  an open finding at or above --fail-on');
    }
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/collect[\s\S]*verify[\s\S]*show[\s\S]*diff/);
    // Plain text: no colour codes, no trailing padding.
    expect(top.stdout).not.toContain('\u001b[');
    expect(top.stdout).not.toMatch(/ +\n/);
  });

  it('rejects an unknown command, option or stray argument with one line and exit 2', async () => {
    const unknown = await cli('colect');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatchInlineSnapshot(`
      "release-ledger: unknown command "colect"; commands: collect, verify, show, diff, build, dev, merge, init, export (see release-ledger --help)
      "
    `);
    const option = await cli('verify', '--frobnicate');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatchInlineSnapshot(`
      "release-ledger: unknown option --frobnicate for "verify"; see release-ledger verify --help
      "
    `);
    const stray = await cli('show', 'extra');
    expect(stray.code).toBe(2);
    expect(stray.stderr.trim().split('\n')).toHaveLength(1);
    const failOn = await cli('collect', '--fail-on', 'severe');
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain('--fail-on must be one of info, low, medium, high, critical');
  });
});

describe('collect', () => {
  it('appends one snapshot and refuses a second at the same or an older time, leaving the ledger intact', async () => {
    const first = await cli('collect', '--at', '2026-03-02T12:00:00Z');
    expect(first.stderr).not.toContain('release-ledger:');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2026-03-02T120000Z\.json [0-9a-f]{64}/);
    const before = await ledgerBytes();
    expect(Object.keys(before)).toContain('2026-03-02T120000Z.json');

    const again = await cli('collect', '--at', '2026-03-02T12:00:00Z');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const older = await cli('collect', '--at', '2026-03-01');
    expect(older.code).toBe(2);
    expect(older.stderr).toContain('append-only');
    expect(await ledgerBytes()).toEqual(before);

    const next = await cli('collect', '--at', '2026-03-03T12:00:00Z');
    expect(next.code).toBe(0);
    const verify = await cli('verify');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^ok: 2 snapshots verified; head 2026-03-03T120000Z sha256 [0-9a-f]{64}\n$/);
  });

  it('exits 3 when the snapshot has gaps and 4 when --fail-on is met (4 wins)', async () => {
    await writeFile(path.join(dir, 'inventory.yaml'), 'deployments: [ this is not: valid');
    const gaps = await cli('collect', '--at', '2026-03-02T12:00:00Z');
    expect(gaps.code).toBe(3);
    expect(gaps.stdout).toMatch(/[1-9]\d* gaps/);

    // A prod deployment without the required approval is a high finding.
    await writeFile(path.join(dir, 'inventory.yaml'), inventory({ prodApproval: false }));
    const gated = await cli('collect', '--at', '2026-03-03T12:00:00Z', '--fail-on', 'high');
    expect(gated.code).toBe(4);
    expect(gated.stderr).toContain('approval.missing');

    await writeFile(path.join(dir, 'inventory.yaml'), inventory({ prodApproval: true }));
    const clean = await cli('collect', '--at', '2026-03-04T12:00:00Z', '--fail-on', 'high');
    expect(clean.code).toBe(0);
  });

  it('never stores a secret config value in clear', async () => {
    await cli('collect', '--at', '2026-03-02T12:00:00Z');
    const files = await ledgerBytes();
    const all = Object.values(files).join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).toContain('"redacted": true');
  });

  it('fingerprints secrets under the ledger key that secretKeyEnv names; without it says once what cannot be known and stores no fingerprint', async () => {
    const { createHash } = await import('node:crypto');
    const keyed = `secretKeyEnv: LEDGER_KEY\n${CONFIG}`;
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), keyed);
    const withKey = await runCli(['collect', '--at', '2026-03-02T12:00:00Z'], { cwd: dir, env: { LEDGER_KEY: 'k'.repeat(20) + '-0123456789abcdef' } });
    expect(withKey.code).toBe(0);
    expect(withKey.stderr).not.toContain('no fingerprint');
    let snapshot = JSON.parse(Object.values(await ledgerBytes())[0]!);
    expect(snapshot.secretFingerprints.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshot.configs[0].values.DB_PASSWORD).toEqual({ redacted: true, hmac: expect.stringMatching(/^[0-9a-f]{64}$/), keyId: snapshot.secretFingerprints.keyId });
    expect(JSON.stringify(snapshot)).not.toContain(createHash('sha256').update(SECRET).digest('hex'));

    const without = await runCli(['collect', '--at', '2026-03-03T12:00:00Z'], { cwd: dir, env: {} });
    expect(without.code).toBe(0);
    expect(without.stderr.match(/LEDGER_KEY \(secretKeyEnv\) is not set: secret values were stored with no fingerprint/g)).toHaveLength(1);
    snapshot = JSON.parse(Object.values(await ledgerBytes())[1]!);
    expect(snapshot.secretFingerprints).toEqual({ keyId: null });
    expect(snapshot.configs[0].values.DB_PASSWORD).toEqual({ redacted: true });
    expect(snapshot.findings.filter((f: { rule: string }) => f.rule === 'config.unrecorded-change')).toEqual([]);

    const before = await ledgerBytes();
    const short = await runCli(['collect', '--at', '2026-03-04T12:00:00Z'], { cwd: dir, env: { LEDGER_KEY: 'short' } });
    expect(short.code).toBe(2);
    expect(short.stderr.trim().split('\n')).toHaveLength(1);
    expect(short.stderr).toContain('LEDGER_KEY holds 5 characters; the ledger key needs at least 32');
    expect(short.stderr).not.toContain('short');
    expect(await ledgerBytes()).toEqual(before);
  });

  it('names the config file, line and field on a config error, and writes nothing', async () => {
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG.replace('kind: library', 'kind: libary'));
    const run = await cli('collect', '--at', '2026-03-02T12:00:00Z');
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/release-ledger\.config\.yaml:\d+:\d+: services\[1\]\.kind/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(snapshotsDir())).rejects.toThrow();
  });

  it('explains a missing config file', async () => {
    const run = await cli('show', '--config', 'nope.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.yaml');
  });
});

describe('verify, show and diff', () => {
  beforeEach(async () => {
    await cli('collect', '--at', '2026-03-02T12:00:00Z');
    await writeFile(path.join(dir, 'inventory.yaml'), inventory({ prodApproval: true, prodCommit: 'b'.repeat(40) }));
    await cli('collect', '--at', '2026-03-03T12:00:00Z');
    await cli('collect', '--at', '2026-03-04T12:00:00Z');
  });

  it('fails verify naming the altered file after a changed byte', async () => {
    const file = path.join(snapshotsDir(), '2026-03-03T120000Z.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"deployedBy": "alice"', '"deployedBy": "alicf"'));
    const run = await cli('verify');
    expect(run.code).toBe(2);
    // The altered file is named first, not its successor.
    expect(run.stderr).toMatch(/^verify failed: \S*2026-03-03T120000Z\.json: /);
  });

  it('checks the newest snapshot against an anchored head hash with --expect-head', async () => {
    const ok = await cli('verify');
    const head = /sha256 ([0-9a-f]{64})/.exec(ok.stdout)![1]!;
    expect((await cli('verify', '--expect-head', head)).code).toBe(0);
    // Editing the head is invisible to the chain alone, but not to the anchor.
    const file = path.join(snapshotsDir(), '2026-03-04T120000Z.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"deployedBy": "alice"', '"deployedBy": "alicf"'));
    expect((await cli('verify')).code).toBe(0);
    const anchored = await cli('verify', '--expect-head', head);
    expect(anchored.code).toBe(2);
    expect(anchored.stderr).toMatch(/2026-03-04T120000Z\.json: content does not match the expected head sha256/);
    expect((await cli('verify', '--expect-head', 'nothex')).stderr).toContain('--expect-head must be a sha256');
  });

  it('verifies only what is new since a checkpoint, and refuses a damaged checkpoint', async () => {
    const first = await cli('verify', '--checkpoint', '.ledger-cache/verified-head');
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('since the checkpoint');
    const head = /head (\S+) sha256 ([0-9a-f]{64})/.exec(first.stdout)!;
    expect(await readFile(path.join(dir, '.ledger-cache', 'verified-head'), 'utf8')).toBe(`${head[1]} ${head[2]}\n`);
    const again = await cli('verify', '--checkpoint', '.ledger-cache/verified-head');
    expect(again.stdout).toContain(`(1 read since the checkpoint ${head[1]})`);
    // An older file changed after the checkpoint: a full verify finds it; the checkpointed run does not read it.
    const file = path.join(snapshotsDir(), '2026-03-03T120000Z.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"deployedBy": "alice"', '"deployedBy": "alicf"'));
    expect((await cli('verify', '--checkpoint', '.ledger-cache/verified-head')).code).toBe(0);
    expect((await cli('verify')).code).toBe(2);
    await writeFile(path.join(dir, '.ledger-cache', 'verified-head'), 'garbage\n');
    const bad = await cli('verify', '--checkpoint', '.ledger-cache/verified-head');
    expect(bad.code).toBe(2);
    expect(bad.stderr.replace(dir, '<dir>')).toMatchInlineSnapshot(`
      "release-ledger: the checkpoint <dir>/.ledger-cache/verified-head is not "SNAPSHOT-ID SHA256" as verify writes it; delete it to verify everything
      "
    `);
  });

  it('fails verify when a snapshot is deleted', async () => {
    await rm(path.join(snapshotsDir(), '2026-03-03T120000Z.json'));
    const run = await cli('verify');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/2026-03-0[34]T120000Z/);
  });

  it('shows the state at the end of a day, as text and JSON with findings', async () => {
    const text = await cli('show', '--at', '2026-03-03');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2026-03-03T120000Z');
    expect(text.stdout).toMatch(/api\s+1\.0\.0\s+1\.0\.0/);
    const json = await cli('show', '--at', '2026-03-03', '--json', '--env', 'prod');
    const view = JSON.parse(json.stdout);
    expect(view.snapshot.id).toBe('2026-03-03T120000Z');
    expect(view.deployments.map((d: { environment: string }) => d.environment)).toEqual(['prod']);
    expect(Array.isArray(view.findings)).toBe(true);
    // prod runs commit b…, qa never ran it: a promotion bypass is on record.
    expect(view.findings.map((f: { rule: string }) => f.rule)).toContain('promotion.bypass');
    const before = await cli('show', '--at', '2026-03-01');
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('no snapshot at or before 2026-03-01');
  });

  it('diffs two days and two environments', async () => {
    const days = await cli('diff', '2026-03-02', '2026-03-03', '--json');
    expect(days.code).toBe(0);
    expect(days.stdout).toContain('b'.repeat(12));
    const envs = await cli('diff', 'qa@2026-03-03', 'prod@2026-03-03');
    expect(envs.code).toBe(0);
    expect(envs.stdout).toContain('api');
    const mixed = await cli('diff', 'qa@2026-03-03', '2026-03-03');
    expect(mixed.code).toBe(2);
  });
});

describe('inventory folder', () => {
  it('reads every YAML file in a folder', async () => {
    await mkdir(path.join(dir, 'inv'));
    await writeFile(path.join(dir, 'inv', 'a.yaml'), inventory({ prodApproval: true }));
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG.replace('path: inventory.yaml', 'path: inv'));
    const run = await cli('collect', '--at', '2026-03-02T12:00:00Z');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 deployments');
  });
});
