/**
 * The demo's clusters and Argo CD (examples/acme/kubernetes.ts), read by the
 * real kubernetes and argocd sources from the compatible servers: in prod a
 * manual `kubectl set image` is a drift.runtime finding naming the running
 * digest, the deployed digest and the pods; the stuck rollout is pods on two
 * digests; one Argo CD sync was started by the person who approved it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectArgoCd } from '../../collectors/argocd/source.ts';
import { collectKubernetes } from '../../collectors/kubernetes/source.ts';
import { generateDemo, INCIDENTS, ON_GITHUB, type DemoDay } from '../../examples/acme/generate.ts';
import { MANUAL_SET_IMAGE, manualImage } from '../../examples/acme/kubernetes.ts';
import { argoApplications, clusterWorld } from '../../examples/acme/kubernetes-world.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { ruleEvidenceHtml } from '../../src/views/evidence-html.ts';
import type { ArgoCdSourceConfig, ConfigInput, Evidence, KubernetesSourceConfig, Snapshot } from '../../src/model/index.ts';
import { configSchema, emptyEvidence } from '../../src/model/index.ts';
import { startArgoServer, type ArgoServer } from '../helpers/argocd-server.ts';
import { KUBE_CA_FILE, startKubeServer, type KubeServer } from '../helpers/kube-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const ENVS = ['dev', 'qa', 'staging', 'prod'] as const;
const demo = generateDemo();
const servers: KubeServer[] = [];
let argo: ArgoServer;

beforeAll(async () => {
  for (const env of ENVS) servers.push(await startKubeServer({}, { token: `kube-${env}` }));
  argo = await startArgoServer([], { token: 'argo-token' });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await argo.close();
});

function config(): ConfigInput {
  return {
    name: 'Acme Payments',
    environments: ENVS.map((name) => ({ name, production: name === 'prod' })),
    sources: {
      github: { type: 'github' },
      cluster: { type: 'kubernetes', clusters: Object.fromEntries(ENVS.map((env, i) => [env, { server: servers[i]!.origin, tokenEnv: `KUBE_${env.toUpperCase()}`, caFile: KUBE_CA_FILE }])) },
      argocd: { type: 'argocd', baseUrl: argo.origin, environments: Object.fromEntries(ENVS.map((env) => [env, `acme-${env}`])) },
    },
    services: ON_GITHUB.map((s) => ({ name: s.name, sources: ['github', 'cluster', 'argocd'] })),
  };
}

/** One night: the servers moved to it, both sources read, and a snapshot whose deployment records are the simulation's (GitHub's, in the demo). */
async function night(day: DemoDay): Promise<{ snapshot: Snapshot; cluster: Evidence; argocd: Evidence }> {
  ENVS.forEach((env, i) => servers[i]!.setWorld(clusterWorld(day.kubernetes, env)));
  argo.setApplications(argoApplications(day.kubernetes));
  const env = { ...Object.fromEntries(ENVS.map((e) => [`KUBE_${e.toUpperCase()}`, `kube-${e}`])), ARGOCD_TOKEN: 'argo-token' };
  const cluster = await collectKubernetes(sourceContext<KubernetesSourceConfig>(config(), 'cluster', { env }));
  const argocd = await collectArgoCd(sourceContext<ArgoCdSourceConfig>(config(), 'argocd', { env }));
  const onGithub = new Set(ON_GITHUB.map((s) => s.name));
  const github: Evidence = {
    ...emptyEvidence(),
    deployments: day.deployed.filter((d) => onGithub.has(d.service)).map((d) => ({ service: d.service, environment: d.environment, version: d.version, commit: d.commit, artifact: d.artifact, deployedAt: d.deployedAt, deployedBy: d.deployedBy, source: 'github', approvals: [] })),
  };
  const snapshot = assembleSnapshot({
    config: configSchema.parse(config()),
    // Argo CD's syncs are history and declarations here: GitHub holds the demo's deployment records.
    outcomes: [
      { name: 'github', type: 'github', evidence: github },
      { name: 'cluster', type: 'kubernetes', evidence: cluster },
      { name: 'argocd', type: 'argocd', evidence: { ...argocd, deployments: [] } },
    ],
    id: `${day.date}T223000Z`,
    takenAt: day.at,
    previous: null,
    generator: { name: 'test', version: '0' },
    secretKey: null,
  });
  return { snapshot, cluster, argocd };
}

const dayOf = (date: string) => demo.days.find((d) => d.date === date)!;

