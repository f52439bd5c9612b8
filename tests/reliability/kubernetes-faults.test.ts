/**
 * Gaps never silent, for the kubernetes source (issue 22). Four clusters (one
 * per environment), each a Kubernetes-compatible server on 127.0.0.1
 * (tests/helpers/kube-server.ts), read through the real `collect` command.
 * Each row injects one fault into the prod cluster: 403 without RBAC, 410 Gone
 * on an expired continue token (once: restarted; always: a gap), 5xx, a
 * timeout, an unreachable cluster, a missing kubeconfig or context, a bad
 * token, a missing ConfigMap, a service with no workload. Every row must
 * exit 3 (gaps) or 0 (recovered), record exactly the expected gaps for prod
 * and nothing else, leave the other clusters' observations as in the
 * fault-free run, and never carry the Secret's value anywhere.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot, snapshotIdFor } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { runCli } from '../helpers/cli.ts';
import { application, startArgoServer, type ArgoApplication, type ArgoServer } from '../helpers/argocd-server.ts';
import { hang, raw, status } from '../helpers/http-server.ts';
import { configMap, mergeWorlds, secret, startKubeServer, workload, type KubeServer, type KubeServerOptions, type KubeWorld } from '../helpers/kube-server.ts';
import { baseInventory, ENVIRONMENTS, recordFigure, useTempRoot, writeWorld } from './world.ts';

const SERVICES = ['svc-0', 'svc-1', 'svc-2', 'svc-3'];
const AT = '2026-03-14T02:00:00Z';
const MARKER = 'MARKER-k8s-secret-value-9c1f';
const tempRoot = useTempRoot('kubernetes-faults');
const D = (env: string, s: string) => `sha256:${Buffer.from(`${env}-${s}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;

function worldFor(env: string, options: { without?: string; noConfigMap?: boolean } = {}): KubeWorld {
  const ns = 'apps';
  return mergeWorlds(
    ...[
      workload({ namespace: ns, name: 'svc-0', image: 'ghcr.io/acme/svc-0:1.0.0', digest: D(env, 'svc-0'), replicas: 3, configMaps: ['svc-0-config'], secrets: ['svc-0-db'] }),
      workload({ namespace: ns, name: 'svc-1', image: 'ghcr.io/acme/svc-1:1.0.0', digest: D(env, 'svc-1'), replicas: 2 }),
      workload({ namespace: ns, name: 'svc-2', image: 'ghcr.io/acme/svc-2:1.0.0', digest: D(env, 'svc-2'), kind: 'StatefulSet', replicas: 2 }),
      workload({ namespace: ns, name: 'svc-3', image: 'ghcr.io/acme/svc-3:1.0.0', digest: D(env, 'svc-3'), kind: 'DaemonSet', replicas: 3 }),
    ].filter((w) => !(options.without && (w.deployments ?? w.statefulsets ?? w.daemonsets)![0]!.metadata.name === options.without)),
    {
      configmaps: options.noConfigMap ? [] : [configMap(ns, 'svc-0-config', { LOG_LEVEL: 'info', FEATURE_X: 'on' })],
      secrets: [secret(ns, 'svc-0-db', { password: MARKER })],
    },
  );
}

interface Row {
  name: string;
  faults?: KubeServerOptions['faults'];
  world?: KubeWorld;
  /** How prod's cluster entry is changed (a broken kubeconfig…). */
  cluster?: (good: Record<string, unknown>) => Record<string, unknown>;
  stop?: boolean;
  /** Per-request timeout for this row (the timeout row only: a loaded machine must not turn slow answers into gaps). */
  timeoutMs?: number;
  /** `service:evidence` gaps expected in prod, with a reason pattern. */
  gaps: string[];
  reason?: RegExp;
}

const ALL = (evidence: string) => SERVICES.map((s) => `${s}:${evidence}`);

