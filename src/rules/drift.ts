/**
 * Drift: neighbouring environments that have run different builds for too
 * long (`drift.version`), and what is observed or declared running that is not
 * what was recorded as deployed (`drift.runtime`).
 */
import { computeDriftStates } from '../snapshot/promotion.ts';
import { runtimeMismatches } from '../model/build.ts';
import type { Declared, Deployment, Observed } from '../model/snapshot.ts';
import { believedRunning, declarationOf, declaredEvidence } from '../model/believed.ts';
import { DAY_MS, daysBetween, exceptionHint, short, type Rule, type RuleResult } from './_context.ts';

export const versionDocs = {
  title: 'Environments drifted apart',
  why: 'An environment has run a different build from the previous one on the promotion path for longer than `policies.maxDriftDays`. What was tested below is no longer what runs above (or the other way round), and the next promotion will carry a large, unvalidated jump. Where no deployment record exists, what the GitOps repository declares is what is compared.',
  resolve:
    'Promote the lower environment\'s build upwards, or bring the lower environment back to what runs above it. If an environment is pinned on purpose (a certification freeze, say), record an exception for that environment with an expiry.',
};

export const runtimeDocs = {
  title: 'Running build differs from the record',
  why: 'What the service itself reports (its version endpoint), the image digest its pods run (Kubernetes) or what the GitOps repository declares is not what the deployment record says was deployed: a manual change (`kubectl set image`), a failed or partial rollout (pods of one workload running different digests), or a record that lies.',
  resolve: 'Find out which side is right: redeploy the recorded build, or record the deployment that actually happened (or fix the declaration). Or record an exception.',
};

/**
 * Drift age: see `computeDriftStates` — it is carried forward through the
 * ledger, so a lower environment that keeps deploying new builds does not
 * reset the clock while the higher one stays behind.
 */
export const driftVersion: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const maxDays = ctx.draft.policies.maxDriftDays;
  // Deployment records, and declarations where there is none (src/model/believed.ts).
  for (const s of computeDriftStates({ deployments: believedRunning(ctx.draft), environments: ctx.draft.environments, previous: ctx.previous })) {
    const age = ctx.now - Date.parse(s.since);
    if (age <= maxDays * DAY_MS) continue;
    const days = daysBetween(Date.parse(s.since), ctx.now);
    const l = s.lowerDeployment;
    const h = s.higherDeployment;
    const side = (d: Deployment) => {
      const declared = declarationOf(d);
      return { version: d.version, commit: d.commit, ...(d.artifact ? { artifact: d.artifact } : {}), deployedAt: d.deployedAt, source: d.source, ...(declared ? { declared: declaredEvidence(declared) } : {}) };
    };
    const build = (d: Deployment) => (d.commit ? `${d.version}, ${short(d.commit)}` : declarationOf(d) ? `${d.version}, declared` : `${d.version}, ${short(d.commit)}`);
    out.push({
      rule: 'drift.version',
      service: s.service,
      environment: s.higher,
      message: `${s.service} in ${s.higher} (${build(h)}) has differed from ${s.lower} (${build(l)}) for ${days} days${s.basis === 'estimate' ? ' at least' : ''}, since ${s.since}; more than the ${maxDays} allowed.`,
      resolution: `Promote ${l.version} from ${s.lower} to ${s.higher}, or return ${s.lower} to ${h.version}. ${exceptionHint('drift.version', s.service, s.higher)}`,
      evidence: {
        lower: s.lower,
        higher: s.higher,
        since: s.since,
        sinceBasis: s.basis,
        driftDays: days,
        maxDriftDays: maxDays,
        lowerDeployment: side(l),
        higherDeployment: side(h),
      },
    });
  }
  return out;
};

export const driftRuntime: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const places = new Map<string, { service: string; environment: string; observed: Observed[]; declared: Declared[] }>();
  const place = (service: string, environment: string) => {
    const k = `${service}\u0000${environment}`;
    let p = places.get(k);
    if (!p) places.set(k, (p = { service, environment, observed: [], declared: [] }));
    return p;
  };
  for (const o of ctx.draft.observed) place(o.service, o.environment).observed.push(o);
  for (const d of ctx.draft.declared) place(d.service, d.environment).declared.push(d);
  for (const p of [...places.values()].sort((a, b) => (a.service + '\u0000' + a.environment < b.service + '\u0000' + b.environment ? -1 : 1))) {
    const deployed = ctx.deployment(p.service, p.environment);
    const reasons = runtimeMismatches({
      deployed: deployed ? { version: deployed.version, commit: deployed.commit || null, artifact: deployed.artifact ?? null } : null,
      observed: p.observed,
      declared: p.declared,
    });
    if (reasons.length === 0) continue;
    out.push({
      rule: 'drift.runtime',
      service: p.service,
      environment: p.environment,
      message: `${p.service} in ${p.environment}: ${reasons.join('; ')}.`,
      resolution: `Redeploy the recorded build, or record the deployment that actually happened${p.declared.length ? ' (or correct the GitOps declaration)' : ''}. ${exceptionHint('drift.runtime', p.service, p.environment)}`,
      evidence: {
        mismatches: reasons,
        deployed: deployed
          ? { version: deployed.version, commit: deployed.commit, ...(deployed.artifact ? { artifact: deployed.artifact } : {}), deployedAt: deployed.deployedAt, source: deployed.source }
          : null,
        observed: p.observed.map((o) => ({
          version: o.version,
          commit: o.commit,
          at: o.at,
          source: o.source,
          ...(o.url ? { url: o.url } : {}),
          ...(o.artifact ? { artifact: o.artifact } : {}),
          ...(o.image ? { image: o.image } : {}),
          ...(o.workload ? { workload: o.workload } : {}),
          ...(o.revision ? { revision: o.revision } : {}),
          ...(o.changeCause ? { changeCause: o.changeCause } : {}),
          ...(o.revisionAt ? { revisionAt: o.revisionAt } : {}),
          ...(o.digests ? { digests: o.digests } : {}),
        })),
        declared: p.declared.map((d) => ({
          version: d.version,
          ...(d.image ? { image: d.image } : {}),
          ...(d.artifact ? { artifact: d.artifact } : {}),
          file: d.file,
          revision: d.revision,
          source: d.source,
          ...(d.syncStatus ? { syncStatus: d.syncStatus } : {}),
          ...(d.health ? { health: d.health } : {}),
        })),
      },
    });
  }
  return out;
};
