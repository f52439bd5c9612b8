/**
 * Whether a record is missing because a source gave no evidence for it, decided
 * once: a record a gap hides is *unknown*, never removed, added or not deployed
 * (docs/guarantees.md, "Gaps never silent"). Diffs, day pages and graphs ask it.
 */
import type { Gap } from './snapshot.ts';

/** The kinds of evidence a gap can name that hide a record (`all` hides every kind). */
export type GapEvidence = 'deployment' | 'declared' | 'config' | 'observed' | 'approvals' | 'branches' | 'changes';

/**
 * The gap of `gaps` that covers `evidence` of `service` in `environment` (a gap
 * without a service or environment covers them all; `all` covers every kind),
 * from `source` (one source, several, or any when absent); undefined when no
 * gap does: then a missing record is genuinely absent.
 */
export function findGap(gaps: readonly Gap[], cell: { service: string; environment: string; evidence: GapEvidence; source?: string | readonly string[] }): Gap | undefined {
  const sources = cell.source === undefined ? null : typeof cell.source === 'string' ? [cell.source] : cell.source;
  return gaps.find(
    (g) =>
      (sources === null || sources.includes(g.source)) &&
      (g.service === undefined || g.service === cell.service) &&
      (g.environment === undefined || g.environment === cell.environment) &&
      (g.evidence === 'all' || g.evidence === cell.evidence),
  );
}

/**
 * The gap that hides `service`'s deployment in `environment` when the snapshot
 * has none there: a gap of one of the sources the service lists (or of any
 * source, for a service that lists none). Undefined: genuinely not deployed.
 */
export function deploymentHidden(
  snapshot: { services: readonly { name: string; sources?: readonly string[] }[]; gaps: readonly Gap[] },
  service: string,
  environment: string,
): Gap | undefined {
  const sources = snapshot.services.find((s) => s.name === service)?.sources ?? [];
  return findGap(snapshot.gaps, { service, environment, evidence: 'deployment', ...(sources.length > 0 ? { source: sources } : {}) });
}