const ROWS: Row[] = [
  { name: '403 on deployments (no RBAC)', faults: { deployments: { kind: 'forbidden' } }, gaps: ALL('observed'), reason: /list deployments: HTTP 403 Forbidden: deployments\.apps is forbidden/ },
  { name: '403 on pods', faults: { pods: { kind: 'forbidden' } }, gaps: ALL('observed'), reason: /list pods: HTTP 403 Forbidden/ },
  { name: '403 on secrets', faults: { secrets: { kind: 'forbidden' } }, gaps: ['svc-0:config'], reason: /Secret apps\/svc-0-db \(used by Deployment\/apps\/svc-0\) unread: list secrets \(metadata only\): HTTP 403 Forbidden/ },
  { name: '403 on configmaps', faults: { configmaps: { kind: 'forbidden' } }, gaps: ['svc-0:config'], reason: /ConfigMap apps\/svc-0-config .* unread: list configmaps: HTTP 403/ },
  { name: '410 Gone once (list restarted)', faults: { pods: { kind: 'gone-once' } }, gaps: [] },
  { name: '410 Gone twice', faults: { pods: { kind: 'gone-always' } }, gaps: ALL('observed'), reason: /list pods: HTTP 410 Expired: The provided continue parameter is too old.*again after restarting the list/ },
  { name: 'HTTP 500 on statefulsets', faults: { statefulsets: { kind: 'server-error' } }, gaps: ALL('observed'), reason: /list statefulsets: HTTP 500 InternalError/ },
  { name: 'HTTP 503 on daemonsets', faults: { daemonsets: { kind: 'server-error', status: 503 } }, gaps: ALL('observed'), reason: /list daemonsets: HTTP 503 ServiceUnavailable/ },
  { name: 'HTTP 500 on replicasets', faults: { replicasets: { kind: 'server-error' } }, gaps: ['svc-0:revision', 'svc-1:revision'], reason: /revision started is unknown: list replicasets: HTTP 500/ },
  { name: 'timeout', faults: { deployments: { kind: 'hang' } }, timeoutMs: 1500, gaps: ALL('observed'), reason: /list deployments: timeout after 1500 ms/ },
  { name: 'resource type missing (404)', faults: { daemonsets: { kind: 'not-found' } }, gaps: ALL('observed'), reason: /list daemonsets: HTTP 404 NotFound/ },
  { name: 'Argo Rollouts not installed (404)', faults: { rollouts: { kind: 'not-found' } }, gaps: [] },
  { name: '403 on Argo Rollouts', faults: { rollouts: { kind: 'forbidden' } }, gaps: ALL('observed'), reason: /list rollouts: HTTP 403 Forbidden: rollouts\.argoproj\.io is forbidden/ },
  { name: 'unreachable cluster', stop: true, gaps: ALL('all'), reason: /unreachable: connection refused/ },
  { name: 'missing kubeconfig', cluster: (c) => ({ ...c, kubeconfig: 'nowhere/kubeconfig' }), gaps: ALL('all'), reason: /^kubeconfig nowhere\/kubeconfig cannot be read \(ENOENT\)$/ },
  { name: 'missing context', cluster: (c) => ({ ...c, context: 'nope' }), gaps: ALL('all'), reason: /has no context "nope" \(it has: prod\)/ },
  { name: 'bad token (401)', cluster: (c) => ({ ...c, kubeconfig: 'kube-prod-badtoken/kubeconfig.yaml' }), gaps: ALL('observed'), reason: /HTTP 401/ },
  { name: 'missing ConfigMap', world: worldFor('prod', { noConfigMap: true }), gaps: ['svc-0:config'], reason: /ConfigMap apps\/svc-0-config, used by Deployment\/apps\/svc-0, does not exist/ },
  { name: 'no workload for a service', world: worldFor('prod', { without: 'svc-2' }), gaps: ['svc-2:observed'], reason: /no Deployment, Rollout, StatefulSet or DaemonSet in namespace apps matches app\.kubernetes\.io\/name=svc-2/ },
];

const servers = new Map<string, KubeServer>();
let root: string;

