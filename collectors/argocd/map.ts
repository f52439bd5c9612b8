/**
 * The argocd source's parser: Argo CD `Application` objects (as its REST API
 * returns them, https://argo-cd.readthedocs.io/en/stable/developer-guide/api-docs/)
 * to deployments, history, declared and observed records. Pure.
 *
 * - Which service and environment: `applications` in the settings, else the
 *   application's name (`<service>` or `<service>-<environment>`) and its
 *   destination cluster (mapped through `environments`, else a cluster named
 *   as the environment).
 * - The deployment is the newest entry of `status.history`, who started it
 *   (`initiatedBy.username`, or `automated`) and when; every entry Argo still
 *   keeps (its last 10) goes into the record's `syncs` and into promotion
 *   history, so the ledger keeps them all night after night. With
 *   `deployments: false` the syncs go to the deployment record another
 *   source keeps for the same service and environment.
 * - Declared: what `spec.source(s)` point at (repository, path, target
 *   revision, a Kustomize or Helm image tag override), with Argo's sync
 *   status and health; `OutOfSync` is a runtime drift (src/model/build.ts).
 * - Observed: `status.summary.images`, the images Argo sees live.
 */
import type { Declared, Deployment, Gap, HistoryEvent, Observed, ServiceConfig, SyncHistory } from '../../src/model/index.ts';
import type { ArgoCdSourceConfig } from '../../src/model/config.ts';

type Time = string | undefined;

export interface AppSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  kustomize?: { images?: string[] };
  helm?: { parameters?: { name?: string; value?: string }[] };
}

export interface Application {
  metadata?: { name?: string; namespace?: string };
  spec?: { project?: string; source?: AppSource; sources?: AppSource[]; destination?: { server?: string; name?: string; namespace?: string } };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string };
    summary?: { images?: string[] };
    history?: { id: number; revision?: string; revisions?: string[]; deployedAt: Time; deployStartedAt?: Time; initiatedBy?: { username?: string; automated?: boolean } }[];
    operationState?: { phase?: string; startedAt?: Time; finishedAt?: Time; operation?: { initiatedBy?: { username?: string; automated?: boolean } } };
  };
}

export interface MapInput {
  source: string;
  at: string;
  /** The Argo CD server, for links; absent when the resources are read from the cluster. */
  baseUrl?: string;
  settings: Pick<ArgoCdSourceConfig, 'applications' | 'environments' | 'project'> & { deployments?: boolean };
  services: readonly ServiceConfig[];
  environments: readonly string[];
  applications: Application[];
}

