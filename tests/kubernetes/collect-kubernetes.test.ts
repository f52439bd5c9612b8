/**
 * The kubernetes source against the compatible server (tests/helpers/kube-server.ts):
 * what runs by digest, the rollout's revision, config from ConfigMaps, Secrets
 * by name only, pagination, and drift.runtime deciding on digests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectKubernetesWithStats, listAll } from '../../collectors/kubernetes/source.ts';
import { parseSelector, references } from '../../collectors/kubernetes/map.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import type { ConfigInput, Evidence, KubernetesSourceConfig } from '../../src/model/index.ts';
import { configSchema } from '../../src/model/index.ts';
import { credentialsOf } from '../../collectors/shared/credentials.ts';
import { configMap, KUBE_CA_FILE, mergeWorlds, secret, startKubeServer, workload, type KubeServer, type KubeWorld } from '../helpers/kube-server.ts';
import { NOW, sourceContext } from '../helpers/runtime-context.ts';

const MARKER = 'MARKER-s3cr3t-value-never-travels';
const D = (c: string) => `sha256:${c.repeat(64)}`;

const stagingWorld = (): KubeWorld =>
  mergeWorlds(
    workload({
      namespace: 'payments',
      name: 'payments-api',
      image: 'ghcr.io/acme/payments-api:2.4.1',
      digest: D('a'),
      labels: { 'app.kubernetes.io/name': 'payments-api', 'app.kubernetes.io/version': '2.4.1' },
      replicas: 3,
      ready: 2,
      revision: 7,
      changeCause: 'argocd sync 2.4.1',
      revisionAt: '2026-03-12T10:00:00Z',
      configMaps: ['payments-config'],
      secrets: ['payments-db'],
    }),
    workload({ namespace: 'search', name: 'search', image: 'ghcr.io/acme/search:1.9.0', digest: D('c'), kind: 'StatefulSet', replicas: 2 }),
    workload({ namespace: 'other', name: 'unrelated', image: 'ghcr.io/acme/unrelated:1', replicas: 1 }),
    {
      configmaps: [configMap('payments', 'payments-config', { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://app:hunter2hunter2@db:5432/pay' })],
      secrets: [secret('payments', 'payments-db', { password: MARKER })],
    },
  );

const prodWorld = (): KubeWorld =>
  mergeWorlds(
    // A partial rollout: one pod still on the old digest.
    workload({ namespace: 'payments', name: 'payments-api', image: 'ghcr.io/acme/payments-api:2.4.1', podDigests: [D('a'), D('a'), D('b')], revision: 4 }),
    workload({ namespace: 'search', name: 'search', image: 'ghcr.io/acme/search:1.9.0', digest: D('c'), kind: 'StatefulSet' }),
  );

let staging: KubeServer;
let prod: KubeServer;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kube-collect-'));
});
afterEach(async () => {
  await staging?.close();
  await prod?.close();
  await rm(dir, { recursive: true, force: true });
});

function config(source: Record<string, unknown>): ConfigInput {
  return {
    name: 'acme',
    environments: [{ name: 'staging' }, { name: 'prod', production: true }],
    sources: { cluster: { type: 'kubernetes', ...source } as never },
    services: [
      { name: 'payments-api', sources: ['cluster'] },
      { name: 'search', sources: ['cluster'] },
    ],
  };
}

async function collect(source: Record<string, unknown>, env: Record<string, string> = {}) {
  const context = sourceContext<KubernetesSourceConfig>(config(source), 'cluster', { configDir: dir, env });
  return collectKubernetesWithStats(context);
}

describe('kubernetes source', () => {
  it('records what runs by digest, with tag, version label, replicas, revision, change cause and its start', async () => {
    staging = await startKubeServer(stagingWorld());
    prod = await startKubeServer(prodWorld(), { token: 'prod-token' });
    const kubeconfig = await prod.kubeconfig(dir, { context: 'prod-ctx' });
    const { evidence, stats } = await collect(
      {
        pageSize: 2,
        clusters: {
          staging: { server: staging.origin, tokenEnv: 'STAGING_TOKEN', caFile: KUBE_CA_FILE },
          prod: { kubeconfig: path.basename(kubeconfig), context: 'prod-ctx' },
        },
      },
      { STAGING_TOKEN: 'staging-token' },
    );
    expect(evidence.gaps).toEqual([]);
    const api = evidence.observed.find((o) => o.service === 'payments-api' && o.environment === 'staging');
    expect(api).toEqual({
      service: 'payments-api',
      environment: 'staging',
      version: '2.4.1',
      commit: null,
      at: '2026-03-14T02:00:00Z',
      source: 'cluster',
      artifact: D('a'),
      image: 'ghcr.io/acme/payments-api:2.4.1',
      workload: 'Deployment/payments/payments-api',
      replicas: { ready: 2, desired: 3 },
      revision: '7',
      changeCause: 'argocd sync 2.4.1',
      revisionAt: '2026-03-12T10:00:00Z',
      digests: [{ digest: D('a'), pods: ['payments-api-7abc-p0', 'payments-api-7abc-p1', 'payments-api-7abc-p2'] }],
    });
    const search = evidence.observed.find((o) => o.service === 'search' && o.environment === 'staging');
    expect(search).toMatchObject({ workload: 'StatefulSet/search/search', artifact: D('c'), version: '1.9.0', replicas: { ready: 2, desired: 2 }, revision: 'search-1abc' });
    const mixed = evidence.observed.find((o) => o.service === 'payments-api' && o.environment === 'prod');
    expect(mixed?.artifact).toBeUndefined();
    expect(mixed?.digests).toEqual([
      { digest: D('a'), pods: ['payments-api-4abc-p0', 'payments-api-4abc-p1'] },
      { digest: D('b'), pods: ['payments-api-4abc-p2'] },
    ]);
    // The token from the environment variable and the kubeconfig's were sent.
    expect(new Set(staging.requests.map((r) => r.authorization))).toEqual(new Set(['Bearer staging-token']));
    expect(new Set(prod.requests.map((r) => r.authorization))).toEqual(new Set(['Bearer prod-token']));
    expect(stats.requests).toBe(staging.requests.length + prod.requests.length);
  });

  it('reads Argo Rollouts like Deployments, and a cluster without them is no gap', async () => {
    const world = mergeWorlds(
      workload({ namespace: 'payments', name: 'payments-api', kind: 'Rollout', image: 'ghcr.io/acme/payments-api:2.5.0', podDigests: [D('a'), D('a'), D('f')], revision: 9, revisionAt: '2026-03-13T11:00:00Z' }),
      workload({ namespace: 'search', name: 'search', image: 'ghcr.io/acme/search:1.9.0', digest: D('c') }),
    );
    staging = await startKubeServer(world);
    const source = { pageSize: 2, clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } };
    const { evidence } = await collect(source, { T: 't' });
    expect(evidence.gaps).toEqual([]);
    expect(evidence.observed.find((o) => o.service === 'payments-api')).toMatchObject({
      workload: 'Rollout/payments/payments-api',
      revision: '9',
      revisionAt: '2026-03-13T11:00:00Z',
      digests: [
        { digest: D('a'), pods: ['payments-api-9abc-p0', 'payments-api-9abc-p1'] },
        { digest: D('f'), pods: ['payments-api-9abc-p2'] },
      ],
    });
    // Without the CRD (404): no Rollouts, no gap. Without RBAC on it (403): what runs is unknown.
    staging.setWorld(workload({ namespace: 'search', name: 'search', image: 'ghcr.io/acme/search:1.9.0', digest: D('c') }));
    staging.setFaults({ rollouts: { kind: 'not-found' } });
    const without = await collect(source, { T: 't' });
    expect(without.evidence.observed.map((o) => o.workload)).toEqual(['Deployment/search/search']);
    expect(without.evidence.gaps.map((g) => g.reason)).toEqual(['no Deployment, Rollout, StatefulSet or DaemonSet in any namespace matches app.kubernetes.io/name=payments-api']);
    staging.setFaults({ rollouts: { kind: 'forbidden' } });
    const forbidden = await collect(source, { T: 't' });
    expect(forbidden.evidence.gaps.map((g) => g.service)).toEqual(['payments-api', 'search']);
    expect(forbidden.evidence.gaps.every((g) => /^what runs is unknown: list rollouts: HTTP 403 Forbidden: rollouts\.argoproj\.io is forbidden/.test(g.reason))).toBe(true);
  });

  it('without the ReplicaSets, a Deployment\'s pods are still found by its selector: only when its revision started is a gap', async () => {
    staging = await startKubeServer(stagingWorld(), { faults: { replicasets: { kind: 'server-error' } } });
    const { evidence } = await collect({ clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } }, { T: 't' });
    const api = evidence.observed.find((o) => o.service === 'payments-api')!;
    expect(api.artifact).toBe(D('a'));
    expect(api.digests).toEqual([{ digest: D('a'), pods: ['payments-api-7abc-p0', 'payments-api-7abc-p1', 'payments-api-7abc-p2'] }]);
    expect(api.revisionAt).toBeUndefined();
    expect(evidence.gaps.map((g) => `${g.service}:${g.evidence}`)).toEqual(['payments-api:revision']);
  });

  it('lists whole types with limit/continue, never one request per namespace', async () => {
    staging = await startKubeServer(stagingWorld());
    const { evidence } = await collect({ pageSize: 1, clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } }, { T: 't' });
    expect(evidence.observed.map((o) => o.workload)).toEqual(['Deployment/payments/payments-api', 'StatefulSet/search/search']);
    const paths = staging.requests.map((r) => new URL(r.url, staging.origin));
    expect(paths.every((u) => !u.pathname.includes('/namespaces/'))).toBe(true);
    expect(paths.every((u) => u.searchParams.get('limit') === '1')).toBe(true);
    // One page per item: 2 Deployments, 2 ReplicaSets, 6 pods; one page for each other type.
    const pages = (p: string) => paths.filter((u) => u.pathname === p).length;
    expect(pages('/apis/apps/v1/deployments')).toBe(2);
    expect(pages('/apis/apps/v1/replicasets')).toBe(2);
    expect(pages('/api/v1/pods')).toBe(6);
    expect(pages('/api/v1/secrets')).toBe(1);
    expect(pages('/apis/argoproj.io/v1alpha1/rollouts')).toBe(1);
    expect(paths.filter((u) => u.searchParams.has('continue'))).toHaveLength(1 + 1 + 5);
    expect(paths).toHaveLength(2 + 2 + 6 + 1 + 1 + 1 + 1 + 1);
  });

  it('reads referenced ConfigMaps as config and Secrets by name and version only: the value never travels', async () => {
    staging = await startKubeServer(stagingWorld());
    const { evidence } = await collect({ clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } }, { T: 't' });
    expect(evidence.configs).toEqual([
      {
        service: 'payments-api',
        environment: 'staging',
        source: 'cluster',
        values: { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://app:hunter2hunter2@db:5432/pay' },
        origin: 'configmap/payments/payments-config',
        revision: '200',
      },
      { service: 'payments-api', environment: 'staging', source: 'cluster', values: { 'secret/payments-db': { secret: true, updatedAt: '2026-03-01T12:00:00Z' } }, origin: 'secret/payments/payments-db', revision: '300' },
    ]);
    const secretRequests = staging.requests.filter((r) => r.url.startsWith('/api/v1/secrets'));
    expect(secretRequests.length).toBeGreaterThan(0);
    expect(secretRequests.every((r) => r.accept.includes('as=PartialObjectMetadataList'))).toBe(true);
    const encoded = Buffer.from(MARKER).toString('base64');
    expect(staging.requests.filter((r) => r.body.includes(encoded) || r.body.includes(MARKER))).toEqual([]);
    expect(JSON.stringify(evidence)).not.toContain(MARKER);
    // The server does hold the marker and serves it when values are asked: its absence above is meaningful.
    expect((await staging.get('/api/v1/secrets')).text).toContain(encoded);

    // Through the snapshot: the connection string's password is redacted by the one redaction home.
    const snapshot = assembleFrom(evidence);
    expect(JSON.stringify(snapshot)).not.toContain('hunter2hunter2');
    expect(JSON.stringify(snapshot)).not.toContain(MARKER);
  });

  it('a Secret applied with kubectl carries its values in an annotation: they reach neither the evidence nor the snapshot', async () => {
    const world = stagingWorld();
    const applied = secret('payments', 'payments-db', { password: MARKER });
    applied.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { password: MARKER } }) };
    world.secrets = [applied];
    staging = await startKubeServer(world);
    const { evidence } = await collect({ clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } }, { T: 't' });
    // The metadata-only list does carry it (Kubernetes cannot leave annotations out)…
    expect(staging.requests.some((r) => r.url.startsWith('/api/v1/secrets') && r.body.includes(MARKER))).toBe(true);
    // …but nothing of it is kept.
    expect(evidence.configs.find((c) => c.origin === 'secret/payments/payments-db')?.values).toEqual({ 'secret/payments-db': { secret: true, updatedAt: '2026-03-01T12:00:00Z' } });
    expect(JSON.stringify(evidence)).not.toContain(MARKER);
    expect(JSON.stringify(assembleFrom(evidence))).not.toContain(MARKER);
  });

  it('a changed ConfigMap with no deployment is config.unrecorded-change', async () => {
    staging = await startKubeServer(stagingWorld());
    const source = { clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } };
    const first = assembleFrom((await collect(source, { T: 't' })).evidence);
    const changed = stagingWorld();
    changed.configmaps = [configMap('payments', 'payments-config', { LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://app:hunter2hunter2@db:5432/pay' }, '201')];
    staging.setWorld(changed);
    const second = assembleFrom((await collect(source, { T: 't' })).evidence, first, '2026-03-15T02:00:00Z');
    const finding = second.findings.find((f) => f.rule === 'config.unrecorded-change');
    expect(finding?.id).toBe('config.unrecorded-change/payments-api/staging/LOG_LEVEL');
    expect(finding?.evidence).toMatchObject({ old: 'info', new: 'debug', origin: 'configmap/payments/payments-config', revision: '201' });
  });
});

describe('kubernetes source: credentials and secrets over time', () => {
  it('a missing token variable, or no pod environment for inCluster, is a gap naming it, and nothing is asked', async () => {
    staging = await startKubeServer(stagingWorld());
    const { evidence } = await collect({ clusters: { staging: { server: staging.origin, tokenEnv: 'KUBE_TOKEN_STAGING', caFile: KUBE_CA_FILE }, prod: { inCluster: true } } });
    expect(evidence.observed).toEqual([]);
    expect(evidence.gaps.map((g) => `${g.environment}/${g.service}: ${g.reason}`)).toEqual([
      'prod/payments-api: inCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)',
      'staging/payments-api: environment variable KUBE_TOKEN_STAGING (the token for ' + staging.origin + ') is not set',
      'prod/search: inCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)',
      'staging/search: environment variable KUBE_TOKEN_STAGING (the token for ' + staging.origin + ') is not set',
    ]);
    expect(staging.requests).toEqual([]);
  });

  it('cluster tokens from the environment are credentials the run scrubs and refuses to write', () => {
    const parsed = configSchema.parse(config({ clusters: { staging: { server: 'https://k8s.example:6443', tokenEnv: 'KUBE_TOKEN_STAGING' } } }));
    const credentials = credentialsOf(parsed, { KUBE_TOKEN_STAGING: 'eyJhbGciOiJSUzI1NiJ9.staging-token-value' });
    expect(credentials.holds('gap: Bearer eyJhbGciOiJSUzI1NiJ9.staging-token-value')).toBe(true);
  });

  it('a Secret rewritten by hand with no deployment is config.unrecorded-change, by its write time alone', async () => {
    staging = await startKubeServer(stagingWorld());
    const source = { clusters: { staging: { server: staging.origin, tokenEnv: 'T', caFile: KUBE_CA_FILE } } };
    const first = assembleFrom((await collect(source, { T: 't' })).evidence);
    const rotated = stagingWorld();
    const s = secret('payments', 'payments-db', { password: `${MARKER}-rotated` }, '301');
    (s.metadata.managedFields as { time: string }[])[0]!.time = '2026-03-14T01:00:00Z';
    rotated.secrets = [s];
    staging.setWorld(rotated);
    const second = assembleFrom((await collect(source, { T: 't' })).evidence, first, '2026-03-15T02:00:00Z');
    const finding = second.findings.find((f) => f.rule === 'config.unrecorded-change');
    expect(finding?.id).toBe('config.unrecorded-change/payments-api/staging/secret-payments-db');
    expect(finding?.evidence).toMatchObject({ old: { secret: true, updatedAt: '2026-03-01T12:00:00Z' }, new: { secret: true, updatedAt: '2026-03-14T01:00:00Z' }, revision: '301' });
    expect(JSON.stringify(second)).not.toContain(MARKER);
  });
});

describe('drift.runtime on digests', () => {
  const deployment = (artifact: string, version = '2.4.1') => ({
    service: 'payments-api',
    environment: 'prod',
    version,
    commit: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b',
    artifact,
    deployedAt: '2026-03-12T10:00:00Z',
    deployedBy: 'argocd',
    source: 'deploys',
    approvals: [],
  });
  const observed = (digests: { digest: string; pods: string[] }[], version = '2.4.1') => ({
    service: 'payments-api',
    environment: 'prod',
    version,
    commit: null,
    at: '2026-03-14T02:00:00Z',
    source: 'cluster',
    workload: 'Deployment/payments/payments-api',
    image: `ghcr.io/acme/payments-api:${version}`,
    ...(digests.length === 1 ? { artifact: digests[0]!.digest } : {}),
    digests,
  });

  it('fires when the running digest is not the deployed one, naming both digests and the pods', () => {
    const evidence = { deployments: [deployment(D('a'))], observed: [observed([{ digest: D('e'), pods: ['api-p0', 'api-p1'] }])] };
    const finding = assembleFrom(evidence).findings.find((f) => f.rule === 'drift.runtime');
    expect(finding?.message).toBe(`payments-api in prod: observed (cluster) Deployment/payments/payments-api artifact ${D('e')} is not deployed artifact ${D('a')}.`);
    expect(finding?.evidence).toMatchObject({
      deployed: { artifact: D('a') },
      observed: [{ artifact: D('e'), workload: 'Deployment/payments/payments-api', digests: [{ digest: D('e'), pods: ['api-p0', 'api-p1'] }] }],
    });
  });

  it('does not fire when the digests agree, whatever the labels say', () => {
    const evidence = { deployments: [deployment(D('a'), 'release-2026.03')], observed: [observed([{ digest: D('a'), pods: ['api-p0'] }], 'sha-9f86d08x')] };
    expect(assembleFrom(evidence).findings.filter((f) => f.rule === 'drift.runtime')).toEqual([]);
  });

  it('fires when pods of one workload run more than one digest (a stuck rollout)', () => {
    const evidence = { deployments: [deployment(D('a'))], observed: [observed([{ digest: D('a'), pods: ['api-p0', 'api-p1'] }, { digest: D('b'), pods: ['api-p2'] }])] };
    const finding = assembleFrom(evidence).findings.find((f) => f.rule === 'drift.runtime');
    expect(finding?.evidence.mismatches).toEqual([
      `observed (cluster) Deployment/payments/payments-api: pods run 2 different digests: ${D('a')} (pods api-p0, api-p1), ${D('b')} (pod api-p2)`,
    ]);
  });
});

describe('kubernetes parsing', () => {
  it('label selectors: equality, inequality, existence', () => {
    const m = parseSelector('app.kubernetes.io/name=api, tier!=cache,team');
    if ('error' in m) throw new Error(m.error);
    expect(m({ 'app.kubernetes.io/name': 'api', team: 'pay' })).toBe(true);
    expect(m({ 'app.kubernetes.io/name': 'api', team: 'pay', tier: 'cache' })).toBe(false);
    expect(m({ 'app.kubernetes.io/name': 'api' })).toBe(false);
    expect(parseSelector('app in (a,b)')).toEqual({ error: 'label selector "app in (a,b)": "app in (a" is not key=value, key!=value, key or !key' });
  });

  it('references: envFrom, valueFrom, volumes and projected volumes', () => {
    expect(
      references({
        containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'cm1' } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }] }],
        initContainers: [{ name: 'i', env: [{ name: 'Y', valueFrom: { configMapKeyRef: { name: 'cm0', key: 'k' } } }] }],
        volumes: [{ secret: { secretName: 's2' } }, { projected: { sources: [{ configMap: { name: 'cm2' } }, { secret: { name: 's3' } }] } }],
      }),
    ).toEqual({ configMaps: ['cm0', 'cm1', 'cm2'], secrets: ['s1', 's2', 's3'] });
  });

  it('listAll restarts once on 410 and reports a second one', async () => {
    const gone = Object.assign(new (await import('@kubernetes/client-node')).ApiException(410, 'Gone', '{"kind":"Status","reason":"Expired","message":"too old"}', {}), {});
    let calls = 0;
    const once = await listAll(async (token) => {
      calls++;
      if (calls === 2) throw gone;
      return token ? { items: [2] } : { items: [1], metadata: { _continue: 'x' } };
    }, 1000);
    expect(once).toEqual({ ok: true, items: [1, 2] });
    expect(calls).toBe(4);
    const always = await listAll(async (token) => {
      if (token) throw gone;
      return { items: [1], metadata: { _continue: 'x' } };
    }, 1000);
    expect(always).toEqual({ ok: false, reason: 'HTTP 410 Expired: too old, again after restarting the list' });
  });
});

function assembleFrom(evidence: Partial<Evidence>, previous?: ReturnType<typeof assembleSnapshot>, takenAt = NOW.toISOString().replace('.000Z', 'Z')) {
  const config = configSchema.parse({
    ...config_(),
  });
  const full: Evidence = { deployments: [], history: [], observed: [], declared: [], configs: [], branches: [], changes: [], gaps: [], syncs: [], ...evidence };
  return assembleSnapshot({
    config,
    outcomes: [{ name: 'cluster', type: 'kubernetes', evidence: full }],
    id: takenAt.replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})T(\d{6})Z$/, '$1-$2-$3T$4Z'),
    takenAt,
    previous: previous ? { snapshot: previous, sha256: '0'.repeat(64) } : null,
    generator: { name: 'test', version: '0' },
    secretKey: null,
  });
}

function config_(): ConfigInput {
  return config({ clusters: { staging: { server: 'https://127.0.0.1:1', tokenEnv: 'T' } } });
}
