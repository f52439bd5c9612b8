/**
 * The rules: pure functions of (the draft snapshot, the previous snapshot)
 * returning findings, which `collect` freezes into the snapshot together with
 * `RULES_VERSION`. A later change of rules therefore never changes a past
 * snapshot or page: stored findings are data, never recomputed.
 *
 * The draft carries everything a rule may use — environments, services,
 * policies and exceptions as configured that day, and `tracking` (what the
 * ledger carries forward, see `src/snapshot/promotion.ts`) — so rules never
 * read today's config or rescan history.
 */
import { RULE_IDS, SEVERITIES, type EnvironmentConfig, type ExceptionConfig, type RuleId, type Severity } from '../model/config.ts';
import type { Finding, Snapshot } from '../model/snapshot.ts';
import * as approval from './approval.ts';
import * as branch from './branch.ts';
import * as config from './config.ts';
import { createContext, slug, type DraftSnapshot, type Rule, type RuleResult } from './_context.ts';
import * as dependency from './dependency.ts';
import * as deployment from './deployment.ts';
import * as drift from './drift.ts';
import * as exception from '../model/exception.ts';
import * as exceptionRule from './exception.ts';
import * as gap from './gap.ts';
import * as promotion from './promotion.ts';
import * as release from './release.ts';

export type { DraftSnapshot };

/** Bump (YYYY.MM.N) whenever any rule's behaviour changes; stored in every snapshot's `generator.rulesVersion`. */
export const RULES_VERSION = '2026.12.3';

export const DEFAULT_SEVERITIES: Record<RuleId, Severity> = {
  'promotion.bypass': 'high',
  'promotion.artifact-mismatch': 'high',
  'drift.version': 'medium',
  'drift.runtime': 'high',
  'config.drift': 'low',
  'config.unrecorded-change': 'medium',
  'approval.missing': 'high',
  'approval.self': 'high',
  'branch.not-merged-back': 'low',
  'dependency.incompatible': 'high',
  'component.skew': 'low',
  'exception.expired': 'medium',
  'source.gap': 'low',
  'release.partial': 'medium',
  'release.mixed-scope': 'low',
  'deployment.outside-branch-policy': 'high',
};

/**
 * Rules whose default severity is lower outside production
 * (`environments[].production`, as for approvals in src/model/approvals.ts):
 * the same event matters less where no customer is served. A severity in
 * `policies.rules` still wins everywhere.
 */
export const DEFAULT_SEVERITIES_OUTSIDE_PRODUCTION: Partial<Record<RuleId, Severity>> = {
  'deployment.outside-branch-policy': 'medium',
};

/** What each rule means, why it matters and how to resolve it: the section per rule in docs/rules.md and the site's finding help. */
export const RULE_DOCS: Record<RuleId, { title: string; why: string; resolve: string }> = {
  'promotion.bypass': promotion.bypassDocs,
  'promotion.artifact-mismatch': promotion.artifactMismatchDocs,
  'drift.version': drift.versionDocs,
  'drift.runtime': drift.runtimeDocs,
  'config.drift': config.driftDocs,
  'config.unrecorded-change': config.unrecordedChangeDocs,
  'approval.missing': approval.missingDocs,
  'approval.self': approval.selfDocs,
  'branch.not-merged-back': branch.docs,
  'dependency.incompatible': dependency.incompatibleDocs,
  'component.skew': dependency.skewDocs,
  'exception.expired': exceptionRule.docs,
  'source.gap': gap.docs,
  'release.partial': release.partialDocs,
  'release.mixed-scope': release.mixedScopeDocs,
  'deployment.outside-branch-policy': deployment.outsideBranchPolicyDocs,
};

/** Every rule but `exception.expired`, which judges the others' findings. */
const RULES: Record<Exclude<RuleId, 'exception.expired'>, Rule> = {
  'promotion.bypass': promotion.promotionBypass,
  'promotion.artifact-mismatch': promotion.promotionArtifactMismatch,
  'drift.version': drift.driftVersion,
  'drift.runtime': drift.driftRuntime,
  'config.drift': config.configDrift,
  'config.unrecorded-change': config.configUnrecordedChange,
  'approval.missing': approval.approvalMissing,
  'approval.self': approval.approvalSelf,
  'branch.not-merged-back': branch.branchNotMergedBack,
  'dependency.incompatible': dependency.dependencyIncompatible,
  'component.skew': dependency.componentSkew,
  'source.gap': gap.sourceGap,
  'release.partial': release.releasePartial,
  'release.mixed-scope': release.releaseMixedScope,
  'deployment.outside-branch-policy': deployment.deploymentOutsideBranchPolicy,
};