beforeAll(async () => {
  root = await tempRoot();
  for (const env of ENVIRONMENTS) {
    const server = await startKubeServer(worldFor(env), { token: `token-${env}` });
    servers.set(env, server);
    const dir = path.join(root, `kube-${env}`);
    await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
    await server.kubeconfig(dir, { context: env });
  }
  const bad = path.join(root, 'kube-prod-badtoken');
  await (await import('node:fs/promises')).mkdir(bad, { recursive: true });
  await servers.get('prod')!.kubeconfig(bad, { context: 'prod', token: 'wrong' });
});
afterAll(async () => {
  for (const s of servers.values()) await s.close();
});

async function collect(prodCluster?: (c: Record<string, unknown>) => Record<string, unknown>, timeoutMs = 20_000): Promise<{ code: number; stderr: string; snapshot: Snapshot; text: string }> {
  const clusters = Object.fromEntries(ENVIRONMENTS.map((env) => {
    const good = { kubeconfig: `kube-${env}/kubeconfig.yaml`, context: env };
    return [env, env === 'prod' && prodCluster ? prodCluster(good) : good];
  }));
  const configFile = await writeWorld(root, {
    services: SERVICES,
    inventory: baseInventory(SERVICES),
    sources: { cluster: { type: 'kubernetes', pageSize: 2, timeoutMs, clusters, services: Object.fromEntries(SERVICES.map((s) => [s, { namespace: 'apps' }])) } },
    serviceExtra: () => ({ sources: ['inventory', 'cluster'] }),
  });
  const dir = path.join(root, 'content/snapshots');
  await rm(dir, { recursive: true, force: true });
  const run = await runCli(['collect', '--config', configFile, '--at', AT, '--quiet'], { cwd: root });
  const id = snapshotIdFor(new Date(AT));
  return { code: run.code, stderr: run.stderr, snapshot: await readSnapshot(dir, id), text: await readFile(path.join(dir, `${id}.json`), 'utf8') };
}

const observedOutside = (s: Snapshot, env: string) => s.observed.filter((o) => o.environment !== env);

describe('kubernetes source faults', () => {
  it(`${ROWS.length} fault rows: exactly the expected gaps, everything else complete, no secret value anywhere`, async ({ task }) => {
    const baseline = await collect();
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(baseline.snapshot.gaps).toEqual([]);
    expect(baseline.snapshot.observed).toHaveLength(SERVICES.length * ENVIRONMENTS.length);
    expect(baseline.snapshot.observed.every((o) => o.artifact !== undefined)).toBe(true);

    const problems: string[] = [];
    let exact = 0;
    for (const row of ROWS) {
      const prod = servers.get('prod')!;
      prod.setWorld(row.world ?? worldFor('prod'));
      prod.setFaults(row.faults);
      const before = prod.requests.length;
      let stopped: KubeServer | undefined;
      if (row.stop) {
        await prod.close();
        stopped = prod;
      }
      let result: Awaited<ReturnType<typeof collect>>;
      try {
        result = await collect(row.cluster, row.timeoutMs);
      } catch (error) {
        problems.push(`${row.name}: collect threw ${(error as Error).message}`);
        continue;
      } finally {
        if (stopped) {
          // Bring prod back on a new port and point its kubeconfig there.
          const again = await startKubeServer(worldFor('prod'), { token: 'token-prod' });
          servers.set('prod', again);
          await again.kubeconfig(path.join(root, 'kube-prod'), { context: 'prod' });
          await again.kubeconfig(path.join(root, 'kube-prod-badtoken'), { context: 'prod', token: 'wrong' });
        }
      }
      const { snapshot } = result;
      const gaps = snapshot.gaps.map((g) => `${g.environment}/${g.service}:${g.evidence}`).sort();
      const expected = row.gaps.map((g) => `prod/${g}`).sort();
      const codeOk = result.code === (expected.length > 0 ? 3 : 0);
      const reasonsOk = row.reason === undefined || snapshot.gaps.every((g) => row.reason!.test(g.reason));
      const othersOk = JSON.stringify(observedOutside(snapshot, 'prod')) === JSON.stringify(observedOutside(baseline.snapshot, 'prod'));
      const leak = result.text.includes(MARKER) || result.text.includes(Buffer.from(MARKER).toString('base64'));
      if (JSON.stringify(gaps) === JSON.stringify(expected) && codeOk && reasonsOk && othersOk && !leak) exact++;
      else problems.push(`${row.name}: gaps ${JSON.stringify(gaps)} expected ${JSON.stringify(expected)}; exit ${result.code}; reasons ${JSON.stringify(snapshot.gaps.map((g) => g.reason))}; others ${othersOk}; leak ${leak}`);
      if (row.name.startsWith('410 Gone once')) {
        // The restart is visible: after the 410, the pods list began again without a token.
        const pods = prod.requests.slice(before).filter((r) => r.url.startsWith('/api/v1/pods'));
        if (!pods.some((r) => r.status === 410) || pods.filter((r) => !r.url.includes('continue=')).length !== 2) problems.push(`${row.name}: no restart seen in ${JSON.stringify(pods.map((r) => [r.url, r.status]))}`);
      }
    }
    const served = [...servers.values()].flatMap((s) => s.requests);
    const leaks = served.filter((r) => r.body.includes(Buffer.from(MARKER).toString('base64')) || r.body.includes(MARKER)).length;
    recordFigure(task, {
      case: 'faults: kubernetes source',
      runs: ROWS.length,
      result: `${exact}/${ROWS.length} rows with exactly the expected gaps and exit code; ${leaks} secret values served in ${served.length} requests`,
      target: 'every fault a gap for exactly what it hides; no secret value travels',
      pass: exact === ROWS.length && leaks === 0,
      detail: ROWS.map((r) => r.name).join(', '),
    });
    expect(problems).toEqual([]);
    expect(leaks).toBe(0);
  });
});

