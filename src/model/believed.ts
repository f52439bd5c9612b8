/**
 * "What is believed to run here?", decided once (docs/guarantees.md,
 * "Declared state answers"). The deployment record when a source recorded
 * one; otherwise what a GitOps repository declares, marked as declared. An
 * organisation whose only evidence is its GitOps repository then gets the
 * same answers (show, diff, compare, the matrix, promotion and drift) as one
 * with deployment records, and where records exist nothing changes: the
 * declaration is compared with them (`drift.runtime`), never put in their place.
 *
 * A declared build has no application commit. It is known by its digest when
 * one is declared, else by its version label (the image tag), which is what
 * `labelIdentity` gives to promotion evidence.
 */
import type { Declared, Deployment } from './snapshot.ts';
import { normaliseVersion } from './build.ts';

/** A deployment record, or a declaration standing in for one (`basis: 'declared'`, with the declaration it came from). */
export type Believed = Deployment & ({ basis: 'deployment' } | { basis: 'declared'; declared: Declared });

/** What a GitOps repository declares, as the build believed to run there: changed by / at the file's last change. */
function declaredAsDeployment(d: Declared, takenAt: string): Believed & { basis: 'declared' } {
  return {
    service: d.service,
    environment: d.environment,
    version: d.version ?? 'unknown',
    commit: '',
    ...(d.artifact ? { artifact: d.artifact } : {}),
    deployedAt: d.changedAt ?? takenAt,
    deployedBy: d.changedBy ?? 'unknown',
    source: d.source,
    approvals: [],
    promotion: d.promotion ?? null,
    basis: 'declared',
    declared: d,
  };
}

const cell = (x: { service: string; environment: string }) => `${x.service}\u0000${x.environment}`;

/**
 * Per service and environment: the deployment records, plus, where there is
 * none, the first declaration (declared records are sorted by service,
 * environment and source) that names a build (a tag or a digest). Sorted by
 * service, then environment.
 */
export function believedRunning(s: { deployments: readonly Deployment[]; declared: readonly Declared[]; takenAt: string }): Believed[] {
  const out: Believed[] = s.deployments.map((d) => ({ ...d, basis: 'deployment' as const }));
  const taken = new Set(s.deployments.map(cell));
  for (const d of s.declared) {
    if (taken.has(cell(d)) || (d.version === null && !d.artifact)) continue;
    taken.add(cell(d));
    out.push(declaredAsDeployment(d, s.takenAt));
  }
  // Each record's key built once, not twice per comparison (3,000 records a snapshot at 500 × 6); the same order.
  const keyed = out.map((d) => ({ d, key: cell(d) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((x) => x.d);
}

/** The declaration behind a believed record, if it is one. */
export function declarationOf(d: Deployment | Believed): Declared | undefined {
  return 'basis' in d && d.basis === 'declared' ? d.declared : undefined;
}

/**
 * The version label that identifies a declared build that has neither commit
 * nor digest (promotion evidence follows it as it follows a commit); undefined
 * for deployment records, which are followed by commit and artifact only.
 */
export function labelIdentity(d: { commit: string; artifact?: string | undefined; version: string; basis?: string }): string | undefined {
  if (d.basis !== 'declared' || d.commit || d.artifact) return undefined;
  return normaliseVersion(d.version);
}

/** Where a declared record's evidence is: file, GitOps commit, author and time, for findings and pages. */
export function declaredEvidence(d: Declared): { file: string; revision: string; changedBy?: string; changedAt?: string; source: string } {
  return { file: d.file, revision: d.revision, ...(d.changedBy ? { changedBy: d.changedBy } : {}), ...(d.changedAt ? { changedAt: d.changedAt } : {}), source: d.source };
}
