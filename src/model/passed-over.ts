import type { PassedOver } from './snapshot.ts';

/**
 * Which deployment a passed-over record is, the same across nights and
 * between a record and the finding raised for it: the source's deployment
 * id, else its commit and creation time, per source, service and environment.
 */
export function passedOverIdentity(p: Pick<PassedOver, 'source' | 'service' | 'environment' | 'deploymentId' | 'commit' | 'createdAt'>): string {
  return [p.source, p.service, p.environment, p.deploymentId ?? `${p.commit}@${p.createdAt}`].join('\u0000');
}
