/**
 * Release coherence (docs/releases.md): part of a release has arrived in an
 * environment and part has not, for longer than the grace period
 * (`release.partial`), and one production deployment brought more unrelated
 * work than a reviewer can weigh (`release.mixed-scope`). What a release is
 * and where its components stand is decided in src/model/release.ts.
 */
import { differentBuilds, sameCommit } from '../model/build.ts';
import { deploymentScope, releasePolicies, releasesOf, releaseStatus, type ComponentPosition } from '../model/release.ts';
import { arrivalAt } from '../snapshot/promotion.ts';
import { DAY_MS, daysBetween, exceptionHint, short, type Rule, type RuleResult } from './_context.ts';

export const partialDocs = {
  title: 'Release arrived in part',
  why: 'Part of a release (declared in the config, or a ticket that changed several services) runs in an environment while the rest does not, for longer than `policies.releaseGraceDays`. The services that moved may now depend on changes that are not there: what was tested together is not what runs together.',
  resolve:
    'Promote the missing components to the environment, or roll back the ones that arrived. The evidence names every component, the version the release wants, what runs there and since when. If the halves are meant to move apart, record an exception for the lagging service and environment.',
};

export const mixedScopeDocs = {
  title: 'One production deployment, many unrelated changes',
  why: 'A single production deployment brought more unrelated tickets (a pull request without a ticket counts on its own) than `policies.maxScopePerDeployment`. If it fails, every one of them is rolled back together, and nobody can say which change caused the failure.',
  resolve: 'Deploy smaller batches: promote each ticket, or each release, on its own. The evidence lists the tickets and the pull requests without one. Or record an exception.',
};

const describe = (p: ComponentPosition) =>
  p.running ? `${p.service} runs ${p.running.version} (${short(p.running.commit)}) since ${p.running.since}` : `${p.service} is not deployed`;

export const releasePartial: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const { graceDays } = releasePolicies(ctx.draft.policies);
  const world = { ...ctx.draft, arrival: arrivalAt };
  for (const release of releasesOf(ctx.draft.releases)) {
    for (const status of releaseStatus(release, world)) {
      if (status.state !== 'partial' || status.partialSince === null) continue;
      if (ctx.now - Date.parse(status.partialSince) <= graceDays * DAY_MS) continue;
      const arrived = status.components.filter((p) => p.state === 'running' || p.state === 'superseded');
      const missing = status.components.filter((p) => p.state === 'other' || p.state === 'absent');
      const days = daysBetween(Date.parse(status.partialSince), ctx.now);
      const what = release.kind === 'declared' ? `Release ${release.name}` : `Ticket ${release.name}`;
      for (const m of missing) {
        out.push({
          rule: 'release.partial',
          service: m.service,
          environment: status.environment,
          detail: [release.name],
          message: `${what} is in ${status.environment} in part for ${days} days, since ${status.partialSince}: ${arrived.map((p) => `${p.service} ${p.running!.version} arrived ${p.running!.since}`).join(', ')}; ${describe(m)}, not ${m.wanted}; more than the ${graceDays} allowed.`,
          resolution: `Promote ${m.service} ${m.wanted} to ${status.environment}, or roll back ${arrived.map((p) => p.service).join(', ')} there. ${exceptionHint('release.partial', m.service, status.environment)}`,
          evidence: {
            release: release.name,
            kind: release.kind,
            owner: release.owner,
            environment: status.environment,
            partialSince: status.partialSince,
            partialDays: days,
            graceDays,
            missing: m.service,
            components: status.components.map((p) => ({ service: p.service, wanted: p.wanted, state: p.state, running: p.running })),
          },
        });
      }
    }
  }
  return out;
};

export const releaseMixedScope: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const { maxScope } = releasePolicies(ctx.draft.policies);
  const releases = releasesOf(ctx.draft.releases);
  for (const d of ctx.draft.deployments) {
    if (!ctx.environment(d.environment)?.production) continue;
    const change = ctx.draft.changes.find((c) => c.service === d.service && c.environment === d.environment && sameCommit(c.commit, d.commit));
    if (!change) continue;
    const scope = deploymentScope(change);
    if (scope.units <= maxScope) continue;
    // The declared releases this deployment ships a component of (the same build, src/model/build.ts).
    const running = { version: d.version, commit: d.commit || null, artifact: d.artifact ?? null };
    const partOf = releases.filter((r) => r.kind === 'declared' && r.components.some((c) => c.service === d.service && c.builds.some((b) => !differentBuilds(b, running)))).map((r) => r.name);
    out.push({
      rule: 'release.mixed-scope',
      service: d.service,
      environment: d.environment,
      detail: [short(d.commit)],
      message: `${d.service} ${d.version} reached ${d.environment} at ${d.deployedAt} with ${scope.units} unrelated changes (${scope.tickets.length} tickets, ${scope.untracked.length} pull requests without one); more than the ${maxScope} allowed.`,
      resolution: `Promote smaller batches to ${d.environment}: one ticket or release at a time. ${exceptionHint('release.mixed-scope', d.service, d.environment)}`,
      evidence: {
        version: d.version,
        commit: d.commit,
        deployedAt: d.deployedAt,
        deployedBy: d.deployedBy,
        fromVersion: change.fromVersion,
        fromCommit: change.fromCommit,
        units: scope.units,
        maxScope,
        tickets: scope.tickets,
        untracked: scope.untracked,
        releases: partOf,
        ...(d.url ? { url: d.url } : {}),
      },
    });
  }
  return out;
};
