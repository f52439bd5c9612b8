/**
 * The demo's preview deployment outside production's branch policy
 * (examples/acme/outside-policy.ts), through the real GitHub source against
 * the local server on the nights around it: recorded as passed over,
 * `deployment.outside-branch-policy` open from the night it is seen until the
 * night the next release reaches prod, and what runs in prod never the preview.
 * One repository, so it costs a few collects, not the demo.
 */
import { describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { generateDemo, githubScenario, INCIDENTS } from '../../examples/acme/generate.ts';
import { PREVIEW } from '../../examples/acme/outside-policy.ts';
import { startGitHubServer } from '../helpers/github-server.ts';
import { makeContext, TOKEN } from '../github/context.ts';

const RULE = 'deployment.outside-branch-policy';
const collect = createGitHubCollector({ retryBaseMs: 1 });
const demo = generateDemo();

async function nightOf(day: string, previous: Snapshot | null): Promise<Snapshot> {
  const night = demo.days.find((d) => d.date === day)!;
  const scenario = githubScenario(demo, night.at, TOKEN);
  scenario.repos = scenario.repos.filter((r) => r.name === PREVIEW.service);
  const server = await startGitHubServer(scenario);
  try {
    const ctx = { ...makeContext({ baseUrl: server.baseUrl, scenario, configFiles: {} }), now: new Date(night.at) };
    const evidence = await collect(ctx);
    return assembleSnapshot({
      config: ctx.config,
      outcomes: [{ name: 'github', type: 'github', evidence }],
      id: `${day}T223000Z`,
      takenAt: night.at,
      previous: previous && { snapshot: previous, sha256: '0'.repeat(64) },
      generator: { name: 'release-ledger', version: 'test' },
      secretKey: null,
    });
  } finally {
    await server.close();
  }
}

describe('the demo preview deployment outside the branch policy', () => {
  it('is recorded and raised from the night it is seen until the next release reaches prod; prod runs the release all along', async () => {
    const incident = INCIDENTS.find((i) => i.rule === RULE)!;
    const days = demo.days.map((d) => d.date);
    const from = days.indexOf(incident.firesOn);
    const to = days.indexOf(incident.resolvedOn!);
    const nights = [days[from - 1]!, days[from]!, days[from + 1]!, days[to - 1]!, days[to]!];
    const open: Record<string, string[]> = {};
    let previous: Snapshot | null = null;
    let deploymentId: number | undefined;
    for (const day of nights) {
      const snapshot = await nightOf(day, previous);
      expect(snapshot.gaps, day).toEqual([]);
      const want = demo.days.find((d) => d.date === day)!.deployed.find((d) => d.service === PREVIEW.service && d.environment === 'prod')!;
      expect(snapshot.deployments.find((d) => d.environment === 'prod')!.commit, day).toBe(want.commit);
      open[day] = snapshot.findings.filter((f) => f.rule === RULE).map((f) => `${f.id} since ${f.since.slice(0, 10)}`);
      if (day >= incident.firesOn) expect(snapshot.passedOver!.map((p) => `${p.environment} ${p.ref} ${p.createdBy} ${p.kind}`), day).toEqual([`prod ${PREVIEW.branch} ${PREVIEW.by} outside-branch-policy`]);
      deploymentId ??= snapshot.passedOver?.[0]?.deploymentId;
      previous = snapshot;
    }
    // The finding's id names the deployment GitHub recorded.
    expect(deploymentId).toBeTypeOf('number');
    const id = `${RULE}/${PREVIEW.service}/prod/${deploymentId}`;
    expect(open).toEqual({
      [nights[0]!]: [],
      [nights[1]!]: [`${id} since ${incident.firesOn}`],
      [nights[2]!]: [`${id} since ${incident.firesOn}`],
      [nights[3]!]: [`${id} since ${incident.firesOn}`],
      [nights[4]!]: [],
    });
  }, 120_000);
});