export interface MapOutput {
  deployments: Omit<Deployment, 'promotion'>[];
  history: HistoryEvent[];
  declared: Declared[];
  observed: Observed[];
  gaps: Gap[];
  /** With `deployments: false`: the syncs, for the other source's deployment record. */
  syncs: SyncHistory[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const iso = (t: Time) => {
  if (!t) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace('.000Z', 'Z');
};

/** Who started a sync, as the ledger records it. */
export function initiator(by: { username?: string; automated?: boolean } | undefined): string {
  if (by?.automated) return 'automated';
  return by?.username || 'unknown';
}

/** The ledger environment an application deploys to, from its destination. */
function environmentOf(app: Application, input: MapInput): string | undefined {
  const d = app.spec?.destination ?? {};
  for (const env of input.environments) {
    const mapped = input.settings.environments[env];
    if (mapped !== undefined && (mapped === d.name || mapped === d.server)) return env;
  }
  return input.environments.find((env) => input.settings.environments[env] === undefined && env === d.name);
}

/** The tag and digest of an image reference (`repo:tag@sha256:…`). */
function splitImage(image: string): { repo: string; tag?: string; digest?: string } {
  const [ref, digest] = image.split('@', 2) as [string, string | undefined];
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  return { repo: colon >= 0 ? ref.slice(0, colon) : ref, ...(colon >= 0 ? { tag: ref.slice(colon + 1) } : {}), ...(digest ? { digest } : {}) };
}

/** The image of `service` among several: the one whose last path component is the service, else the first. */
function imageOf(images: readonly string[], service: string): string | undefined {
  return images.find((i) => splitImage(i).repo.split('/').pop() === service) ?? images[0];
}

/** A tag the source pins for the service's image: a Kustomize `images` override or a Helm `image.tag` parameter. */
function declaredTag(source: AppSource, service: string): { image?: string; tag?: string } {
  for (const entry of source.kustomize?.images ?? []) {
    // `name=newName:tag` or `name:tag` (https://argo-cd.readthedocs.io/en/stable/user-guide/kustomize/).
    const target = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
    const { repo, tag } = splitImage(target);
    if (repo.split('/').pop() === service || (source.kustomize?.images ?? []).length === 1) return { image: target, ...(tag ? { tag } : {}) };
  }
  const tag = source.helm?.parameters?.find((p) => p.name === 'image.tag')?.value;
  return tag ? { tag } : {};
}

export function mapApplications(input: MapInput): MapOutput {
  const out: MapOutput = { deployments: [], history: [], declared: [], observed: [], gaps: [], syncs: [] };
  const serviceNames = new Set(input.services.map((s) => s.name));
  const found = new Set<string>();
  const apps = [...input.applications].sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  for (const app of apps) {
    const name = app.metadata?.name ?? '';
    if (input.settings.project !== undefined && app.spec?.project !== input.settings.project) continue;
    const explicit = input.settings.applications[name];
    const environment = explicit?.environment ?? environmentOf(app, input);
    let service = explicit?.service;
    let suffixed: string | undefined;
    if (service === undefined) {
      // `<service>` or `<service>-<environment>`; the suffix is tried for every environment, so an
      // application whose destination maps to none is still recognised (and reported) by its name.
      suffixed = [environment, ...input.environments].find((env) => env !== undefined && name.endsWith(`-${env}`) && serviceNames.has(name.slice(0, -env.length - 1)));
      if (serviceNames.has(name)) service = name;
      else if (suffixed !== undefined) service = name.slice(0, -suffixed.length - 1);
    }
    if (service === undefined || !serviceNames.has(service)) continue; // not one of ours
    const url = input.baseUrl === undefined ? undefined : `${input.baseUrl.replace(/\/$/, '')}/applications/${encodeURIComponent(name)}`;
    if (environment === undefined) {
      const d = app.spec?.destination ?? {};
      // The name's environment, when it says one, bounds the gap; otherwise it covers the service everywhere.
      out.gaps.push({ source: input.source, service, ...(suffixed ? { environment: suffixed } : {}), evidence: 'all', reason: `Argo CD application ${name} deploys to ${d.name ?? d.server ?? 'an unnamed cluster'}, which no environment maps to (set environments or applications.${name}.environment)` });
      continue;
    }
    found.add(`${service}\u0000${environment}`);
    const status = app.status ?? {};
    const images = [...(status.summary?.images ?? [])].sort(cmp);
    const image = imageOf(images, service);
    const parts = image ? splitImage(image) : undefined;

    const history = [...(status.history ?? [])].sort((a, b) => b.id - a.id);
    const syncs = history.flatMap((h) => {
      const at = iso(h.deployedAt);
      const revision = h.revision ?? h.revisions?.join(',');
      if (!at || !revision) return [];
      const startedAt = iso(h.deployStartedAt);
      return [{ id: h.id, revision, at, ...(startedAt ? { startedAt } : {}), by: initiator(h.initiatedBy) }];
    });
    for (const s of syncs) out.history.push({ service, environment, commit: s.revision, at: s.at, source: input.source, ...(url ? { url } : {}) });
    const latest = syncs[0];
    if (input.settings.deployments === false) {
      // Another source records the deployments: two records of one deployment would only be a gap, so the
      // syncs (who started each) go to that record (src/collect/assemble.ts).
      if (syncs.length > 0) out.syncs.push({ service, environment, source: input.source, syncs });
    } else if (latest) {
      out.deployments.push({
        service,
        environment,
        version: parts?.tag ?? latest.revision.slice(0, 7),
        commit: latest.revision,
        ...(parts?.digest ? { artifact: parts.digest } : {}),
        deployedAt: latest.at,
        deployedBy: latest.by,
        source: input.source,
        ...(url ? { url } : {}),
        status: [status.sync?.status, status.health?.status].filter(Boolean).join(', ') || 'unknown',
        approvals: [],
        syncs,
      });
    } else {
      out.gaps.push({ source: input.source, service, environment, evidence: 'deployment', reason: `Argo CD application ${name} has no sync in its history` });
    }

    for (const src of app.spec?.sources ?? (app.spec?.source ? [app.spec.source] : [])) {
      const pinned = declaredTag(src, service);
      out.declared.push({
        service,
        environment,
        version: pinned.tag ?? null,
        ...(pinned.image ? { image: pinned.image } : {}),
        file: [src.repoURL ?? '', src.path ? `/${src.path}` : '', src.chart ? ` chart ${src.chart}` : ''].join(''),
        revision: src.targetRevision ?? 'HEAD',
        source: input.source,
        ...(status.sync?.status ? { syncStatus: status.sync.status } : {}),
        ...(status.health?.status ? { health: status.health.status } : {}),
      });
    }
    if (image) {
      out.observed.push({
        service,
        environment,
        version: parts?.tag ?? null,
        commit: null,
        at: input.at,
        source: input.source,
        ...(url ? { url } : {}),
        image,
        ...(parts?.digest ? { artifact: parts.digest } : {}),
        workload: `Application/${name}`,
      });
    }
  }
  // A service listing this source with no application in an environment: a gap, not silence.
  for (const service of [...input.services].sort((a, b) => cmp(a.name, b.name))) {
    for (const environment of input.environments) {
      if (found.has(`${service.name}\u0000${environment}`)) continue;
      out.gaps.push({ source: input.source, service: service.name, environment, evidence: 'all', reason: `no Argo CD application for ${service.name} in ${environment}${input.settings.project ? ` (project ${input.settings.project})` : ''}` });
    }
  }
  return out;
}
