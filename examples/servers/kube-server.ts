/**
 * A Kubernetes-API-compatible server on 127.0.0.1 for the kubernetes source's
 * tests, the reliability faults, the bench and the demo. It is not a cluster: it serves
 * the list endpoints a read-only collector and `kubectl get` use, speaking the
 * protocol as documented (https://kubernetes.io/docs/reference/using-api/api-concepts/):
 *
 * - discovery (`/api`, `/apis`, `/api/v1`, `/apis/apps/v1`) so `kubectl` resolves names;
 * - lists of Deployments, ReplicaSets, StatefulSets, DaemonSets, Pods,
 *   ConfigMaps and Secrets, cluster-wide or per namespace, with `limit` and
 *   `continue` ("Retrieving large results sets in chunks"), equality
 *   `labelSelector`s, and `410 Gone` (reason `Expired`) on an expired token;
 * - the metadata-only form (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`):
 *   Secret `data` is only ever served when the full objects are asked for;
 * - errors as `Status` objects (403 Forbidden, 5xx, 404 NotFound, 401);
 * - an optional latency per request, and a request log with every body served.
 *
 * It serves HTTPS with the test certificate of tests/fixtures/http/ (valid
 * for 127.0.0.1), since `@kubernetes/client-node` refuses plain http unless
 * TLS checks are off; `caFile` is that certificate.
 *
 * Every object it serves is validated against Kubernetes' published OpenAPI
 * schemas (the `kubernetes-models` package) when the world is loaded, and
 * every response envelope (lists, `Status`, discovery) before it is sent.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { DaemonSet, DaemonSetList, Deployment, DeploymentList, ReplicaSet, ReplicaSetList, StatefulSet, StatefulSetList } from 'kubernetes-models/apps/v1';
import { ConfigMap, ConfigMapList, Pod, PodList, Secret, SecretList } from 'kubernetes-models/v1';
import { APIGroupList, APIResourceList, APIVersions, ListMeta, ObjectMeta, Status } from '@kubernetes-models/apimachinery/apis/meta/v1';
import { Application, ApplicationList } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Rollout, RolloutList } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';

/** The resource types served, by their plural name (Argo Rollouts' `rollouts` and Argo CD's `applications` are custom resources). */
export const RESOURCES = {
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', model: Deployment, list: DeploymentList },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', model: ReplicaSet, list: ReplicaSetList },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', model: StatefulSet, list: StatefulSetList },
  daemonsets: { group: 'apps', version: 'v1', kind: 'DaemonSet', model: DaemonSet, list: DaemonSetList },
  pods: { group: '', version: 'v1', kind: 'Pod', model: Pod, list: PodList },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', model: ConfigMap, list: ConfigMapList },
  secrets: { group: '', version: 'v1', kind: 'Secret', model: Secret, list: SecretList },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', model: Rollout, list: RolloutList },
  applications: { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', model: Application, list: ApplicationList },
} as const;
const apiVersionOf = (r: { group: string; version: string }) => (r.group ? `${r.group}/${r.version}` : r.version);
export type ResourceName = keyof typeof RESOURCES;

// Loose object shapes: tests build them as plain JSON, the schemas judge them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown }; [k: string]: any };

export type KubeWorld = Partial<Record<ResourceName, KubeObject[]>>;

/**
 * How one resource type misbehaves:
 * - `forbidden`: 403 for every list (no RBAC);
 * - `server-error`: 500 (or `status`) for every list;
 * - `gone-once`: the first request carrying a `continue` token gets 410 Gone;
 * - `gone-always`: every request carrying a `continue` token gets 410 Gone;
 * - `hang`: never answers;
 * - `not-found`: 404, as for a type the cluster does not have.
 */
export type Fault = { kind: 'forbidden' | 'gone-once' | 'gone-always' | 'hang' | 'not-found' } | { kind: 'server-error'; status?: number };

export interface KubeServerOptions {
  /** Delay before every answer, in ms. */
  latencyMs?: number;
  /** Faults per resource type. */
  faults?: Partial<Record<ResourceName, Fault>>;
  /** A bearer token every request must carry (401 otherwise). */
  token?: string;
  /** Keep response bodies in the request log (default true; the bench turns it off). */
  logBodies?: boolean;
  /** A fixed port (the demo's); a free one when absent. A taken port rejects with EADDRINUSE. */
  port?: number;
}

