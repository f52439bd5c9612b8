/**
 * The demo's releases (examples/acme/releases.ts) without running the demo:
 * each night's deployments from the simulation, judged by src/model/release.ts.
 * The end-to-end check (the real CLI over the real sources, tests/demo/demo-e2e.test.ts)
 * holds the incidents against the findings frozen in the snapshots.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, generateDemo, INCIDENTS, SERVICES } from '../../examples/acme/generate.ts';
import { RELEASE_GRACE_DAYS } from '../../examples/acme/releases.ts';
import { loadConfig } from '../../src/model/index.ts';
import { releasesOf, releaseStatus, type EnvironmentStatus } from '../../src/model/release.ts';
import type { Deployment, ReleasesRecord } from '../../src/model/snapshot.ts';

const demo = generateDemo();
const world = (day: (typeof demo.days)[number]) => ({
  environments: ENVIRONMENTS.map((name) => ({ name })),
  services: SERVICES.map((s) => ({ name: s.name })),
  deployments: day.deployed.map((d) => ({ ...d }) as unknown as Deployment),
  gaps: [],
});
/** Nights on which a release was partial for longer than the grace period in `env`. */
function overGrace(record: ReleasesRecord, name: string): Record<string, string[]> {
  const release = releasesOf(record).find((r) => r.name === name)!;
  const out: Record<string, string[]> = {};
  for (const day of demo.days) {
    for (const s of releaseStatus(release, world(day)) as EnvironmentStatus[]) {
      if (s.state === 'partial' && Date.parse(day.at) - Date.parse(s.partialSince!) > RELEASE_GRACE_DAYS * 86_400_000) (out[s.environment] ??= []).push(day.date);
    }
  }
  return out;
}

describe('the demo releases', () => {
  it('the declared release wallet-payouts lands cleanly: complete in each environment the night both halves are deployed, never partial past the grace period', async () => {
    const { config } = await loadConfig(path.resolve(import.meta.dirname, '../../examples/acme/release-ledger.config.yaml'));
    expect(config.releases.map((r) => r.name)).toEqual(['wallet-payouts']);
    expect(config.policies.releaseGraceDays).toBe(RELEASE_GRACE_DAYS);
    // api-gateway's oversized deployment brings 8; card-gateway's fix release, 6, stays within the demo's threshold.
    expect(config.policies.maxScopePerDeployment).toBe(6);
    const record = { declared: config.releases, builds: [] };
    expect(overGrace(record, 'wallet-payouts')).toEqual({});
    const release = releasesOf(record)[0]!;
    const firstComplete = Object.fromEntries(ENVIRONMENTS.map((env) => [env, demo.days.find((d) => releaseStatus(release, world(d)).find((s) => s.environment === env)!.state === 'complete')?.date]));
    expect(firstComplete).toEqual({ dev: '2026-09-14', qa: '2026-09-16', staging: '2026-09-17', prod: '2026-09-21' });
  });

  it('the shared ticket lags in qa for four days and is partial past the grace period exactly on the scripted nights', () => {
    const incident = INCIDENTS.find((i) => i.rule === 'release.partial')!;
    const at = (service: string, version: string) => demo.days.flatMap((d) => d.deployed).find((d) => d.service === service && d.version === version)!;
    const pay = at('payout-service', '1.12.0');
    const chk = at('checkout-web', '5.20.0');
    const ticket = /PAYOUT-\d+/.exec(incident.story)![0];
    const record: ReleasesRecord = {
      declared: [],
      builds: [pay, chk].map((d) => ({ service: d.service, version: d.version, commit: d.commit, environment: 'dev', at: d.deployedAt, tickets: [ticket] })),
    };
    const nights = overGrace(record, ticket);
    expect(Object.keys(nights)).toEqual(['qa']);
    expect(nights['qa']![0]).toBe(incident.firesOn);
    expect(nights['qa']!.at(-1)! < incident.resolvedOn!).toBe(true);
    expect(nights['qa']).toEqual(['2026-10-24', '2026-10-25']);
  });

  it('what GitHub shows: both repositories have a pull request naming the shared ticket; api-gateway 4.8.0 brings 8 ticketed pull requests to production', () => {
    const repo = (name: string) => demo.github.find((r) => r.name === name)!;
    const ticket = /PAYOUT-\d+/.exec(INCIDENTS.find((i) => i.rule === 'release.partial')!.story)![0];
    const naming = (name: string) => repo(name).pulls.filter((p) => `${p.title} ${p.headRef}`.includes(ticket)).map((p) => p.number);
    expect(naming('payout-service')).toHaveLength(1);
    expect(naming('checkout-web')).toHaveLength(1);
    // Production deployments of api-gateway, oldest first: the pull requests merged between the one before 4.8.0's and 4.8.0's.
    const gw = repo('api-gateway');
    const prod = gw.deployments.filter((d) => d.environment === 'production').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const i = prod.findIndex((d) => d.createdAt >= '2026-10-26T00:00:00Z');
    const [from, to] = [gw.main.indexOf(prod[i - 1]!.sha), gw.main.indexOf(prod[i]!.sha)];
    const range = new Set(gw.main.slice(from + 1, to + 1));
    const brought = gw.pulls.filter((p) => p.commits.some((c) => range.has(c)));
    expect(brought.map((p) => /[A-Z][A-Z0-9]+-[0-9]+/.exec(`${p.title} ${p.headRef}`)?.[0]).filter(Boolean)).toHaveLength(8);
  });

  it('lists a release.partial and a release.mixed-scope incident that fire and resolve inside the timeline', () => {
    expect(INCIDENTS.filter((i) => i.rule.startsWith('release.')).map((i) => [i.rule, i.service, i.environment, i.firesOn, i.resolvedOn])).toEqual([
      ['release.partial', 'checkout-web', 'qa', '2026-10-24', '2026-10-26'],
      ['release.mixed-scope', 'api-gateway', 'prod', '2026-10-26', '2026-11-09'],
    ]);
  });
});