/** A finding's severity when the config sets none: lower outside production for the rules that say so. */
function defaultSeverity(rule: RuleId, environment: Pick<EnvironmentConfig, 'production'> | undefined): Severity {
  const outside = DEFAULT_SEVERITIES_OUTSIDE_PRODUCTION[rule];
  return outside !== undefined && environment !== undefined && !environment.production ? outside : DEFAULT_SEVERITIES[rule];
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Stable ids: `rule/service/environment[/detail…]`, `_` where there is no service or environment (a name never starts with `_`). */
function withIds(results: RuleResult[]): (RuleResult & { id: string })[] {
  const base = (r: RuleResult) => [r.rule, r.service ?? '_', r.environment ?? '_', ...(r.detail ?? []).map(slug)].join('/');
  const groups = new Map<string, RuleResult[]>();
  for (const r of results) groups.set(base(r), [...(groups.get(base(r)) ?? []), r]);
  const out: (RuleResult & { id: string })[] = [];
  for (const [id, list] of groups) {
    if (list.length === 1) {
      out.push({ ...list[0]!, id });
      continue;
    }
    // Two details that slugify alike (`a/b` and `a-b`): suffix them in a content order, which does not depend on input order.
    const key = (r: RuleResult) => `${(r.detail ?? []).join('\u0000')}\u0000${r.message}\u0000${JSON.stringify(r.evidence)}`;
    list.sort((a, b) => cmp(key(a), key(b))).forEach((r, i) => out.push({ ...r, id: i === 0 ? id : `${id}-${i + 1}` }));
  }
  return out;
}

export function evaluateRules(input: { draft: DraftSnapshot; previous: Snapshot | null }): Finding[] {
  const { draft, previous } = input;
  const ctx = createContext(draft, previous);
  const settings = draft.policies.rules;
  const enabled = (rule: RuleId) => settings[rule]?.enabled !== false;

  const results = withIds(RULE_IDS.flatMap((rule) => (rule !== 'exception.expired' && enabled(rule) ? RULES[rule](ctx) : [])));
  const all = enabled('exception.expired') ? [...results, ...withIds(exceptionRule.exceptionExpired(draft.exceptions, results, ctx.now))] : results;

  const before = new Map((previous?.findings ?? []).map((f) => [f.id, f]));
  const inForce = draft.exceptions.filter((e) => exception.inForce(e, ctx.now));
  const findings = all.map((r): Finding => {
    const silencedBy: ExceptionConfig | undefined = inForce.find((e) => exception.matches(e, r));
    return {
      id: r.id,
      rule: r.rule,
      severity: settings[r.rule]?.severity ?? defaultSeverity(r.rule, r.environment === undefined ? undefined : ctx.environment(r.environment)),
      ...(r.service !== undefined ? { service: r.service } : {}),
      ...(r.environment !== undefined ? { environment: r.environment } : {}),
      message: r.message,
      resolution: r.resolution,
      evidence: r.evidence,
      // First seen open: carried from the previous snapshot's finding, else this snapshot (src/model/snapshot.ts).
      since: before.get(r.id)?.since ?? draft.takenAt,
      ...(silencedBy ? { exception: silencedBy } : {}),
    };
  });
  return findings.sort((a, b) => rank(b.severity) - rank(a.severity) || cmp(a.rule, b.rule) || cmp(a.id, b.id));
}

export { isOpen } from '../model/exception.ts';

/** Whether a finding is at or above `min` (lowest first: info, low, medium, high, critical). */
export function meetsSeverity(f: Pick<Finding, 'severity'>, min: Severity): boolean {
  return rank(f.severity) >= rank(min);
}

/** Each configured exception of a snapshot: in force or not, and the findings it silences or would cover (for pages). */
export function exceptionStatus(snapshot: Pick<Snapshot, 'takenAt' | 'exceptions' | 'findings'>): { exception: ExceptionConfig; inForce: boolean; findings: string[] }[] {
  const now = Date.parse(snapshot.takenAt);
  return snapshot.exceptions.map((e) => ({
    exception: e,
    inForce: exception.inForce(e, now),
    findings: snapshot.findings.filter((f) => f.rule !== 'exception.expired' && exception.matches(e, f)).map((f) => f.id).sort(),
  }));
}

/** Parses a version label leniently (`v2.4.1`, `release-2.4.1`); null when it is not a version. Shared with the views. */
export { parseVersion } from '../model/version.ts';