/** One request as the server saw it, and what it answered. */
export interface KubeRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  accept: string;
  authorization: string | undefined;
  status: number;
  /** The body served (empty when `logBodies` is off). */
  body: string;
}

/** The CA (and server certificate) the test server presents; pass it as `caFile`. */
export const KUBE_CA_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures/http/self-signed-cert.pem');
const KEY_FILE = path.join(path.dirname(KUBE_CA_FILE), 'self-signed-key.pem');

export interface KubeServer {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  requests: KubeRequest[];
  /** The world served; tests may change it between collects. */
  world: KubeWorld;
  /** Replaces the world (validated again). */
  setWorld(world: KubeWorld): void;
  /** Replaces the faults (and forgets which 410s were served). */
  setFaults(faults: KubeServerOptions['faults']): void;
  /** A GET through the test CA, for tests that speak to the server directly. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  /** Writes a kubeconfig for this server into `dir` and returns its path. */
  kubeconfig(dir: string, options?: { context?: string; token?: string }): Promise<string>;
  close(): Promise<void>;
}

const PARTIAL = /(?:^|[;,\s])as=PartialObjectMetadataList(?:[;,\s]|$)/;

/** Validates every object of a world against the published schemas; throws naming the object. */
export function validateWorld(world: KubeWorld): void {
  for (const [name, items] of Object.entries(world) as [ResourceName, KubeObject[]][]) {
    const { model: Model, kind } = RESOURCES[name];
    for (const item of items ?? []) {
      const apiVersion = apiVersionOf(RESOURCES[name]);
      if (item.apiVersion !== apiVersion || item.kind !== kind) throw new Error(`${name} ${item.metadata?.name}: apiVersion/kind must be ${apiVersion}/${kind}`);
      try {
        new Model(item as never).validate();
      } catch (error) {
        throw new Error(`${kind} ${item.metadata.namespace}/${item.metadata.name} does not match the Kubernetes schema: ${(error as Error).message}`);
      }
    }
  }
}

function statusObject(code: number, reason: string, message: string, details?: { kind?: string; group?: string }): Record<string, unknown> {
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
  new Status(body as never).validate();
  return body;
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function discovery(path: string, rolloutsInstalled: boolean): Record<string, unknown> | undefined {
  const resources = (group: string) =>
    (Object.entries(RESOURCES) as [ResourceName, (typeof RESOURCES)[ResourceName]][])
      .filter(([, r]) => r.group === group)
      .map(([name, r]) => ({ name, singularName: r.kind.toLowerCase(), namespaced: true, kind: r.kind, verbs: ['get', 'list'] }));
  let body: Record<string, unknown> | undefined;
  if (path === '/api') {
    body = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
    new APIVersions(body as never).validate();
  } else if (path === '/apis') {
    const group = (name: string, version: string) => ({ name, versions: [{ groupVersion: `${name}/${version}`, version }], preferredVersion: { groupVersion: `${name}/${version}`, version } });
    body = { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('apps', 'v1'), ...(rolloutsInstalled ? [group('argoproj.io', 'v1alpha1')] : [])] };
    new APIGroupList(body as never).validate();
  } else if (path === '/apis/argoproj.io/v1alpha1' && rolloutsInstalled) {
    body = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'argoproj.io/v1alpha1', resources: resources('argoproj.io') };
    new APIResourceList(body as never).validate();
  } else if (path === '/api/v1') {
    body = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: resources('') };
    new APIResourceList(body as never).validate();
  } else if (path === '/apis/apps/v1') {
    body = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: resources('apps') };
    new APIResourceList(body as never).validate();
  }
  return body;
}

