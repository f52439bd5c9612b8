/** The bits of Kubernetes object shapes the gitops source reads. */
import { isMap } from './yaml-docs.ts';

/** Kinds whose pod template declares containers. */
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);

/** The containers of a workload object (`spec.template.spec.containers`, CronJob and Pod included); [] for anything else. */
export function workloadContainers(doc: Record<string, unknown>): Record<string, unknown>[] {
  if (typeof doc['kind'] !== 'string' || !WORKLOAD_KINDS.has(doc['kind'])) return [];
  let spec: unknown = doc['spec'];
  if (doc['kind'] === 'CronJob') spec = isMap(spec) && isMap(spec['jobTemplate']) ? spec['jobTemplate']['spec'] : undefined;
  if (doc['kind'] !== 'Pod') spec = isMap(spec) && isMap(spec['template']) ? spec['template']['spec'] : undefined;
  return isMap(spec) && Array.isArray(spec['containers']) ? spec['containers'].filter(isMap) : [];
}
