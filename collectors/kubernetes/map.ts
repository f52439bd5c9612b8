/**
 * The kubernetes source's parser: from the lists one cluster returned to
 * `observed` records, config records and gaps. Pure: no I/O, no clock.
 *
 * - A service's workloads are the Deployments, Argo Rollouts, StatefulSets and DaemonSets in
 *   its namespace (any, when none is set) whose labels match its selector
 *   (`app.kubernetes.io/name=<service>` by default, the recommended label,
 *   https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
 * - What runs is the digest each pod's container reports in
 *   `status.containerStatuses[].imageID` (the image the kubelet resolved), not
 *   the tag in the spec: a tag can be moved, a digest cannot.
 * - Pods belong to a workload through their controller owner (a Deployment's
 *   pods through its ReplicaSets), as the controllers themselves decide.
 * - ConfigMaps the pod template references are config values (redacted later,
 *   in src/model/redact.ts); Secrets are read as metadata only (the collector
 *   asks for `PartialObjectMetadataList`), so they appear by name and
 *   resourceVersion, never by value.
 * - A list that failed is a gap for every service of that cluster it could
 *   hide; a service with no matching workload is a gap too.
 */
import type { Gap, Observed, RawConfigRecord, ServiceConfig } from '../../src/model/index.ts';
import type { KubernetesSourceConfig } from '../../src/model/config.ts';

/** Timestamps arrive as ISO strings (JSON) or Dates (the official client's objects). */
type Time = string | Date | undefined | null;

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: Time;
  ownerReferences?: OwnerRef[];
  managedFields?: { time?: Time }[];
}

export interface Container {
  name: string;
  image?: string;
  env?: { name: string; valueFrom?: { configMapKeyRef?: { name?: string; key: string }; secretKeyRef?: { name?: string; key: string } } }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    configMap?: { name?: string };
    secret?: { secretName?: string };
    projected?: { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] };
  }[];
}

export interface Workload {
  metadata?: Meta;
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: Meta; spec?: PodSpec } };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    numberReady?: number;
  };
}

export interface Pod {
  metadata?: Meta;
  status?: { phase?: string; containerStatuses?: { name: string; image?: string; imageID?: string }[] };
}

export interface ConfigMapObject {
  metadata?: Meta;
  data?: Record<string, string>;
}

export interface SecretMetadata {
  metadata?: Meta;
}

/** One list's outcome: its items, or why it failed. */
export type Listed<T> = { ok: true; items: T[] } | { ok: false; reason: string };

/** What one cluster returned, by resource type. */
export interface ClusterLists {
  deployments: Listed<Workload>;
  /** Argo Rollouts; an empty list where the CRD is not installed. */
  rollouts: Listed<Workload>;
  replicasets: Listed<Workload>;
  statefulsets: Listed<Workload>;
  daemonsets: Listed<Workload>;
  pods: Listed<Pod>;
  configmaps: Listed<ConfigMapObject>;
  secrets: Listed<SecretMetadata>;
}

export type WorkloadKind = 'Deployment' | 'Rollout' | 'StatefulSet' | 'DaemonSet';

export interface MapInput {
  source: string;
  environment: string;
  /** Where the observation was made (the snapshot time). */
  at: string;
  services: readonly ServiceConfig[];
  settings: Pick<KubernetesSourceConfig, 'services'>;
  lists: ClusterLists;
}

export interface MapOutput {
  observed: Observed[];
  configs: RawConfigRecord[];
  gaps: Gap[];
}

const iso = (t: Time): string | undefined => {
  if (t === undefined || t === null) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace('.000Z', 'Z');
};

/** The equality-based label selector grammar (`a=b,c==d,e!=f,g`), https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#equality-based-requirement. */
export function parseSelector(selector: string): ((labels: Record<string, string> | undefined) => boolean) | { error: string } {
  const terms: ((labels: Record<string, string>) => boolean)[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z0-9./_-]+)\s*!=\s*([A-Za-z0-9._-]*)$/.exec(term))) {
      const [, k, v] = m as unknown as [string, string, string];
      terms.push((l) => l[k] !== v);
    } else if ((m = /^([A-Za-z0-9./_-]+)\s*==?\s*([A-Za-z0-9._-]*)$/.exec(term))) {
      const [, k, v] = m as unknown as [string, string, string];
      terms.push((l) => l[k] === v);
    } else if ((m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term))) {
      const [, not, k] = m as unknown as [string, string, string];
      terms.push((l) => Object.hasOwn(l, k) !== (not === '!'));
    } else return { error: `label selector "${selector}": "${term}" is not key=value, key!=value, key or !key` };
  }
  return (labels) => terms.every((t) => t(labels ?? {}));
}

