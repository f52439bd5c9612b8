/**
 * Promotion discipline: what runs in an environment passed the previous one
 * first (`promotion.bypass`), and a version label means one build everywhere
 * (`promotion.artifact-mismatch`).
 */
import { arrivalAt } from '../snapshot/promotion.ts';
import { normaliseVersion, sameCommit } from '../model/build.ts';
import type { Deployment } from '../model/snapshot.ts';
import { believedRunning, declarationOf, declaredEvidence, labelIdentity } from '../model/believed.ts';
import { exceptionHint, short, type Rule, type RuleResult } from './_context.ts';

export const bypassDocs = {
  title: 'Promotion bypassed an environment',
  why: 'The commit running here was never seen in the previous environment of the promotion path before it arrived (a hotfix straight to production, say), so nobody validated that build where it should have been validated. Where no deployment record exists, the build a GitOps repository declares is judged, followed by its digest or version label, and the evidence names the file, the GitOps commit and who changed it.',
  resolve:
    'Deploy the commit to the previous environment and let it be validated there, or redeploy from a commit that passed it. For an approved emergency, record an exception for the rule, service and environment. The evidence lists, for every environment on the path, when the same commit/artifact was first seen there and from which record.',
};

export const artifactMismatchDocs = {
  title: 'Same version label, different build',
  why: 'Two environments run the same version label built from different commits or different artifacts, so what was validated under that label is not what runs under it elsewhere.',
  resolve: 'Build once and promote the same artifact; give a rebuilt or patched build a new version label. Or record an exception.',
};

export const promotionBypass: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const watched = ctx.draft.tracking?.watchedSince;
  // Deployment records, and declarations where there is none (src/model/believed.ts).
  for (const d of believedRunning(ctx.draft)) {
    const p = d.promotion;
    if (!p || p.previousEnvironment === null) continue;
    const label = labelIdentity(d);
    if (!d.commit && !d.artifact && label === undefined) continue; // nothing to follow; the missing evidence is a source.gap
    const declared = declarationOf(d);
    const arrived = arrivalAt(d);
    const before = p.previous && Date.parse(p.previous.at) <= Date.parse(arrived) ? p.previous : null;
    if (before) continue;
    // A deployment that reached this environment before the ledger watched the
    // service can only be judged from the source's own history: absence of a
    // sighting there is not evidence of a bypass. Without `tracking` the first
    // snapshot of a ledger is the horizon.
    const horizon = watched?.[d.service] ?? (ctx.previous ? undefined : ctx.draft.takenAt);
    if (!p.previous && horizon !== undefined && Date.parse(arrived) < Date.parse(horizon)) continue;
    const what = declared
      ? `${d.service} ${d.version} (declared in ${declared.file} at ${short(declared.revision)}${declared.changedBy ? ` by ${declared.changedBy}` : ''}${d.artifact ? `, artifact ${d.artifact}` : ''})`
      : `${d.service} ${d.version} (commit ${short(d.commit)}${d.artifact ? `, artifact ${d.artifact}` : ''})`;
    const build = declared ? (d.artifact ?? `version ${d.version}`) : `commit ${short(d.commit)}`;
    const message = p.previous
      ? `${what} reached ${d.environment} at ${arrived} but was first seen in ${p.previousEnvironment} only at ${p.previous.at}, after it.`
      : `${what} reached ${d.environment} at ${arrived} without ever being seen in ${p.previousEnvironment}.`;
    out.push({
      rule: 'promotion.bypass',
      service: d.service,
      environment: d.environment,
      detail: [short(d.commit) === 'unknown' ? (d.artifact ?? label ?? 'unknown') : short(d.commit)],
      message,
      resolution: `Deploy ${build} to ${p.previousEnvironment} and validate it there, or redeploy ${d.environment} from a build that passed ${p.previousEnvironment}. ${exceptionHint('promotion.bypass', d.service, d.environment)}`,
      evidence: {
        commit: d.commit,
        version: d.version,
        ...(d.artifact ? { artifact: d.artifact } : {}),
        deployedAt: d.deployedAt,
        deployedBy: d.deployedBy,
        arrivedAt: arrived,
        previousEnvironment: p.previousEnvironment,
        previousSeenAt: p.previous?.at ?? null,
        previousSighting: p.previous,
        path: p.path,
        ...(d.url ? { url: d.url } : {}),
        ...(declared ? { declared: declaredEvidence(declared) } : {}),
      },
    });
  }
  return out;
};

/** Labels that name a release rather than a moving ref: they contain a digit and are not just the commit. */
function isReleaseLabel(d: Deployment): boolean {
  const v = d.version.trim();
  if (!/\d/.test(v)) return false;
  if (d.ref !== undefined && v === d.ref && !/^(refs\/tags\/|v?\d)/.test(v)) return false;
  return !(/^[0-9a-f]{7,40}$/i.test(v) && sameCommit(v, d.commit));
}

export const promotionArtifactMismatch: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const groups = new Map<string, Deployment[]>();
  for (const d of ctx.draft.deployments) {
    if (!isReleaseLabel(d)) continue;
    const key = `${d.service}\u0000${normaliseVersion(d.version)}`;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const rank = (e: string) => ctx.order.indexOf(e);
    list.sort((a, b) => rank(a.environment) - rank(b.environment) || (a.environment < b.environment ? -1 : 1));
    // Same label, different build: the commits or the artifacts differ (where both are known).
    const differ = (a: Deployment, b: Deployment) => Boolean(a.commit && b.commit && !sameCommit(a.commit, b.commit)) || Boolean(a.artifact && b.artifact && a.artifact !== b.artifact);
    if (!list.some((a, i) => list.slice(i + 1).some((b) => differ(a, b)))) continue;
    const highest = list[list.length - 1]!;
    const builds = list.map((d) => ({ environment: d.environment, version: d.version, commit: d.commit, ...(d.artifact ? { artifact: d.artifact } : {}), deployedAt: d.deployedAt, source: d.source }));
    const described = list.map((d) => `${d.environment}: ${short(d.commit)}${d.artifact ? ` ${d.artifact.slice(0, 19)}` : ''}`).join(', ');
    out.push({
      rule: 'promotion.artifact-mismatch',
      service: highest.service,
      environment: highest.environment,
      detail: [highest.version],
      message: `${highest.service} version ${highest.version} is a different build in different environments (${described}).`,
      resolution: `Promote one build of ${highest.version} everywhere, or give the differing build a new version label. ${exceptionHint('promotion.artifact-mismatch', highest.service, highest.environment)}`,
      evidence: { version: highest.version, builds },
    });
  }
  return out;
};
