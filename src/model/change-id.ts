/**
 * A change's id, decided once: the audit export's rows, the `/changes/<id>/`
 * pages and the day pages' links all name a production change by it, and it
 * stays the same across exports and builds (docs/audit.md).
 */
import { createHash } from 'node:crypto';
import type { Deployment } from './snapshot.ts';

/**
 * `service.environment.YYYYMMDDTHHMMSSZ.hash`: the deployment's service,
 * environment and time, and ten hex digits of the sha256 of its source,
 * service, environment, time and commit, so the same deployment seen again on
 * a later night is the same change. Names are letters, digits, ".", "_" and
 * "-" (NAME_PATTERN), so the id is a URL path segment and a file name as is.
 */
export function changeId(d: Pick<Deployment, 'service' | 'environment' | 'source' | 'deployedAt' | 'commit'>): string {
  const hash = createHash('sha256').update([d.source, d.service, d.environment, d.deployedAt, d.commit].join('\n')).digest('hex').slice(0, 10);
  return `${d.service}.${d.environment}.${d.deployedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.${hash}`;
}
