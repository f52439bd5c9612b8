/**
 * What Acme's clusters and Argo CD show each night (issue 22): one cluster per
 * environment running the services on GitHub, and an Argo CD that synced every
 * deployment. Pure and deterministic, from the simulation's facts
 * (generate.ts hooks it into each `DemoDay` with one line);
 * kubernetes-world.ts turns a night into the objects the compatible servers serve.
 *
 * Two stories only the cluster tells:
 * - In prod, someone ran `kubectl set image` by hand (`MANUAL_SET_IMAGE`): the
 *   pods run a digest no deployment recorded, Argo CD reports the application
 *   OutOfSync, until the next recorded deployment replaces it. `drift.runtime`
 *   then compares digests and names both, and the pods.
 * - The stuck prod rollout the version endpoint already shows (generate.ts,
 *   `staleRuntime`) is, in the cluster, one pod on the new digest and the
 *   others still on the old one: pods of one workload running two digests.
 *
 * And one Argo CD sync started by the same person who approved it (the
 * self-approved prod deployment of generate.ts): its `initiatedBy` is rosa.
 */
import { createHash } from 'node:crypto';

export type DemoEnv = 'dev' | 'qa' | 'staging' | 'prod';

/** The facts of one deployment, as the simulation planned it. */
export interface DeployFact {
  at: string;
  by: string;
  approvals: readonly { by: string }[];
  release: { version: string; commit: string; artifact: string };
}

/** What the simulation knows at one snapshot time. */
export interface ClusterFacts {
  at: string;
  services: readonly { name: string; prodReplicas: number }[];
  environments: readonly DemoEnv[];
  /** Deployments of a service to an environment before `at`, oldest first. */
  events(service: string, env: DemoEnv): readonly DeployFact[];
  /** Whether a prod rollout of this service is stuck at `at` (the version endpoint still reports the previous build). */
  stuck(service: string, env: DemoEnv): boolean;
  /** The robot that deploys to dev and qa: its syncs are Argo CD's auto-sync. */
  robot: string;
}

export interface ClusterPod {
  name: string;
  digest: string;
  ready: boolean;
}

/** One Deployment as the cluster runs it. */
export interface ClusterWorkload {
  service: string;
  environment: DemoEnv;
  namespace: string;
  /** The image reference in the pod template. */
  image: string;
  version: string;
  replicas: number;
  revision: number;
  /** When the current revision's ReplicaSet was created. */
  revisionAt: string;
  changeCause: string;
  /** Digest of each pod, in pod order. */
  podDigests: string[];
  ready: number;
}

export interface ArgoSync {
  id: number;
  revision: string;
  at: string;
  startedAt: string;
  /** A user, or `automated`. */
  by: string;
  /** Who approved the deployment this sync carried (the simulation's truth, for tests; Argo CD does not know it). */
  approvedBy: string[];
}

export interface ArgoApp {
  name: string;
  service: string;
  environment: DemoEnv;
  /** The destination cluster's name in Argo CD. */
  destination: string;
  /** The image the GitOps source pins (Kustomize `images`). */
  declaredImage: string;
  /** The images Argo sees live (`status.summary.images`). */
  liveImages: string[];
  sync: 'Synced' | 'OutOfSync';
  health: 'Healthy' | 'Progressing' | 'Degraded';
  /** The syncs Argo CD keeps: its last 10, oldest first. */
  syncs: ArgoSync[];
}

export interface ClusterNight {
  workloads: ClusterWorkload[];
  applications: ArgoApp[];
}

/** The hand-made change: `kubectl set image` on one prod Deployment. */
export const MANUAL_SET_IMAGE = {
  service: 'checkout-web',
  environment: 'prod' as DemoEnv,
  at: '2026-10-14T16:20:00Z',
  by: 'gus',
  /** How long it stays when no recorded deployment replaces it first. */
  days: 3,
};

/** Argo CD keeps this many syncs per application (`revisionHistoryLimit`, default 10). */
const ARGO_HISTORY = 10;
const REGISTRY = 'registry.acme.example';
const hex = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');
const minutesBefore = (iso: string, minutes: number) => new Date(Date.parse(iso) - minutes * 60_000).toISOString().replace('.000Z', 'Z');

/** The digest and tag of the image built by hand for the `kubectl set image`. */
export function manualImage(version: string): { image: string; digest: string } {
  return { image: `${REGISTRY}/${MANUAL_SET_IMAGE.service}:${version}-hotfix-gus`, digest: `sha256:${hex('manual', MANUAL_SET_IMAGE.service, version)}` };
}