/** Where a service runs, with defaults applied. */
export function placement(service: string, settings: MapInput['settings']): { namespace?: string; selector: string; container?: string } {
  const own = settings.services[service] ?? {};
  return {
    ...(own.namespace ? { namespace: own.namespace } : {}),
    selector: own.selector ?? `app.kubernetes.io/name=${service}`,
    ...(own.container ? { container: own.container } : {}),
  };
}

const DIGEST = /(sha256:[0-9a-f]{64})$/;

/** The digest in an `imageID` (`docker-pullable://repo@sha256:…`, `repo@sha256:…`); undefined when it names none. */
export function digestOfImageId(imageId: string | undefined): string | undefined {
  return imageId ? DIGEST.exec(imageId.trim())?.[1] : undefined;
}

/** The tag of an image reference, if any (`repo:tag@digest` → `tag`). */
function tagOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@', 1)[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(colon + 1) : undefined;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const WORKLOAD_LISTS = [
  ['Deployment', 'deployments'],
  ['Rollout', 'rollouts'],
  ['StatefulSet', 'statefulsets'],
  ['DaemonSet', 'daemonsets'],
] as const;

/** Maps one cluster's lists to evidence for one ledger environment. */
export function mapCluster(input: MapInput): MapOutput {
  const { lists, source, environment } = input;
  const out: MapOutput = { observed: [], configs: [], gaps: [] };
  const gap = (service: string, evidence: string, reason: string) => out.gaps.push({ source, service, environment, evidence, reason });

  // Lists without which what runs cannot be told: a failure hides every service's observation.
  const fatal = [...WORKLOAD_LISTS.map(([, l]) => l), 'pods' as const].flatMap((name) => {
    const l = lists[name];
    return l.ok ? [] : [`list ${name}: ${l.reason}`];
  });

  const workloads: { kind: WorkloadKind; w: Workload }[] = [];
  for (const [kind, name] of WORKLOAD_LISTS) {
    const l = lists[name];
    if (l.ok) for (const w of l.items) workloads.push({ kind, w });
  }
  const podsByOwner = new Map<string, Pod[]>();
  if (lists.pods.ok) {
    for (const p of lists.pods.items) {
      const owner = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
      if (!owner) continue;
      const list = podsByOwner.get(owner.uid) ?? [];
      list.push(p);
      podsByOwner.set(owner.uid, list);
    }
  }
  const replicaSetsByOwner = new Map<string, Workload[]>();
  if (lists.replicasets.ok) {
    for (const rs of lists.replicasets.items) {
      const owner = rs.metadata?.ownerReferences?.find((o) => o.controller && (o.kind === 'Deployment' || o.kind === 'Rollout'));
      if (!owner) continue;
      replicaSetsByOwner.set(owner.uid, [...(replicaSetsByOwner.get(owner.uid) ?? []), rs]);
    }
  }
  const configMaps = new Map(lists.configmaps.ok ? lists.configmaps.items.map((c) => [`${c.metadata?.namespace}/${c.metadata?.name}`, c] as const) : []);
  const secrets = new Map(lists.secrets.ok ? lists.secrets.items.map((s) => [`${s.metadata?.namespace}/${s.metadata?.name}`, s] as const) : []);

  for (const service of [...input.services].sort((a, b) => cmp(a.name, b.name))) {
    if (fatal.length > 0) {
      gap(service.name, 'observed', `what runs is unknown: ${fatal.join('; ')}`);
      continue;
    }
    const where = placement(service.name, input.settings);
    const matches = parseSelector(where.selector);
    if ('error' in matches) {
      gap(service.name, 'all', matches.error);
      continue;
    }
    const mine = workloads
      .filter(({ w }) => (where.namespace === undefined || w.metadata?.namespace === where.namespace) && matches(w.metadata?.labels))
      .sort((a, b) => cmp(`${a.kind}/${a.w.metadata?.namespace}/${a.w.metadata?.name}`, `${b.kind}/${b.w.metadata?.namespace}/${b.w.metadata?.name}`));
    if (mine.length === 0) {
      gap(service.name, 'observed', `no Deployment, Rollout, StatefulSet or DaemonSet ${where.namespace ? `in namespace ${where.namespace}` : 'in any namespace'} matches ${where.selector}`);
      continue;
    }
    for (const { kind, w } of mine) {
      const observed = observe(kind, w, service.name, where.container, input, podsByOwner, replicaSetsByOwner);
      out.observed.push(observed);
      if (!lists.replicasets.ok && (kind === 'Deployment' || kind === 'Rollout')) gap(service.name, 'revision', `when ${observed.workload}'s revision started is unknown: list replicasets: ${lists.replicasets.reason}`);
      readConfig(kind, w, service.name, input, configMaps, secrets, out, gap);
    }
  }
  return out;
}