// ---- Argo CD: the same promise through the argocd source ----

const argoApps = (options: { without?: string; unmapped?: string } = {}): ArgoApplication[] =>
  SERVICES.flatMap((service) =>
    ENVIRONMENTS.map((env) =>
      application({
        name: `${service}-${env}`,
        destination: `${service}-${env}` === options.unmapped ? 'mystery-cluster' : `acme-${env}`,
        images: [`ghcr.io/acme/${service}:1.0.0`],
        history: [{ id: 1, revision: 'a'.repeat(40), deployedAt: '2026-03-01T10:00:00Z', by: env === 'prod' ? 'bob' : 'automated' }],
      }),
    ),
  ).filter((a) => a.metadata.name !== options.without);

interface ArgoRow {
  name: string;
  fault?: Parameters<ArgoServer['setFault']>[0];
  apps?: ArgoApplication[];
  token?: string;
  stop?: boolean;
  timeoutMs?: number;
  /** `environment/service:evidence` gaps expected. */
  gaps: string[];
  reason: RegExp;
}

const EVERY = ENVIRONMENTS.flatMap((env) => SERVICES.map((s) => `${env}/${s}:all`));
const ARGO_ROWS: ArgoRow[] = [
  { name: 'token rejected (401)', token: 'wrong', gaps: EVERY, reason: /HTTP 401 \(is the token valid/ },
  { name: 'HTTP 403', fault: raw('{"error":"permission denied","code":7}', { status: 403, contentType: 'application/json' }), gaps: EVERY, reason: /HTTP 403/ },
  { name: 'HTTP 500', fault: status(500, 'boom'), gaps: EVERY, reason: /HTTP 500$/ },
  { name: 'HTTP 503', fault: status(503, 'maintenance'), gaps: EVERY, reason: /HTTP 503$/ },
  { name: 'timeout', fault: hang(), timeoutMs: 1500, gaps: EVERY, reason: /timeout after 1500 ms/ },
  { name: 'not JSON', fault: raw('<html>login</html>', { contentType: 'text/html' }), gaps: EVERY, reason: /the body is not JSON/ },
  { name: 'unreachable', stop: true, gaps: EVERY, reason: /connection refused/ },
  { name: 'missing application', apps: argoApps({ without: 'svc-1-prod' }), gaps: ['prod/svc-1:all'], reason: /^no Argo CD application for svc-1 in prod$/ },
  { name: 'destination not mapped', apps: argoApps({ unmapped: 'svc-2-prod' }), gaps: ['prod/svc-2:all', 'prod/svc-2:all'], reason: /(deploys to mystery-cluster, which no environment maps to|^no Argo CD application for svc-2 in prod$)/ },
  { name: 'no applications at all (items: null)', apps: [], gaps: EVERY, reason: /^no Argo CD application for svc-\d in (dev|qa|staging|prod)$/ },
];

describe('argocd source faults', () => {
  it(`${ARGO_ROWS.length} fault rows: exactly the expected gaps, exit 3, no crash`, async ({ task }) => {
    let argo = await startArgoServer(argoApps(), { token: 'argo-token' });
    const run = async (token: string, timeoutMs = 20_000) => {
      const configFile = await writeWorld(root, {
        services: SERVICES,
        inventory: baseInventory([]),
        sources: { argocd: { type: 'argocd', baseUrl: argo.origin, timeoutMs, environments: Object.fromEntries(ENVIRONMENTS.map((e) => [e, `acme-${e}`])) } },
        serviceExtra: () => ({ sources: ['argocd'] }),
      });
      const dir = path.join(root, 'content/snapshots');
      await rm(dir, { recursive: true, force: true });
      const result = await runCli(['collect', '--config', configFile, '--at', AT, '--quiet'], { cwd: root, env: { ARGOCD_TOKEN: token } });
      return { code: result.code, stderr: result.stderr, snapshot: await readSnapshot(dir, snapshotIdFor(new Date(AT))) };
    };
    try {
      const baseline = await run('argo-token');
      expect(baseline.code, baseline.stderr).toBe(0);
      expect(baseline.snapshot.gaps).toEqual([]);
      expect(baseline.snapshot.deployments).toHaveLength(SERVICES.length * ENVIRONMENTS.length);
      expect(baseline.snapshot.deployments.filter((d) => d.environment === 'prod').every((d) => d.deployedBy === 'bob')).toBe(true);

      const problems: string[] = [];
      let exact = 0;
      for (const row of ARGO_ROWS) {
        argo.setApplications(row.apps ?? argoApps());
        argo.setFault(row.fault);
        if (row.stop) await argo.close();
        let result: Awaited<ReturnType<typeof run>>;
        try {
          result = await run(row.token ?? 'argo-token', row.timeoutMs);
        } catch (error) {
          problems.push(`${row.name}: collect threw ${(error as Error).message}`);
          continue;
        } finally {
          if (row.stop) argo = await startArgoServer(argoApps(), { token: 'argo-token' });
        }
        const gaps = result.snapshot.gaps.map((g) => `${g.environment}/${g.service}:${g.evidence}`).sort();
        const ok = JSON.stringify(gaps) === JSON.stringify([...row.gaps].sort()) && result.code === 3 && result.snapshot.gaps.every((g) => row.reason.test(g.reason));
        if (ok) exact++;
        else problems.push(`${row.name}: gaps ${JSON.stringify(gaps)} expected ${JSON.stringify(row.gaps)}; exit ${result.code}; reasons ${JSON.stringify([...new Set(result.snapshot.gaps.map((g) => g.reason))])}`);
      }
      recordFigure(task, {
        case: 'faults: argocd source',
        runs: ARGO_ROWS.length,
        result: `${exact}/${ARGO_ROWS.length} rows with exactly the expected gaps and exit 3`,
        target: 'every fault a gap for exactly what it hides',
        pass: exact === ARGO_ROWS.length,
        detail: ARGO_ROWS.map((r) => r.name).join(', '),
      });
      expect(problems).toEqual([]);
    } finally {
      await argo.close();
    }
  });
});
