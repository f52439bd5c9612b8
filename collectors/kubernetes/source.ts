/**
 * The `kubernetes` source: what actually runs, read from each environment's
 * cluster through the official client (`@kubernetes/client-node`).
 *
 * - One cluster per environment: a kubeconfig (and context), the pod's
 *   service account, or a server with a token from an environment variable
 *   and a CA file. Tokens are sent, never stored or printed.
 * - Whole resource types are listed per cluster (not one request per
 *   namespace; Argo Rollouts too, where installed), `pageSize` items at a time, following `continue` tokens. An
 *   expired token (410 Gone) restarts that list once from the beginning, as
 *   the API documents (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks);
 *   a second 410 is a gap.
 * - Secrets are listed as `PartialObjectMetadataList`
 *   (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables … "metadata only"),
 *   so their values never leave the cluster.
 * - Every failure (403, 410 twice, 5xx, timeout, unreachable, a missing
 *   kubeconfig or token) is a gap naming the list and the reason; parsing is
 *   in ./map.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Observable } from '@kubernetes/client-node';
import type { Collector, Evidence, KubernetesSourceConfig, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { mapCluster, type ClusterLists, type Listed, type SecretMetadata } from './map.ts';
import { networkFailure } from '../shared/network-errors.ts';

type Cluster = KubernetesSourceConfig['clusters'][string];

/** The Accept header of a metadata-only list (https://kubernetes.io/docs/reference/using-api/api-concepts/#alternate-representations-of-resources). */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One page as the client returns it. */
interface Page<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** What one collect asked, for the bench and progress lines. */
export interface KubernetesStats {
  requests: number;
}

export const collectKubernetes: Collector<KubernetesSourceConfig> = async (context) => (await collectKubernetesWithStats(context)).evidence;

/** The collector, with the number of requests it made (the bench reports it). */
export async function collectKubernetesWithStats(context: SourceContext<KubernetesSourceConfig>): Promise<{ evidence: Evidence; stats: KubernetesStats }> {
  const evidence: Evidence = emptyEvidence();
  const stats: KubernetesStats = { requests: 0 };
  await collectInto(context, evidence, stats);
  return { evidence, stats };
}

async function collectInto(context: SourceContext<KubernetesSourceConfig>, evidence: Evidence, stats: KubernetesStats): Promise<void> {
  const { settings } = context;
  const at = context.now.toISOString().replace('.000Z', 'Z');
  const environments = context.config.environments.map((e) => e.name).filter((e) => settings.clusters[e] !== undefined);
  await Promise.all(
    environments.map(async (environment) => {
      const cluster = settings.clusters[environment]!;
      const clusterGap = (reason: string) => {
        for (const s of context.services) evidence.gaps.push({ source: context.name, service: s.name, environment, evidence: 'all', reason });
      };
      const kc = await kubeConfigFor(cluster, context);
      if (typeof kc === 'string') return clusterGap(kc);
      const lists = await listCluster(kc, settings, stats);
      const unreachable = Object.values(lists).find((l) => !l.ok && /^(?:connection refused|host not found|host unreachable|network unreachable|TLS)/.test(l.reason));
      if (unreachable && !unreachable.ok && Object.values(lists).every((l) => !l.ok)) return clusterGap(`cluster ${kc.getCurrentCluster()?.server ?? ''} unreachable: ${unreachable.reason}`);
      const mapped = mapCluster({ source: context.name, environment, at, services: context.services, settings, lists });
      evidence.observed.push(...mapped.observed);
      evidence.configs.push(...mapped.configs);
      evidence.gaps.push(...mapped.gaps);
    }),
  );
  dedupe(evidence);
  context.progress(`${context.name}: ${evidence.observed.length} workload(s) observed in ${environments.length} cluster(s) with ${stats.requests} request(s), ${evidence.gaps.length} gap(s)`);
}

/** Config records of a ConfigMap two workloads share, and gaps said twice, are kept once; order is fixed. */
function dedupe(evidence: Evidence): void {
  const once = <T>(items: T[], key: (t: T) => string): T[] => {
    const seen = new Set<string>();
    return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
  };
  const k = (...parts: (string | undefined)[]) => parts.map((p) => p ?? '').join('\u0000');
  const by = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  evidence.configs = once(evidence.configs, (c) => k(c.service, c.environment, c.origin)).sort(by((c) => k(c.service, c.environment, c.origin)));
  evidence.gaps = once(evidence.gaps, (g) => k(g.service, g.environment, g.evidence, g.reason)).sort(by((g) => k(g.service, g.environment, g.evidence, g.reason)));
  evidence.observed.sort(by((o) => k(o.service, o.environment, o.workload)));
}

