/**
 * The argocd source against an Argo-CD-compatible server whose Applications
 * are validated with Argo CD's published schema: every sync Argo keeps with
 * who started it, declared sources, OutOfSync as drift, and gaps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectArgoCd } from '../../collectors/argocd/source.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import type { ArgoCdSourceConfig, ConfigInput } from '../../src/model/index.ts';
import { configSchema } from '../../src/model/index.ts';
import { application, startArgoServer, validateApplications, type ArgoServer } from '../helpers/argocd-server.ts';
import { hang, status } from '../helpers/http-server.ts';
import { KUBE_CA_FILE, startKubeServer } from '../helpers/kube-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const SHA = (c: string) => c.repeat(40);
const DIGEST = `sha256:${'d'.repeat(64)}`;

const apps = () => [
  application({
    name: 'payments-api-prod',
    destination: 'prod-eu',
    images: [`ghcr.io/acme/payments-api:2.4.1@${DIGEST}`, 'ghcr.io/acme/istio-proxy:1.22'],
    kustomizeImages: ['ghcr.io/acme/payments-api:2.4.1'],
    history: [
      { id: 11, revision: SHA('a'), deployedAt: '2026-03-10T09:00:00Z', by: 'automated' },
      { id: 12, revision: SHA('b'), deployedAt: '2026-03-12T10:05:00Z', startedAt: '2026-03-12T10:00:00Z', by: 'carol' },
    ],
  }),
  application({
    name: 'payments-api-staging',
    destination: 'staging',
    images: ['ghcr.io/acme/payments-api:2.5.0'],
    sync: 'OutOfSync',
    health: 'Degraded',
    history: [{ id: 3, revision: SHA('c'), deployedAt: '2026-03-13T08:00:00Z', by: 'automated' }],
  }),
  application({ name: 'unrelated', destination: 'prod-eu', images: ['x/y:1'], history: [] }),
];

const config = (baseUrl: string): ConfigInput => ({
  name: 'acme',
  environments: [{ name: 'staging' }, { name: 'prod', production: true }],
  sources: { argo: { type: 'argocd', baseUrl, environments: { prod: 'prod-eu', staging: 'staging' } } },
  services: [
    { name: 'payments-api', sources: ['argo'] },
    { name: 'search', sources: ['argo'] },
  ],
});

let server: ArgoServer | undefined;
afterEach(async () => server?.close());

const collect = (baseUrl: string, env: Record<string, string> = { ARGOCD_TOKEN: 'argo-token' }, extra: Record<string, unknown> = {}) => {
  const input = config(baseUrl);
  Object.assign(input.sources!.argo!, extra);
  return collectArgoCd(sourceContext<ArgoCdSourceConfig>(input, 'argo', { env }));
};

describe('argocd source', () => {
  it('records the latest sync as the deployment, with who started it and every sync Argo still keeps', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const evidence = await collect(server.origin);
    const prod = evidence.deployments.find((d) => d.environment === 'prod');
    expect(prod).toEqual({
      service: 'payments-api',
      environment: 'prod',
      version: '2.4.1',
      commit: SHA('b'),
      artifact: DIGEST,
      deployedAt: '2026-03-12T10:05:00Z',
      deployedBy: 'carol',
      source: 'argo',
      url: `${server.origin}/applications/payments-api-prod`,
      status: 'Synced, Healthy',
      approvals: [],
      syncs: [
        { id: 12, revision: SHA('b'), at: '2026-03-12T10:05:00Z', startedAt: '2026-03-12T10:00:00Z', by: 'carol' },
        { id: 11, revision: SHA('a'), at: '2026-03-10T09:00:00Z', by: 'automated' },
      ],
    });
    expect(evidence.history.filter((h) => h.environment === 'prod').map((h) => h.commit)).toEqual([SHA('b'), SHA('a')]);
    expect(evidence.declared.find((d) => d.environment === 'prod')).toEqual({
      service: 'payments-api',
      environment: 'prod',
      version: '2.4.1',
      image: 'ghcr.io/acme/payments-api:2.4.1',
      file: 'https://github.com/acme/gitops.git/apps/payments-api-prod',
      revision: 'main',
      source: 'argo',
      syncStatus: 'Synced',
      health: 'Healthy',
    });
    expect(evidence.observed.find((o) => o.environment === 'prod')).toMatchObject({ version: '2.4.1', artifact: DIGEST, workload: 'Application/payments-api-prod' });
    // search has no application anywhere: a gap per environment, not silence.
    expect(evidence.gaps).toEqual([
      { source: 'argo', service: 'search', environment: 'staging', evidence: 'all', reason: 'no Argo CD application for search in staging' },
      { source: 'argo', service: 'search', environment: 'prod', evidence: 'all', reason: 'no Argo CD application for search in prod' },
    ]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer argo-token']);
  });

  it('with deployments: false, another source keeps the deployment record and the syncs are history only', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const evidence = await collect(server.origin, undefined, { deployments: false });
    expect(evidence.deployments).toEqual([]);
    expect(evidence.history.filter((h) => h.environment === 'prod').map((h) => h.commit)).toEqual([SHA('b'), SHA('a')]);
    expect(evidence.declared).toHaveLength(2);
  });

  it('with cluster, reads the Application resources through the Kubernetes API: the same records, no Argo CD token', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const fromApi = await collect(server.origin);
    const resources = apps().map((a) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...a }));
    const kube = await startKubeServer({ applications: resources });
    try {
      const input = config(server.origin);
      input.sources!.argo = { type: 'argocd', cluster: { server: kube.origin, tokenEnv: 'KUBE_TOKEN', caFile: KUBE_CA_FILE }, environments: { prod: 'prod-eu', staging: 'staging' } };
      const fromCluster = await collectArgoCd(sourceContext<ArgoCdSourceConfig>(input, 'argo', { env: { KUBE_TOKEN: 'kube-token' } }));
      const withoutUrl = <T extends { url?: string }>(r: T) => ({ ...r, url: undefined });
      expect(fromCluster.deployments.map(withoutUrl)).toEqual(fromApi.deployments.map(withoutUrl));
      expect(fromCluster.declared).toEqual(fromApi.declared);
      expect(fromCluster.gaps).toEqual(fromApi.gaps);
      expect(kube.requests.map((r) => r.url)).toEqual(['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications?limit=500']);
      kube.setFaults({ applications: { kind: 'forbidden' } });
      const forbidden = await collectArgoCd(sourceContext<ArgoCdSourceConfig>(input, 'argo', { env: { KUBE_TOKEN: 'kube-token' } }));
      expect([...new Set(forbidden.gaps.map((g) => g.reason))]).toEqual([
        'list applications.argoproj.io in argocd: HTTP 403 Forbidden: applications.argoproj.io is forbidden: User "system:serviceaccount:release-ledger:reader" cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"',
      ]);
      expect(forbidden.gaps).toHaveLength(4);
    } finally {
      await kube.close();
    }
  });

  it('OutOfSync is drift.runtime between what is declared and what is live', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const evidence = await collect(server.origin);
    const snapshot = assembleSnapshot({
      config: configSchema.parse(config(server.origin)),
      outcomes: [{ name: 'argo', type: 'argocd', evidence }],
      id: '2026-03-14T020000Z',
      takenAt: '2026-03-14T02:00:00Z',
      previous: null,
      generator: { name: 'test', version: '0' },
      secretKey: null,
    });
    const drift = snapshot.findings.filter((f) => f.rule === 'drift.runtime');
    expect(drift.map((f) => f.id)).toEqual(['drift.runtime/payments-api/staging']);
    expect(drift[0]!.evidence.mismatches).toEqual(['declared (argo) https://github.com/acme/gitops.git/apps/payments-api-staging at main is OutOfSync with what is live']);
    expect(drift[0]!.evidence.declared).toEqual([expect.objectContaining({ syncStatus: 'OutOfSync', health: 'Degraded' })]);
  });

  it('failures are gaps for every service and environment: 401, 5xx, timeout, unreachable, no token', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const reasons = async (run: Promise<Awaited<ReturnType<typeof collectArgoCd>>>) => [...new Set((await run).gaps.map((g) => g.reason))];
    const where = `GET ${server.origin}/api/v1/applications`;
    expect(await reasons(collect(server.origin, { ARGOCD_TOKEN: 'wrong' }))).toEqual([`${where}: HTTP 401 (is the token valid, with read access to applications?)`]);
    expect(await reasons(collect(server.origin, {}))).toEqual(['environment variable ARGOCD_TOKEN (the Argo CD token) is not set']);
    server.setFault(status(503, 'upstream unavailable'));
    expect(await reasons(collect(server.origin))).toEqual([`${where}: HTTP 503`]);
    server.setFault(hang());
    expect(await reasons(collect(server.origin, undefined, { timeoutMs: 300 }))).toEqual([`${where}: timeout after 300 ms`]);
    const origin = server.origin;
    await server.close();
    server = undefined;
    expect(await reasons(collect(origin))).toEqual([`GET ${origin}/api/v1/applications: connection refused (ECONNREFUSED)`]);
  });

  it('the test server refuses an Application that does not match Argo CD\'s schema', () => {
    const bad = apps()[0]!;
    bad.status.history[0].id = 'eleven';
    expect(() => validateApplications([bad])).toThrow(/Application payments-api-prod does not match Argo CD's schema/);
  });
});