function observe(
  kind: WorkloadKind,
  w: Workload,
  service: string,
  containerName: string | undefined,
  input: MapInput,
  podsByOwner: Map<string, Pod[]>,
  replicaSetsByOwner: Map<string, Workload[]>,
): Observed {
  const meta = w.metadata ?? {};
  const workload = `${kind}/${meta.namespace}/${meta.name}`;
  const template = w.spec?.template;
  const containers = template?.spec?.containers ?? [];
  const container =
    (containerName !== undefined ? containers.find((c) => c.name === containerName) : undefined) ??
    containers.find((c) => c.name === service) ??
    containers.find((c) => c.name === meta.name) ??
    containers[0];

  // Pods of this workload: through its ReplicaSets for a Deployment, directly otherwise.
  let revision: string | undefined;
  let revisionAt: string | undefined;
  let changeCause = meta.annotations?.['kubernetes.io/change-cause'];
  let pods: Pod[];
  if (kind === 'Deployment' || kind === 'Rollout') {
    // Both keep a ReplicaSet per revision, numbered in an annotation (https://argo-rollouts.readthedocs.io/en/stable/features/specification/).
    const key = kind === 'Rollout' ? 'rollout.argoproj.io/revision' : 'deployment.kubernetes.io/revision';
    revision = meta.annotations?.[key];
    const replicaSets = replicaSetsByOwner.get(meta.uid ?? '') ?? [];
    pods = input.lists.replicasets.ok ? replicaSets.flatMap((rs) => podsByOwner.get(rs.metadata?.uid ?? '') ?? []) : podsBySelector(w, input.lists.pods);
    const current = replicaSets.find((rs) => revision !== undefined && rs.metadata?.annotations?.[key] === revision);
    revisionAt = iso(current?.metadata?.creationTimestamp);
    changeCause ??= current?.metadata?.annotations?.['kubernetes.io/change-cause'];
  } else {
    pods = podsByOwner.get(meta.uid ?? '') ?? [];
    if (kind === 'StatefulSet') {
      revision = w.status?.updateRevision ?? w.status?.currentRevision;
      const started = pods
        .filter((p) => revision !== undefined && p.metadata?.labels?.['controller-revision-hash'] === revision)
        .map((p) => iso(p.metadata?.creationTimestamp))
        .filter((t): t is string => t !== undefined)
        .sort();
      revisionAt = started[0];
    } else {
      revision = meta.annotations?.['deprecated.daemonset.template.generation'];
    }
  }

  const byDigest = new Map<string, string[]>();
  for (const pod of pods) {
    if (pod.status?.phase !== undefined && pod.status.phase !== 'Running' && pod.status.phase !== 'Pending') continue;
    const status = pod.status?.containerStatuses?.find((s) => s.name === container?.name);
    const digest = digestOfImageId(status?.imageID);
    if (!digest) continue;
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), pod.metadata?.name ?? '?']);
  }
  const digests = [...byDigest.entries()].map(([digest, names]) => ({ digest, pods: names.sort(cmp) })).sort((a, b) => cmp(a.digest, b.digest));

  const version = template?.metadata?.labels?.['app.kubernetes.io/version'] ?? meta.labels?.['app.kubernetes.io/version'] ?? tagOf(container?.image) ?? null;
  const desired = kind === 'DaemonSet' ? (w.status?.desiredNumberScheduled ?? 0) : (w.spec?.replicas ?? 1);
  const ready = kind === 'DaemonSet' ? (w.status?.numberReady ?? 0) : (w.status?.readyReplicas ?? 0);
  return {
    service,
    environment: input.environment,
    version,
    commit: null,
    at: input.at,
    source: input.source,
    ...(digests.length === 1 ? { artifact: digests[0]!.digest } : {}),
    ...(container?.image ? { image: container.image } : {}),
    workload,
    replicas: { ready, desired },
    ...(revision ? { revision } : {}),
    ...(changeCause ? { changeCause } : {}),
    ...(revisionAt ? { revisionAt } : {}),
    digests,
  };
}

