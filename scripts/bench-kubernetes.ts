/**
 * Benchmark of the kubernetes source against the local Kubernetes-compatible
 * server (tests/helpers/kube-server.ts) with injected latency: one cluster of
 * 1,000 namespaces × 3 workloads (two Deployments and a StatefulSet, two pods
 * each, a ConfigMap and a Secret per namespace), read as whole-type lists with
 * limit/continue. Reports wall time and the number of requests.
 *
 *   npm run bench:kubernetes [-- --latency 20] [--namespaces 1000] [--page-size 500]
 *
 * Target (issue 22): 1,000 namespaces × 3 workloads in ≤ 10 s at 20 ms per request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectKubernetesWithStats } from '../collectors/kubernetes/source.ts';
import { configSchema, type KubernetesSourceConfig, type SourceContext } from '../src/model/index.ts';
import { configMap, KUBE_CA_FILE, mergeWorlds, secret, startKubeServer, workload } from '../examples/servers/kube-server.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const latency = arg('--latency', 20);
const namespaces = arg('--namespaces', 1000);
const pageSize = arg('--page-size', 500);
const TARGET_SECONDS = 10;

const setup = performance.now();
const parts = [];
for (let i = 0; i < namespaces; i++) {
  const ns = `team-${String(i).padStart(4, '0')}`;
  const service = `svc-${String(i).padStart(4, '0')}`;
  const labels = (part: string) => ({ 'app.kubernetes.io/name': service, 'app.kubernetes.io/component': part, 'app.kubernetes.io/version': '1.0.0' });
  parts.push(
    workload({ namespace: ns, name: `${service}-api`, labels: labels('api'), image: `ghcr.io/acme/${service}-api:1.0.0`, replicas: 2, configMaps: [`${service}-config`], secrets: [`${service}-db`] }),
    workload({ namespace: ns, name: `${service}-worker`, labels: labels('worker'), image: `ghcr.io/acme/${service}-worker:1.0.0`, replicas: 2 }),
    workload({ namespace: ns, name: `${service}-store`, labels: labels('store'), image: `ghcr.io/acme/${service}-store:1.0.0`, replicas: 2, kind: 'StatefulSet' }),
    { configmaps: [configMap(ns, `${service}-config`, { LOG_LEVEL: 'info' })], secrets: [secret(ns, `${service}-db`, { password: 'bench-secret-value' })] },
  );
}
const server = await startKubeServer(mergeWorlds(...parts), { latencyMs: latency, logBodies: false, token: 'bench-token' });
const setupSeconds = (performance.now() - setup) / 1000;

const services = Array.from({ length: namespaces }, (_, i) => String(i).padStart(4, '0'));
const config = configSchema.parse({
  name: 'Bench',
  environments: [{ name: 'prod', production: true }],
  sources: {
    cluster: {
      type: 'kubernetes',
      pageSize,
      clusters: { prod: { server: server.origin, tokenEnv: 'KUBE_TOKEN', caFile: KUBE_CA_FILE } },
      services: Object.fromEntries(services.map((i) => [`svc-${i}`, { namespace: `team-${i}` }])),
    },
  },
  services: services.map((i) => ({ name: `svc-${i}`, sources: ['cluster'] })),
});
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-k8s-'));
const context: SourceContext<KubernetesSourceConfig> = {
  name: 'cluster',
  settings: config.sources.cluster as KubernetesSourceConfig,
  config,
  services: config.services,
  configDir: dir,
  now: new Date('2026-03-14T02:00:00Z'),
  env: { KUBE_TOKEN: 'bench-token' },
  fetch: globalThis.fetch,
  progress: () => {},
};

console.log(`kubernetes source benchmark: ${namespaces} namespaces × 3 workloads, ${latency} ms latency per request, page size ${pageSize} (world built and schema-validated in ${setupSeconds.toFixed(1)} s)`);
console.log('run | requests | workloads observed | configs | gaps | wall s | target');
let failed = false;
try {
  for (const run of ['first', 'second']) {
    server.requests.length = 0;
    const start = performance.now();
    const { evidence, stats } = await collectKubernetesWithStats(context);
    const seconds = (performance.now() - start) / 1000;
    const ok = seconds <= TARGET_SECONDS && evidence.gaps.length === 0 && evidence.observed.length === namespaces * 3;
    if (!ok) failed = true;
    console.log([run, `${stats.requests} (server saw ${server.requests.length})`, evidence.observed.length, evidence.configs.length, evidence.gaps.length, seconds.toFixed(2), `${ok ? 'ok' : 'MISS'} ≤ ${TARGET_SECONDS} s, no gaps`].join(' | '));
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