describe('demo: clusters and Argo CD', () => {
  it('the manual kubectl set image in prod is drift.runtime on digests, naming both digests and the pods', async () => {
    const day = dayOf(MANUAL_SET_IMAGE.at.slice(0, 10));
    const { snapshot, cluster, argocd } = await night(day);
    expect(cluster.gaps).toEqual([]);
    expect(argocd.gaps).toEqual([]);
    const deployed = day.deployed.find((d) => d.service === MANUAL_SET_IMAGE.service && d.environment === 'prod')!;
    const manual = manualImage(deployed.version);
    const finding = snapshot.findings.find((f) => f.id === `drift.runtime/${MANUAL_SET_IMAGE.service}/prod`);
    expect(finding?.message).toContain(`artifact ${manual.digest} is not deployed artifact ${deployed.artifact}`);
    const observed = (finding?.evidence.observed as { source: string; workload?: string; digests?: { digest: string; pods: string[] }[]; changeCause?: string }[]).find((o) => o.source === 'cluster')!;
    expect(observed.digests).toHaveLength(1);
    expect(observed.digests![0]!.digest).toBe(manual.digest);
    expect(observed.digests![0]!.pods.length).toBeGreaterThanOrEqual(2);
    expect(observed.digests![0]!.pods.every((p) => p.startsWith(`${MANUAL_SET_IMAGE.service}-`))).toBe(true);
    expect(observed.changeCause).toBe(`kubectl set image deployment/${MANUAL_SET_IMAGE.service} ${MANUAL_SET_IMAGE.service}=${manual.image}`);
    expect(finding?.evidence.mismatches).toContain(`declared (argocd) https://github.com/acme/gitops.git/apps/${MANUAL_SET_IMAGE.service}/prod at main is OutOfSync with what is live`);
    // The page's evidence shows both digests and every pod running the manual one.
    const page = ruleEvidenceHtml('drift.runtime', finding!.evidence)!.value;
    expect(page).toContain(manual.digest);
    expect(page).toContain(deployed.artifact);
    for (const pod of observed.digests![0]!.pods) expect(page).toContain(pod);
    // Everywhere else the cluster runs what was deployed: no other drift.runtime that night.
    expect(snapshot.findings.filter((f) => f.rule === 'drift.runtime').map((f) => f.id)).toEqual([`drift.runtime/${MANUAL_SET_IMAGE.service}/prod`]);
  });

  it('the night before, the clusters agree with every record: no drift.runtime', async () => {
    const before = await night(dayOf('2026-10-13'));
    expect(before.snapshot.findings.filter((f) => f.rule === 'drift.runtime')).toEqual([]);
  });

  it('the stuck prod rollout is pods of one workload on two digests', async () => {
    const incident = INCIDENTS.find((i) => i.rule === 'drift.runtime' && i.service !== MANUAL_SET_IMAGE.service)!;
    const { snapshot } = await night(dayOf(incident.firesOn));
    const finding = snapshot.findings.find((f) => f.id === `drift.runtime/${incident.service}/prod`);
    expect((finding?.evidence.mismatches as string[]).some((m) => /^observed \(cluster\) Deployment\/[a-z-]+\/[a-z-]+: pods run 2 different digests: sha256:[0-9a-f]{64} \(pods? [^)]+\), sha256:[0-9a-f]{64} \(pods? [^)]+\)$/.test(m))).toBe(true);
  });

  it('one sync was started by the person who approved it, and Argo CD\'s syncs are all recorded', async () => {
    const incident = INCIDENTS.find((i) => i.rule === 'approval.self')!;
    const day = dayOf(incident.firesOn);
    const { argocd } = await night(day);
    const deployment = argocd.deployments.find((d) => d.service === incident.service && d.environment === 'prod')!;
    expect(deployment.deployedBy).toBe('rosa');
    const model = day.kubernetes.applications.find((a) => a.service === incident.service && a.environment === 'prod')!;
    const sync = model.syncs.at(-1)!;
    expect(sync.by).toBe('rosa');
    expect(sync.approvedBy).toEqual(['rosa']);
    expect(deployment.syncs?.map((s) => s.id)).toEqual(model.syncs.map((s) => s.id).reverse());
    expect(deployment.syncs?.length).toBeLessThanOrEqual(10);
    // dev and qa are synced by Argo CD's own automation.
    expect(argocd.deployments.filter((d) => d.environment === 'dev').every((d) => d.deployedBy === 'automated')).toBe(true);
  });
});
