/** `show --release NAME [--at DATE] [--json]` end to end: collect from an inventory, then ask. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const CONFIG = `name: Test Org
environments:
  - name: qa
  - name: prod
    production: true
sources:
  inventory: { type: file, path: inventory.yaml }
services:
  - { name: payments-api, sources: [inventory], owner: team-payments }
  - { name: web, sources: [inventory], dependsOn: { payments-api: ">=2" } }
  - { name: mobile-bff, sources: [inventory], dependsOn: { web: ">=1" } }
releases:
  - name: checkout
    components: { payments-api: 2.4.0, web: 1.9.0 }
    owner: team-payments
    planned: 2026-03-03
`;

const c = (s: string) => s.padEnd(40, s.slice(-1));
/** payments-api 2.4.0 in qa and prod; web 1.9.0 in qa, still 1.8.0 in prod until `webProd`. */
function inventory(webProd: boolean): string {
  const d = (service: string, environment: string, version: string, at: string) =>
    `  - { service: ${service}, environment: ${environment}, version: ${version}, commit: ${c(`${service.length}${version.replace(/\./g, '')}`)}, deployedAt: ${at}, deployedBy: alice }\n`;
  return (
    'deployments:\n' +
    d('payments-api', 'qa', '2.4.0', '2026-03-01T10:00:00Z') +
    d('payments-api', 'prod', '2.4.0', '2026-03-02T10:00:00Z') +
    d('web', 'qa', '1.9.0', '2026-03-01T11:00:00Z') +
    d('web', 'prod', webProd ? '1.9.0' : '1.8.0', webProd ? '2026-03-05T10:00:00Z' : '2026-02-20T10:00:00Z') +
    d('mobile-bff', 'qa', '3.0.0', '2026-02-20T10:00:00Z') +
    d('mobile-bff', 'prod', '3.0.0', '2026-02-20T10:00:00Z')
  );
}

let dir: string;
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env: {} });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-release-cli-'));
  await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG);
  await writeFile(path.join(dir, 'inventory.yaml'), inventory(false));
  expect((await cli('collect', '--at', '2026-03-04T12:00:00Z')).code).toBe(0);
  await writeFile(path.join(dir, 'inventory.yaml'), inventory(true));
  expect((await cli('collect', '--at', '2026-03-05T12:00:00Z')).code).toBe(0);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('show --release', () => {
  it('as text, at a past day: partial in prod with what is missing, the owner and the blast radius', async () => {
    const run = await cli('show', '--release', 'checkout', '--at', '2026-03-04');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const text = run.stdout;
    expect(text).toContain('checkout — declared release, as of snapshot 2026-03-04T120000Z');
    expect(text).toContain('Owner: team-payments; planned 2026-03-03');
    expect(text).toContain('Teams: payments-api: team-payments, web: no owner set');
    expect(text).toContain('qa: complete');
    expect(text).toContain('prod: partial since 2026-03-02T10:00:00Z');
    expect(text).toMatch(/web\s+1\.9\.0\s+missing: 1\.8\.0 since 2026-02-20T10:00:00Z/);
    expect(text).toMatch(/payments-api\s+2\.4\.0\s+arrived: 2\.4\.0 since 2026-03-02T10:00:00Z/);
    // mobile-bff depends on web, a component; web itself is a component, not part of the radius.
    expect(text).toContain('prod: mobile-bff via web');
    expect(text).toContain('[medium] release.partial/web/prod/checkout:');
  });

  it('as JSON, latest: complete everywhere, no open finding', async () => {
    const run = await cli('show', '--release', 'checkout', '--json');
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.snapshot.id).toBe('2026-03-05T120000Z');
    expect(view.snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(view.states).toEqual([
      { environment: 'qa', state: 'complete' },
      { environment: 'prod', state: 'complete' },
    ]);
    expect(view.owner).toBe('team-payments');
    expect(view.findings).toEqual([]);
    expect(view.blastRadius).toEqual([
      { environment: 'qa', dependents: [{ service: 'mobile-bff', depth: 1, via: 'web' }] },
      { environment: 'prod', dependents: [{ service: 'mobile-bff', depth: 1, via: 'web' }] },
    ]);
  });

  it('an unknown release is one line naming the releases the snapshot knows', async () => {
    const run = await cli('show', '--release', 'chekout');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('release-ledger: no release "chekout" in snapshot 2026-03-05T120000Z (it knows checkout)\n');
  });
});