/** A client configuration for one cluster, or why there is none (one safe line). */
export async function kubeConfigFor(cluster: Cluster, context: Pick<SourceContext, 'configDir' | 'env'>): Promise<KubeConfig | string> {
  const kc = new KubeConfig();
  const resolve = (file: string) => path.resolve(context.configDir, file);
  if (cluster.kubeconfig !== undefined) {
    const file = resolve(cluster.kubeconfig);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      return `kubeconfig ${cluster.kubeconfig} cannot be read (${(error as { code?: string }).code ?? 'error'})`;
    }
    try {
      kc.loadFromString(text);
      // Relative paths inside a kubeconfig are relative to the kubeconfig itself, as kubectl reads them.
      kc.makePathsAbsolute(path.dirname(file));
    } catch {
      return `kubeconfig ${cluster.kubeconfig} is not a valid kubeconfig`;
    }
    if (cluster.context !== undefined) {
      if (!kc.getContextObject(cluster.context)) return `kubeconfig ${cluster.kubeconfig} has no context "${cluster.context}" (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`;
      kc.setCurrentContext(cluster.context);
    }
    if (!kc.getCurrentCluster()) return `kubeconfig ${cluster.kubeconfig}: its current context names no cluster`;
    return kc;
  }
  let server: string;
  let token: string;
  let caFile: string | undefined;
  if (cluster.inCluster) {
    const host = context.env.KUBERNETES_SERVICE_HOST;
    const port = context.env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) return 'inCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)';
    try {
      token = (await readFile(`${SERVICE_ACCOUNT}/token`, 'utf8')).trim();
    } catch {
      return `inCluster: the service account token ${SERVICE_ACCOUNT}/token cannot be read`;
    }
    server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    caFile = `${SERVICE_ACCOUNT}/ca.crt`;
  } else {
    const variable = cluster.tokenEnv!;
    const value = context.env[variable];
    if (!value) return `environment variable ${variable} (the token for ${cluster.server}) is not set`;
    token = value.trim();
    server = cluster.server!;
    caFile = cluster.caFile === undefined ? undefined : resolve(cluster.caFile);
  }
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server, ...(caFile ? { caFile } : {}), skipTLSVerify: false }],
    users: [{ name: 'reader', token }],
    contexts: [{ name: 'ledger', cluster: 'cluster', user: 'reader' }],
    currentContext: 'ledger',
  });
  return kc;
}

/** Lists every resource type the mapping needs, in parallel; each outcome is items or a failure. */
/** Per-request options for the client: a timeout, an Accept header, and a count of requests. */
function requestOptions(timeoutMs: number, stats: KubernetesStats, accept?: string) {
  return {
    middleware: [
      {
        pre: (request: { setSignal(s: AbortSignal): void; setHeaderParam(k: string, v: string): void }) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          if (accept) request.setHeaderParam('Accept', accept);
          stats.requests++;
          return new Observable(Promise.resolve(request));
        },
        post: <R>(response: R) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  };
}

/** Every object of a custom resource type across namespaces (or in one), page by page; the JSON as sent. */
export async function listCustom<T>(
  kc: KubeConfig,
  resource: { group: string; version: string; plural: string; namespace?: string },
  paging: { pageSize: number; timeoutMs: number },
  stats: KubernetesStats,
): Promise<Listed<T>> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural, namespace } = resource;
  return listAll(async (c) => {
    const params = { group, version, plural, limit: paging.pageSize, _continue: c };
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- the options type is the client's middleware configuration */
    const options = requestOptions(paging.timeoutMs, stats) as any;
    // A custom resource: the client returns the JSON as sent, so `continue` keeps its own name.
    const page = (namespace === undefined ? await custom.listClusterCustomObject(params, options) : await custom.listNamespacedCustomObject({ ...params, namespace }, options)) as { items?: T[]; metadata?: { continue?: string } };
    return { items: page.items ?? [], metadata: { _continue: page.metadata?.continue } };
  }, paging.timeoutMs);
}

