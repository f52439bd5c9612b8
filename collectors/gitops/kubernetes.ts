/** The bits of Kubernetes object shapes the gitops source reads. */
import { isMap } from './yaml-docs.ts';

/** Kinds whose pod template declares containers. */
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);

/**
 * Whether `doc` is a workload: one of `WORKLOAD_KINDS`, an Argo Rollouts
 * `Rollout` (a Deployment's pod template under `spec.template`,
 * https://argo-rollouts.readthedocs.io/en/stable/features/specification/), or
 * a Knative Serving `Service` (`spec.template.spec.containers`,
 * https://knative.dev/docs/serving/reference/serving-api/). A core `Service`
 * has no containers and is not one.
 */
export function isWorkload(doc: Record<string, unknown>): boolean {
  const kind = doc['kind'];
  if (typeof kind !== 'string') return false;
  if (WORKLOAD_KINDS.has(kind)) return true;
  const api = typeof doc['apiVersion'] === 'string' ? doc['apiVersion'] : '';
  return (kind === 'Rollout' && api.startsWith('argoproj.io/')) || (kind === 'Service' && api.startsWith('serving.knative.dev/'));
}

/** The containers of a workload object (`spec.template.spec.containers`, CronJob and Pod included); [] for anything else. */
export function workloadContainers(doc: Record<string, unknown>): Record<string, unknown>[] {
  if (!isWorkload(doc)) return [];
  let spec: unknown = doc['spec'];
  if (doc['kind'] === 'CronJob') spec = isMap(spec) && isMap(spec['jobTemplate']) ? spec['jobTemplate']['spec'] : undefined;
  if (doc['kind'] !== 'Pod') spec = isMap(spec) && isMap(spec['template']) ? spec['template']['spec'] : undefined;
  return isMap(spec) && Array.isArray(spec['containers']) ? spec['containers'].filter(isMap) : [];
}