/** `/api/v1/pods`, `/api/v1/namespaces/x/pods`, `/apis/apps/v1/deployments`, `/apis/argoproj.io/v1alpha1/rollouts`, … */
function parseListPath(path: string): { resource: ResourceName; namespace?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([a-z0-9.]+)\/([a-z0-9]+))(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(path);
  if (!m) return undefined;
  const resource = m[5] as ResourceName;
  if (!(resource in RESOURCES)) return undefined;
  const spec = RESOURCES[resource];
  if (spec.group !== (m[2] ?? '') || spec.version !== (m[1] ?? m[3])) return undefined;
  return { resource, ...(m[4] ? { namespace: decodeURIComponent(m[4]) } : {}) };
}

/** Equality-based selectors only (`a=b,c==d,e!=f`), which is what the collector sends. */
function matchesSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return (labels ?? {})[ne[1]!.trim()] !== ne[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return (labels ?? {})[eq[1]!.trim()] === eq[2]!.trim();
    return Object.hasOwn(labels ?? {}, term.trim());
  });
}

/** Starts the server on 127.0.0.1: on `options.port`, or a free port. */
export async function startKubeServer(initial: KubeWorld, options: KubeServerOptions = {}): Promise<KubeServer> {
  validateWorld(initial);
  let world = initial;
  // resourceVersion of the whole world: continue tokens name it, as the real server's do.
  let worldVersion = 1000;
  const requests: KubeRequest[] = [];
  const goneServed = new Set<ResourceName>();
  const logBodies = options.logBodies ?? true;
  let faults = options.faults;

  const answer = (request: IncomingMessage, response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    requests.push({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      accept: String(request.headers.accept ?? ''),
      authorization: request.headers.authorization,
      status,
      body: logBodies ? text : '',
    });
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return answer(request, response, 401, statusObject(401, 'Unauthorized', 'Unauthorized'));
    }
    const about = discovery(url.pathname, faults?.rollouts?.kind !== 'not-found');
    if (about) return answer(request, response, 200, about);
    const target = parseListPath(url.pathname);
    if (!target || request.method !== 'GET') {
      return answer(request, response, 404, statusObject(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const { resource, namespace } = target;
    const spec = RESOURCES[resource];
    const qualified = spec.group ? `${resource}.${spec.group}` : resource;
    const continueToken = url.searchParams.get('continue');
    const fault = faults?.[resource];
    if (fault?.kind === 'hang') return; // closed by close()
    if (fault?.kind === 'forbidden') {
      const who = 'system:serviceaccount:release-ledger:reader';
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return answer(request, response, 403, statusObject(403, 'Forbidden', `${qualified} is forbidden: User "${who}" cannot list resource "${resource}" in API group "${spec.group}" ${scope}`, { kind: resource, ...(spec.group ? { group: spec.group } : {}) }));
    }
    if (fault?.kind === 'server-error') {
      const code = fault.status ?? 500;
      return answer(request, response, code, statusObject(code, code === 503 ? 'ServiceUnavailable' : 'InternalError', `an error on the server ("etcd request timed out") has prevented the request from succeeding (get ${qualified})`));
    }
    if (fault?.kind === 'not-found') return answer(request, response, 404, statusObject(404, 'NotFound', 'the server could not find the requested resource'));
    if (continueToken && (fault?.kind === 'gone-always' || (fault?.kind === 'gone-once' && !goneServed.has(resource)))) {
      goneServed.add(resource);
      return answer(request, response, 410, statusObject(410, 'Expired', EXPIRED_MESSAGE));
    }

    let offset = 0;
    if (continueToken) {
      let parsed: { rv?: unknown; start?: unknown } | undefined;
      try {
        parsed = JSON.parse(Buffer.from(continueToken, 'base64url').toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.rv !== worldVersion || typeof parsed.start !== 'number') {
        return answer(request, response, parsed ? 410 : 400, parsed ? statusObject(410, 'Expired', EXPIRED_MESSAGE) : statusObject(400, 'BadRequest', 'continue key is not valid: illegal base64 data'));
      }
      offset = parsed.start;
    }
    const selector = url.searchParams.get('labelSelector');
    const all = (world[resource] ?? [])
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .filter((o) => matchesSelector(o.metadata.labels, selector))
      // The server's order: by namespace, then name (etcd key order).
      .sort((a, b) => {
        const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
        const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const next = limit > 0 && offset + limit < all.length ? offset + limit : undefined;
    const metadata: Record<string, unknown> = { resourceVersion: String(worldVersion) };
    if (next !== undefined) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: worldVersion, start: next })).toString('base64url');
      metadata.remainingItemCount = all.length - next;
    }
    new ListMeta(metadata as never).validate();

    const partial = PARTIAL.test(String(request.headers.accept ?? ''));
    if (partial) {
      const items = page.map((o) => {
        new ObjectMeta(o.metadata as never).validate();
        return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      });
      return answer(request, response, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items });
    }
    const list = { kind: `${spec.kind}List`, apiVersion: apiVersionOf(spec), metadata, items: page };
    return answer(request, response, 200, list);
  };

  const server = createServer({ key: readFileSync(KEY_FILE), cert: readFileSync(KUBE_CA_FILE) }, (request, response) => {
    if (options.latencyMs) {
      const timer = setTimeout(() => handle(request, response), options.latencyMs);
      response.on('close', () => clearTimeout(timer));
    } else handle(request, response);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  const result: KubeServer = {
    origin,
    requests,
    get world() {
      return world;
    },
    setFaults(next) {
      faults = next;
      goneServed.clear();
    },
    setWorld(next) {
      validateWorld(next);
      world = next;
      worldVersion++;
    },
    get: (urlPath, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(`${origin}${urlPath}`, { headers, ca: readFileSync(KUBE_CA_FILE) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end();
      }),
    async kubeconfig(dir, kc = {}) {
      const { writeFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const context = kc.context ?? 'test';
      const file = join(dir, 'kubeconfig.yaml');
      const text = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: ${context}-cluster`,
        '  cluster:',
        `    server: ${origin}`,
        `    certificate-authority: ${KUBE_CA_FILE}`,
        'users:',
        `- name: ${context}-user`,
        '  user:',
        `    token: ${kc.token ?? options.token ?? 'unused'}`,
        'contexts:',
        `- name: ${context}`,
        '  context:',
        `    cluster: ${context}-cluster`,
        `    user: ${context}-user`,
        `current-context: ${context}`,
        '',
      ].join('\n');
      await writeFile(file, text);
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return result;
}

// ---- Builders: plain objects in the shape the API serves, for tests, the bench and faults ----

const digestOf = (seed: string) => `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;

export interface WorkloadSpec {
  namespace: string;
  name: string;
  /** Labels on the workload and its pod template (default `app.kubernetes.io/name: <name>`). */
  labels?: Record<string, string>;
  /** The image reference in the pod template, e.g. `ghcr.io/acme/payments:2.4.1`. */
  image: string;
  /** The digest every pod runs, unless `podDigests` says otherwise. */
  digest?: string;
  /** One digest per pod, for a partial rollout. */
  podDigests?: string[];
  replicas?: number;
  ready?: number;
  revision?: number;
  changeCause?: string;
  /** When the current revision's ReplicaSet was created. */
  revisionAt?: string;
  configMaps?: string[];
  secrets?: string[];
  kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';
}

/** A workload with its ReplicaSet (for Deployments) and pods, ready to put in a world. */
export function workload(spec: WorkloadSpec): KubeWorld {
  const kind = spec.kind ?? 'Deployment';
  const labels = spec.labels ?? { 'app.kubernetes.io/name': spec.name };
  const replicas = spec.replicas ?? spec.podDigests?.length ?? 2;
  const ready = spec.ready ?? replicas;
  const revision = spec.revision ?? 1;
  const created = spec.revisionAt ?? '2026-03-10T09:00:00Z';
  const digest = spec.digest ?? digestOf(spec.image);
  const uid = (what: string) => `uid-${what}-${spec.namespace}-${spec.name}`.slice(0, 60);
  const env = [
    ...(spec.configMaps ?? []).map((name) => ({ configMapRef: { name } })),
    ...(spec.secrets ?? []).map((name) => ({ secretRef: { name } })),
  ];
  const template = {
    metadata: { labels: { ...labels } },
    spec: { containers: [{ name: spec.name, image: spec.image, ...(env.length ? { envFrom: env } : {}) }] },
  };
  // Deployments and Argo Rollouts number their revisions in an annotation, on themselves and on each ReplicaSet.
  const revisionKey = kind === 'Rollout' ? 'rollout.argoproj.io/revision' : 'deployment.kubernetes.io/revision';
  const annotations: Record<string, string> = kind === 'Deployment' || kind === 'Rollout' ? { [revisionKey]: String(revision) } : {};
  if (spec.changeCause) annotations['kubernetes.io/change-cause'] = spec.changeCause;
  const meta = { name: spec.name, namespace: spec.namespace, uid: uid('w'), labels: { ...labels }, annotations, creationTimestamp: '2026-01-05T08:00:00Z', resourceVersion: '100' };
  const selector = { matchLabels: { ...labels } };
  const out: KubeWorld = { pods: [] };
  let podOwner: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean } = { apiVersion: "apps/v1", kind, name: spec.name, uid: uid("w"), controller: true };
  if (kind === 'Deployment' || kind === 'Rollout') {
    if (kind === 'Deployment') {
      out.deployments = [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: meta,
          spec: { replicas, selector, template },
          status: { replicas, readyReplicas: ready, updatedReplicas: replicas, availableReplicas: ready, observedGeneration: revision },
        },
      ];
    } else {
      out.rollouts = [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: meta,
          spec: { replicas, selector, template, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
          status: { replicas, readyReplicas: ready, updatedReplicas: replicas, availableReplicas: ready, observedGeneration: String(revision) },
        },
      ];
    }
    const rsName = `${spec.name}-${revision}abc`;
    out.replicasets = [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace: spec.namespace,
          uid: uid('rs'),
          labels: { ...labels },
          annotations: { [revisionKey]: String(revision) },
          creationTimestamp: created,
          ownerReferences: [{ apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1', kind, name: spec.name, uid: uid('w'), controller: true }],
        },
        spec: { replicas, selector, template },
        status: { replicas, readyReplicas: ready },
      },
    ];
    podOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: uid('rs'), controller: true };
  } else if (kind === 'StatefulSet') {
    out.statefulsets = [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta,
        spec: { replicas, selector, template, serviceName: spec.name },
        status: { replicas, readyReplicas: ready, currentRevision: `${spec.name}-${revision}abc`, updateRevision: `${spec.name}-${revision}abc`, observedGeneration: revision },
      },
    ];
  } else {
    out.daemonsets = [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { ...meta, annotations: { ...annotations, 'deprecated.daemonset.template.generation': String(revision) } },
        spec: { selector, template },
        status: { currentNumberScheduled: replicas, desiredNumberScheduled: replicas, numberMisscheduled: 0, numberReady: ready, observedGeneration: revision },
      },
    ];
  }
  for (let i = 0; i < replicas; i++) {
    const podDigest = spec.podDigests?.[i] ?? digest;
    const repo = spec.image.replace(/[:@].*$/, '');
    out.pods!.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${spec.name}-${revision}abc-p${i}`,
        namespace: spec.namespace,
        uid: `${uid('p')}-${i}`,
        labels: { ...labels },
        creationTimestamp: created,
        ownerReferences: [podOwner],
      },
      spec: template.spec,
      status: {
        phase: 'Running',
        startTime: created,
        containerStatuses: [{ name: spec.name, image: spec.image, imageID: `${repo}@${podDigest}`, ready: i < ready, restartCount: 0, started: true }],
      },
    });
  }
  return out;
}

export function configMap(namespace: string, name: string, data: Record<string, string>, resourceVersion = '200'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion, uid: `uid-cm-${namespace}-${name}` }, data };
}

export function secret(namespace: string, name: string, data: Record<string, string>, resourceVersion = '300'): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      resourceVersion,
      uid: `uid-s-${namespace}-${name}`,
      creationTimestamp: '2026-01-05T08:00:00Z',
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-03-01T12:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    data: encoded,
  };
}

/** Merges world fragments. */
export function mergeWorlds(...parts: KubeWorld[]): KubeWorld {
  const out: KubeWorld = {};
  for (const part of parts) {
    for (const [k, items] of Object.entries(part) as [ResourceName, KubeObject[]][]) out[k] = [...(out[k] ?? []), ...items];
  }
  return out;
}
