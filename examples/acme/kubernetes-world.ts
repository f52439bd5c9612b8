/**
 * One night of Acme's clusters and Argo CD (kubernetes.ts) as the objects the
 * compatible servers serve (examples/servers/kube-server.ts, argocd-server.ts),
 * each validated against the published schemas when served.
 */
import { application, type ArgoApplication } from '../servers/argocd-server.ts';
import { mergeWorlds, workload, type KubeWorld } from '../servers/kube-server.ts';
import type { ClusterNight, DemoEnv } from './kubernetes.ts';

/** The cluster of one environment: a Deployment, its ReplicaSet and pods per service. */
export function clusterWorld(night: ClusterNight, env: DemoEnv): KubeWorld {
  return mergeWorlds(
    ...night.workloads
      .filter((w) => w.environment === env)
      .map((w) =>
        workload({
          namespace: w.namespace,
          name: w.service,
          labels: { 'app.kubernetes.io/name': w.service, 'app.kubernetes.io/version': w.version },
          image: w.image,
          podDigests: w.podDigests,
          replicas: w.replicas,
          ready: w.ready,
          revision: w.revision,
          revisionAt: w.revisionAt,
          changeCause: w.changeCause,
        }),
      ),
  );
}

/** Argo CD's applications that night. */
export function argoApplications(night: ClusterNight): ArgoApplication[] {
  return night.applications.map((app) =>
    application({
      name: app.name,
      destination: app.destination,
      namespace: app.service,
      path: `apps/${app.service}/${app.environment}`,
      images: app.liveImages,
      kustomizeImages: [app.declaredImage],
      sync: app.sync,
      health: app.health,
      history: app.syncs.map((s) => ({ id: s.id, revision: s.revision, deployedAt: s.at, startedAt: s.startedAt, by: s.by })),
    }),
  );
}