/** When the manual image is replaced: by the next recorded prod deployment, else after `days`. */
function manualUntil(facts: Pick<ClusterFacts, 'events'>): string {
  const { service, environment, at, days } = MANUAL_SET_IMAGE;
  const next = facts.events(service, environment).find((e) => e.at > at);
  const expiry = new Date(Date.parse(at) + days * 86_400_000).toISOString().replace('.000Z', 'Z');
  return next && next.at < expiry ? next.at : expiry;
}

/** The first snapshot day (taken at 22:30 UTC) that sees something that happened at `iso`. */
function seenOn(iso: string): string {
  const day = iso.slice(0, 10);
  if (iso < `${day}T22:30:00Z`) return day;
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The incident only the cluster sees, for generate.ts's `INCIDENTS`: the
 * manual `kubectl set image` is `drift.runtime` from the night it happens
 * until the night that sees it replaced. `events` are all the simulation's
 * deployments of a service to an environment, oldest first.
 */
export function clusterIncidents(events: (service: string, env: DemoEnv) => readonly DeployFact[]) {
  const { service, environment, at, by } = MANUAL_SET_IMAGE;
  const until = manualUntil({ events });
  return [
    {
      rule: 'drift.runtime' as const,
      service,
      environment,
      firesOn: seenOn(at),
      resolvedOn: seenOn(until),
      story: `${by} ran \`kubectl set image\` on ${service} in ${environment}: its pods run a digest no deployment recorded, and Argo CD reports it OutOfSync`,
    },
  ];
}

/** One night of every cluster and of Argo CD. */
export function clusterNight(facts: ClusterFacts): ClusterNight {
  const workloads: ClusterWorkload[] = [];
  const applications: ArgoApp[] = [];
  const manualActive = facts.at > MANUAL_SET_IMAGE.at && facts.at < manualUntil(facts);
  for (const spec of facts.services) {
    for (const env of facts.environments) {
      const events = facts.events(spec.name, env);
      const current = events.at(-1);
      if (!current) continue;
      const replicas = env === 'prod' ? Math.max(2, spec.prodReplicas) : 2;
      const image = `${REGISTRY}/${spec.name}:${current.release.version}`;
      let workload: ClusterWorkload = {
        service: spec.name,
        environment: env,
        namespace: spec.name,
        image,
        version: current.release.version,
        replicas,
        revision: events.length,
        revisionAt: minutesBefore(current.at, 2),
        changeCause: `argocd sync ${current.release.commit.slice(0, 7)}`,
        podDigests: Array.from({ length: replicas }, () => current.release.artifact),
        ready: replicas,
      };
      let sync: ArgoApp['sync'] = 'Synced';
      let health: ArgoApp['health'] = 'Healthy';
      let liveImages = [image];
      if (facts.stuck(spec.name, env) && events.length > 1) {
        // The rollout's first new pod never becomes ready; the rest still run the previous build.
        const previous = events.at(-2)!;
        workload = { ...workload, podDigests: workload.podDigests.map((d, i) => (i === 0 ? d : previous.release.artifact)), ready: replicas - 1 };
        health = 'Progressing';
        liveImages = [`${REGISTRY}/${spec.name}:${previous.release.version}`, image];
      }
      if (manualActive && spec.name === MANUAL_SET_IMAGE.service && env === MANUAL_SET_IMAGE.environment) {
        const manual = manualImage(current.release.version);
        workload = {
          ...workload,
          image: manual.image,
          revision: workload.revision + 1,
          revisionAt: MANUAL_SET_IMAGE.at,
          changeCause: `kubectl set image deployment/${spec.name} ${spec.name}=${manual.image}`,
          podDigests: workload.podDigests.map(() => manual.digest),
        };
        sync = 'OutOfSync';
        liveImages = [manual.image];
      }
      workloads.push(workload);
      applications.push({
        name: `${spec.name}-${env}`,
        service: spec.name,
        environment: env,
        destination: `acme-${env}`,
        declaredImage: image,
        liveImages,
        sync,
        health,
        syncs: events.slice(-ARGO_HISTORY).map((e, i, kept) => ({
          id: events.length - kept.length + i + 1,
          revision: e.release.commit,
          at: e.at,
          startedAt: minutesBefore(e.at, 2),
          by: e.by === facts.robot ? 'automated' : e.by,
          approvedBy: e.approvals.map((a) => a.by),
        })),
      });
    }
  }
  return { workloads, applications };
}