/**
 * Without the ReplicaSets, a Deployment's or Rollout's pods are found as its
 * controller finds them: by its `spec.selector.matchLabels` in its namespace,
 * owned by a ReplicaSet.
 */
function podsBySelector(w: Workload, pods: Listed<Pod>): Pod[] {
  const match = w.spec?.selector?.matchLabels;
  if (!pods.ok || !match || Object.keys(match).length === 0) return [];
  return pods.items.filter(
    (p) =>
      p.metadata?.namespace === w.metadata?.namespace &&
      p.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'ReplicaSet') &&
      Object.entries(match).every(([k, v]) => p.metadata?.labels?.[k] === v),
  );
}

/** ConfigMaps and Secrets a pod template references, in the order Kubernetes resolves them. */
export function references(spec: PodSpec | undefined): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps: [...configMaps].sort(cmp), secrets: [...secrets].sort(cmp) };
}

function readConfig(
  kind: WorkloadKind,
  w: Workload,
  service: string,
  input: MapInput,
  configMaps: Map<string, ConfigMapObject>,
  secrets: Map<string, SecretMetadata>,
  out: MapOutput,
  gap: (service: string, evidence: string, reason: string) => void,
): void {
  const namespace = w.metadata?.namespace ?? '';
  const workload = `${kind}/${namespace}/${w.metadata?.name}`;
  const refs = references(w.spec?.template?.spec);
  const { lists } = input;
  for (const name of refs.configMaps) {
    if (!lists.configmaps.ok) {
      gap(service, 'config', `ConfigMap ${namespace}/${name} (used by ${workload}) unread: list configmaps: ${lists.configmaps.reason}`);
      continue;
    }
    const cm = configMaps.get(`${namespace}/${name}`);
    if (!cm) {
      gap(service, 'config', `ConfigMap ${namespace}/${name}, used by ${workload}, does not exist`);
      continue;
    }
    out.configs.push({
      service,
      environment: input.environment,
      source: input.source,
      values: { ...(cm.data ?? {}) },
      origin: `configmap/${namespace}/${name}`,
      ...(cm.metadata?.resourceVersion ? { revision: cm.metadata.resourceVersion } : {}),
    });
  }
  for (const name of refs.secrets) {
    if (!lists.secrets.ok) {
      gap(service, 'config', `Secret ${namespace}/${name} (used by ${workload}) unread: list secrets (metadata only): ${lists.secrets.reason}`);
      continue;
    }
    const s = secrets.get(`${namespace}/${name}`);
    if (!s) {
      gap(service, 'config', `Secret ${namespace}/${name}, used by ${workload}, does not exist`);
      continue;
    }
    // Metadata only: the secret is known by name, resourceVersion and when it was last written.
    const times = [...(s.metadata?.managedFields ?? []).map((f) => iso(f.time)), iso(s.metadata?.creationTimestamp)].filter((t): t is string => t !== undefined).sort();
    out.configs.push({
      service,
      environment: input.environment,
      source: input.source,
      values: { [`secret/${name}`]: { secret: true, updatedAt: times.at(-1) ?? null } },
      origin: `secret/${namespace}/${name}`,
      ...(s.metadata?.resourceVersion ? { revision: s.metadata.resourceVersion } : {}),
    });
  }
}
