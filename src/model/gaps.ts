/**
 * Whether a record is missing because a source gave no evidence for it, decided
 * once: a record a gap hides is *unknown*, never removed, added or not deployed
 * (docs/guarantees.md, "Gaps never silent"). Diffs, day pages and graphs ask it.
 */
import type { Gap } from './snapshot.ts';

/** The kinds of evidence a gap can name that hide a record (`all` hides every kind). */
export type GapEvidence = 'deployment' | 'config' | 'observed' | 'approvals' | 'branches' | 'changes';

/**
 * The gap of `gaps` that hides what `source` would have said of `service` in
 * `environment` (a gap without a service or environment covers them all), or
 * undefined when no gap does: then a missing record is genuinely absent.
 */
export function gapHiding(gaps: readonly Gap[], record: { source: string; service: string; environment: string; evidence: GapEvidence }): Gap | undefined {
  return gaps.find(
    (g) =>
      g.source === record.source &&
      (g.service === undefined || g.service === record.service) &&
      (g.environment === undefined || g.environment === record.environment) &&
      (g.evidence === 'all' || g.evidence === record.evidence),
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
  return snapshot.gaps.find(
    (g) =>
      (sources.length === 0 || sources.includes(g.source)) &&
      (g.service === undefined || g.service === service) &&
      (g.environment === undefined || g.environment === environment) &&
      (g.evidence === 'all' || g.evidence === 'deployment'),
  );
}