async function listCluster(kc: KubeConfig, settings: KubernetesSourceConfig, stats: KubernetesStats): Promise<ClusterLists> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const options = (accept?: string) => requestOptions(settings.timeoutMs, stats, accept);
  const limit = settings.pageSize;
  const timeout = settings.timeoutMs;
  /* eslint-disable @typescript-eslint/no-explicit-any -- the client's list types differ per kind; map.ts reads the fields it needs */
  const [deployments, rollouts, replicasets, statefulsets, daemonsets, pods, configmaps, secrets] = await Promise.all([
    listAll((c) => apps.listDeploymentForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listCustom<any>(kc, { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' }, { pageSize: limit, timeoutMs: timeout }, stats),
    listAll((c) => apps.listReplicaSetForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listAll((c) => apps.listStatefulSetForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listAll((c) => apps.listDaemonSetForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listAll((c) => core.listPodForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listAll((c) => core.listConfigMapForAllNamespaces({ limit, _continue: c }, options() as any) as Promise<Page<any>>, timeout),
    listAll((c) => core.listSecretForAllNamespaces({ limit, _continue: c }, options(METADATA_ONLY) as any) as Promise<Page<any>>, timeout),
  ]);
  /* eslint-enable @typescript-eslint/no-explicit-any */
  // Argo Rollouts is optional: where its CRD is not installed the API answers 404, and there are none.
  const rolloutsOrNone = !rollouts.ok && rollouts.reason.startsWith('HTTP 404') ? { ok: true as const, items: [] } : rollouts;
  return { deployments, rollouts: rolloutsOrNone, replicasets, statefulsets, daemonsets, pods, configmaps, secrets: metadataOnly(secrets) };
}

/**
 * Of a Secret, only what identifies it and when it was written is kept, at
 * once: not its data (a server that ignored the Accept header), and not its
 * annotations, since `kubectl apply` leaves the whole manifest, values
 * included, in `kubectl.kubernetes.io/last-applied-configuration`.
 */
function metadataOnly(listed: Listed<{ metadata?: SecretMetadata['metadata'] }>): Listed<SecretMetadata> {
  if (!listed.ok) return listed;
  return {
    ok: true,
    items: listed.items.map(({ metadata: m }) => ({
      metadata: {
        ...(m?.name !== undefined ? { name: m.name } : {}),
        ...(m?.namespace !== undefined ? { namespace: m.namespace } : {}),
        ...(m?.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
        ...(m?.creationTimestamp != null ? { creationTimestamp: m.creationTimestamp } : {}),
        managedFields: (m?.managedFields ?? []).map((f) => ({ time: f.time })),
      },
    })),
  };
}

/**
 * Every page of one list. A 410 Gone (the continue token expired) restarts
 * the list once without a token; the items read so far are dropped, since the
 * restarted list is a new consistent snapshot.
 */
export async function listAll<T>(page: (continueToken: string | undefined) => Promise<Page<T>>, timeoutMs: number): Promise<Listed<T>> {
  let restarted = false;
  let items: T[] = [];
  let token: string | undefined;
  for (;;) {
    let result: Page<T>;
    try {
      result = await page(token);
    } catch (error) {
      if (token !== undefined && statusOf(error) === 410 && !restarted) {
        restarted = true;
        items = [];
        token = undefined;
        continue;
      }
      const why = describeFailure(error, timeoutMs);
      return { ok: false, reason: restarted && statusOf(error) === 410 ? `${why}, again after restarting the list` : why };
    }
    items.push(...(result.items ?? []));
    token = result.metadata?._continue || undefined;
    if (token === undefined) return { ok: true, items };
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? (error.code as number) : undefined;
}


/**
 * One safe line for a failed request: the HTTP status with the `Status`
 * object's reason and message (the API's own words, trimmed), or an error
 * code. Never the client's message, which carries headers.
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof ApiException) {
    let reason = '';
    let message = '';
    try {
      const body = JSON.parse(String(error.body)) as { reason?: unknown; message?: unknown };
      if (typeof body.reason === 'string') reason = body.reason;
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // Not a Status object: the status code alone.
    }
    const text = message.replace(/[^\x20-\x7e]/g, '').trim();
    return `HTTP ${error.code}${reason ? ` ${reason}` : ''}${text ? `: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}` : ''}`;
  }
  // The client's own refusal (a constant message, no URL or header in it).
  if (error instanceof Error && /HTTP protocol is not allowed/.test(error.message)) return 'the client refuses a plain http:// API server; use https, or insecure-skip-tls-verify in the kubeconfig';
  const { codes, timedOut, connection, tls } = networkFailure(error);
  if (timedOut) return `timeout after ${timeoutMs} ms`;
  if (connection) return `${connection.text} (${connection.code})`;
  if (tls) return `TLS certificate not accepted (${tls}); set caFile to the CA that signed the API server's certificate`;
  return `request failed${codes[0] ? ` (${codes[0]})` : ''}`;
}
