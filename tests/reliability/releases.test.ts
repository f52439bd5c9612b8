/**
 * Reliability, releases (issue 24): over generated histories, a release is reported complete in an
 * environment exactly when every component's version runs there, by the
 * domain core's definition of the same build (src/model/build.ts): a declared
 * version by its label (`sameVersion`), a found ticket's builds by commit
 * (`sameCommit`, abbreviations included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameCommit, sameVersion } from '../../src/model/build.ts';
import { releasesOf, releaseStatus } from '../../src/model/release.ts';
import type { Change, Deployment, Gap } from '../../src/model/snapshot.ts';
import { buildChange, dep, day, ENVS, sha, daysWithReleases, type Day } from '../releases/world.ts';
import { recordFigure, SEED } from './world.ts';

const RUNS = 300;

const SERVICES = ['api', 'web'] as const;
const VERSIONS = ['1.0.0', '1.1.0', 'v1.1.0', '1.2.0', '2.0.0'];
const TICKETS = ['PAY-1', 'PAY-2'];

const slot = fc.record({
  service: fc.constantFrom(...SERVICES),
  environment: fc.constantFrom(...ENVS),
  version: fc.constantFrom(...VERSIONS),
  /** The same label is sometimes a different build (a rebuild): a different commit. */
  rebuild: fc.boolean(),
  /** The commit recorded abbreviated (7 hex digits), as some sources give it. */
  abbreviated: fc.boolean(),
  tickets: fc.subarray(TICKETS),
  state: fc.constantFrom('deployed', 'deployed', 'deployed', 'absent', 'hidden'),
});

type Slot = typeof slot extends fc.Arbitrary<infer T> ? T : never;
const history = fc.array(fc.array(slot, { maxLength: 8 }), { minLength: 1, maxLength: 5 });
const declaredVersions = fc.record({ api: fc.constantFrom(...VERSIONS), web: fc.constantFrom(...VERSIONS) });

/** Day `n`: the slots given (the last per service/environment wins), everything else at 1.0.0. */
function dayOf(n: number, slots: Slot[], declared: Record<string, string>): Day {
  const place = new Map<string, Slot>();
  for (const s of slots) place.set(`${s.service}/${s.environment}`, s);
  const deployments: Deployment[] = [];
  const changes: Change[] = [];
  const gaps: Gap[] = [];
  for (const service of SERVICES) {
    for (const environment of ENVS) {
      const s = place.get(`${service}/${environment}`);
      if (s?.state === 'hidden') gaps.push({ source: 'github', service, environment, evidence: 'deployment', reason: 'timed out' });
      if (s && s.state !== 'deployed') continue;
      const version = s?.version ?? '1.0.0';
      const full = sha(`${service}-${version.replace(/^v/, '')}${s?.rebuild ? '-rebuild' : ''}`);
      const commit = s?.abbreviated ? full.slice(0, 7) : full;
      deployments.push(dep(service, environment, version, { commit, deployedAt: day(n, '01:00:00') }));
      if (s && s.tickets.length > 0) changes.push(buildChange({ service, environment, version, commit, deployedAt: day(n, '01:00:00'), tickets: s.tickets }));
    }
  }
  return { takenAt: day(n), deployments, changes, gaps, declaredReleases: [{ name: 'checkout', components: declared, owner: 'team-payments' }] };
}

describe('release completeness (property)', () => {
  it('complete in an environment exactly when every component runs there by the same-build definition', ({ task }) => {
    let judged = 0;
    let complete = 0;
    let partial = 0;
    const wrong: string[] = [];
    fc.sample(fc.tuple(history, declaredVersions), { seed: SEED, numRuns: RUNS }).forEach(([days, declared], run) => {
      const snaps = daysWithReleases(days.map((slots, i) => dayOf(i + 2, slots, declared)));
      for (const s of snaps) {
        for (const release of releasesOf(s.releases)) {
          for (const status of releaseStatus(release, s)) {
            const running = (service: string) => s.deployments.find((d) => d.service === service && d.environment === status.environment);
            // The oracle asks build.ts directly: a declared version by its label, a ticket's builds (every build a change record named it for) by commit.
            const runs =
              release.kind === 'declared'
                ? release.components.every((c) => sameVersion(running(c.service)?.version, c.version))
                : release.components.every((c) => {
                    const d = running(c.service);
                    const builds = s.releases!.builds.filter((b) => b.service === c.service && b.tickets.includes(release.name));
                    return d !== undefined && builds.some((b) => sameCommit(b.commit, d.commit));
                  });
            const arrived = status.components.filter((p) => p.state === 'running' || p.state === 'superseded').length;
            const missing = status.components.filter((p) => p.state === 'other' || p.state === 'absent').length;
            judged++;
            if (runs) complete++;
            if (status.state === 'partial') partial++;
            if ((status.state === 'complete') !== runs) wrong.push(`run ${run}, ${s.id}, ${release.name} in ${status.environment}: ${status.state}, every component running: ${runs}`);
            if ((status.state === 'partial') !== (arrived > 0 && missing > 0)) wrong.push(`run ${run}, ${s.id}, ${release.name} in ${status.environment}: ${status.state} with ${arrived} arrived, ${missing} missing`);
          }
        }
      }
    });
    recordFigure(task, {
      case: 'releases: complete exactly when every component runs there',
      runs: RUNS,
      result: `${wrong.length} wrong of ${judged} release × environment judgements (${complete} complete, ${partial} partial)`,
      target: 'complete ⇔ every component runs there (sameVersion / sameCommit); partial ⇔ some arrived and some did not',
      pass: wrong.length === 0 && complete > 20 && judged - complete > 20,
      detail: 'histories of up to 5 nights, 2 services × 3 environments; rebuilt labels, abbreviated commits, absent and gap-hidden deployments',
    });
    expect(wrong.slice(0, 10), `seed ${SEED}`).toEqual([]);
    // The generator reaches both sides of the property.
    expect(complete).toBeGreaterThan(20);
    expect(judged - complete).toBeGreaterThan(20);
  });
});
