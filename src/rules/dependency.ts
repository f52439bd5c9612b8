/**
 * Dependencies: a declared range not met by what runs in the same environment
 * (`dependency.incompatible`), and one shared library at several versions in
 * one environment (`component.skew`).
 */
import semver from 'semver';
import { exceptionHint, short, type Rule, type RuleResult } from './_context.ts';
import { dependencyVersion, parseVersion, versionSatisfies } from '../model/version.ts';

export const incompatibleDocs = {
  title: 'Dependency range not met',
  why: 'In an environment, a service declares (in `dependsOn`) the range of another service or library it works with, and what runs there is outside it: the combination was never meant to work, whatever each pipeline says.',
  resolve: 'Deploy a version of the dependency inside the range (or of the dependent service that accepts what runs), or widen the declared range once the combination is validated. Or record an exception.',
};

export const skewDocs = {
  title: 'Shared library at several versions',
  why: 'Services running in one environment embed different versions of the same shared library, so behaviour that should be common (serialisation, auth, money rounding) differs between them.',
  resolve: 'Rebuild the lagging services on one version of the library and deploy them. Or record an exception (for the library as the service).',
};


/**
 * Where the dependency's version comes from: for a library, the dependent's own
 * `components` (what it was built with); for a service, that service's
 * deployment in the same environment. Unknown (not deployed there, no lockfile)
 * is not judged.
 */
export const dependencyIncompatible: Rule = (ctx) => {
  const out: RuleResult[] = [];
  for (const d of ctx.draft.deployments) {
    const config = ctx.service(d.service);
    for (const [dependency, range] of Object.entries(config?.dependsOn ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const target = ctx.service(dependency);
      const isLibrary = target?.kind === 'library';
      const fromComponents = d.components?.[dependency];
      const other = ctx.deployment(dependency, d.environment);
      const running = dependencyVersion({ isLibrary, fromComponents, deployedVersion: other?.version });
      if (running === undefined) continue;
      if (versionSatisfies(running, range) === true) continue;
      const parsed = parseVersion(running);
      const where = isLibrary || !other ? `built into ${d.service} (components)` : `deployed in ${d.environment} (${short(other.commit)}, ${other.deployedAt})`;
      out.push({
        rule: 'dependency.incompatible',
        service: d.service,
        environment: d.environment,
        detail: [dependency],
        message: parsed
          ? `${d.service} in ${d.environment} needs ${dependency} ${range}, but ${dependency} ${running} is ${where}.`
          : `${d.service} in ${d.environment} needs ${dependency} ${range}, but the ${dependency} version ${where} is "${running}", which is not a semantic version, so the range cannot be checked.`,
        resolution: parsed
          ? `Deploy a ${dependency} version within ${range} to ${d.environment} (or a ${d.service} that accepts ${running}), or widen the range in ${d.service}'s dependsOn once validated. ${exceptionHint('dependency.incompatible', d.service, d.environment)}`
          : `Label ${dependency}'s builds with semantic versions (a v1.2.3 tag is enough) so the range can be checked. ${exceptionHint('dependency.incompatible', d.service, d.environment)}`,
        evidence: {
          dependency,
          kind: isLibrary ? 'library' : 'service',
          range,
          running,
          parsed,
          from: isLibrary || !other ? { components: d.service } : { service: dependency, environment: d.environment, version: other.version, commit: other.commit, deployedAt: other.deployedAt, source: other.source },
          dependent: { version: d.version, commit: d.commit },
        },
      });
    }
  }
  return out;
};

/**
 * Which version to converge on: the newest release built into any service in
 * this snapshot (any environment) that every dependent's declared range
 * (`dependsOn`) accepts. Prereleases are not recommended (semver's default:
 * https://github.com/npm/node-semver#prerelease-tags). `ranges` empty: no
 * dependent declares one, so the newest in use is all there is to say.
 */
export function recommendVersion(candidates: readonly string[], ranges: readonly string[]): string | null {
  const releases = [...new Set(candidates.map((v) => parseVersion(v)).filter((v): v is string => v !== null && semver.prerelease(v) === null))].sort(semver.rcompare);
  return releases.find((v) => ranges.every((r) => semver.validRange(r) !== null && semver.satisfies(v, r))) ?? null;
}

export const componentSkew: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const byPlace = new Map<string, { library: string; environment: string; users: { service: string; version: string }[] }>();
  const seen = new Map<string, string[]>();
  for (const d of ctx.draft.deployments) {
    for (const [library, version] of Object.entries(d.components ?? {})) {
      const k = `${library}\u0000${d.environment}`;
      let p = byPlace.get(k);
      if (!p) byPlace.set(k, (p = { library, environment: d.environment, users: [] }));
      p.users.push({ service: d.service, version });
      seen.set(library, [...(seen.get(library) ?? []), version]);
    }
  }
  for (const p of [...byPlace.values()].sort((a, b) => (`${a.library}\u0000${a.environment}` < `${b.library}\u0000${b.environment}` ? -1 : 1))) {
    const norm = (v: string) => parseVersion(v) ?? v.trim();
    const versions = new Map<string, string[]>();
    for (const u of p.users) versions.set(norm(u.version), [...(versions.get(norm(u.version)) ?? []), u.service].sort());
    if (versions.size < 2) continue;
    const ordered = [...versions.entries()].sort(([a], [b]) => {
      const va = semver.valid(a);
      const vb = semver.valid(b);
      if (va && vb) return semver.rcompare(va, vb);
      return a < b ? -1 : 1;
    });
    // What the dependents here declare they accept; the advice must stay inside every range.
    const ranges = Object.fromEntries(
      [...new Set(p.users.map((u) => u.service))]
        .sort()
        .flatMap((service) => {
          const range = ctx.service(service)?.dependsOn?.[p.library];
          return range === undefined ? [] : [[service, range] as const];
        }),
    );
    const declared = Object.values(ranges);
    const recommended = recommendVersion(seen.get(p.library) ?? [], declared);
    const rangeText = Object.entries(ranges).map(([s, r]) => `${s} ${r}`).join(', ');
    const hint = exceptionHint('component.skew', p.library, p.environment);
    const resolution =
      declared.length === 0
        ? `Rebuild the services on one ${p.library} version${recommended ? ` (newest built anywhere: ${recommended}; no service here declares a range for ${p.library} in dependsOn)` : ''} and deploy them to ${p.environment}. ${hint}`
        : recommended
          ? `Rebuild the services on ${p.library} ${recommended}, the newest version built anywhere that every declared range accepts (${rangeText}), and deploy them to ${p.environment}. ${hint}`
          : `No ${p.library} version built anywhere is accepted by every declared range (${rangeText}): align the ranges in dependsOn first, then rebuild the services on one version and deploy them to ${p.environment}. ${hint}`;
    out.push({
      rule: 'component.skew',
      service: p.library,
      environment: p.environment,
      message: `In ${p.environment}, ${p.library} runs at ${versions.size} versions: ${ordered.map(([v, s]) => `${v} (${s.join(', ')})`).join('; ')}.`,
      resolution,
      evidence: {
        library: p.library,
        versions: Object.fromEntries(ordered),
        services: [...p.users].sort((a, b) => (a.service < b.service ? -1 : 1)),
        ranges,
        recommended,
      },
    });
  }
  return out;
};
