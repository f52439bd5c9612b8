/**
 * What counts as an approval, decided once: rules/approval.ts judges
 * deployments with it and the approvals tables show the same count, so a page
 * never calls approved what the snapshot's findings call missing.
 */
import type { EnvironmentConfig } from './config.ts';
import type { Approval } from './snapshot.ts';

/** Logins compare case-insensitively (GitHub logins do: https://docs.github.com/en/get-started/learning-about-github/types-of-github-accounts). */
export function sameLogin(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Distinct approvers (by login) with an `approved` state of the given kind, sorted. */
export function approversOf(approvals: readonly Approval[], kind: Approval['kind']): string[] {
  const seen = new Map<string, string>();
  for (const a of approvals) {
    const key = a.by.trim().toLowerCase();
    if (a.state === 'approved' && a.kind === kind && !seen.has(key)) seen.set(key, a.by);
  }
  return [...seen.values()].sort();
}

/** How many independent deployment approvals an environment needs: what it declares, and at least one in production. */
export function requiredApprovals(environment: Pick<EnvironmentConfig, 'production' | 'requiredApprovals'> | undefined): number {
  if (!environment) return 0;
  return Math.max(environment.requiredApprovals, environment.production ? 1 : 0);
}
