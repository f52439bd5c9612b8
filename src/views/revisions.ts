/**
 * Service revisions: the days a service's per-day page changes.
 *
 * A day's service page (`/days/D/services/NAME/`) shows what ran where, the
 * service's findings, approvals, blast radius, dependency neighbourhoods,
 * configuration and branches at the end of that day. For most services most
 * days, nothing of that changes: at 500 services × 3 years, a page per
 * service per day is 550,000 pages (and gigabytes) that repeat their
 * predecessor. So a service gets a page on its *revision days* — the days its
 * page state differs from the day before, or it had a recorded change — and
 * that page stands for every day until the next revision. Links from a day
 * go to the revision in force that day (`revisionOn`); the site's 404 page
 * resolves a typed-in day URL the same way.
 *
 * The state key is a hash of exactly what the page renders apart from the
 * day itself (drift is shown as "since DATE" there, not "for N days"), and of
 * nothing it does not render: the time each night's version endpoints were
 * asked (`observed[].at`, not shown in the matrix) and the change records a
 * night repeats are left out, or a quiet service would get a page every night
 * (issue 19 item 8). The page's "Changes" section needs no key of its own: it
 * is the difference between the deployments of the previous day and this one,
 * and every deployment field it compares (version, commit, artifact, time) is
 * in the key, so a day with a change is always a revision day. What a finding
 * says is shown whole, so a finding that counts days (`drift.version`,
 * `branch.not-merged-back`) or quotes an observation time (`drift.runtime`)
 * revises its service each night it stands. The deployments a source passed
 * over (`passedOver`) are in the key row for row as the page shows them, and
 * only when there are some.
 *
 * Environment pages (`/days/D/environments/NAME/`) and compare pages
 * (`/days/D/compare/A...B/`) work the same way, with their own keys
 * (`environmentStateKeys`, `compareStateKeys`) and trackers in the index.
 */
import { createHash } from 'node:crypto';
import type { Snapshot } from '../model/index.ts';
import type { DaySummary, LedgerIndex } from './history.ts';
import { blastRadius } from './answers.ts';
import { approvalRows, deployedBuildRows, protectionRows } from './approvals.ts';
import { comparePairs, snapshotComparePairs } from './compare.ts';
import { environmentDiffInputs } from '../ledger/index.ts';
import { findingsFor } from './findings.ts';
import { compareText, groupByService } from './format.ts';
import { serviceNeighbourhood } from './graph.ts';
import { paths, rowAnchor } from './links.ts';
import { matrixColumns, matrixOf, type Matrix } from './matrix.ts';
import { SnapshotViews } from './day-views.ts';
import { deploymentHidden } from '../model/gaps.ts';
import { differentBuilds } from '../model/build.ts';
import { passedOverRows, type PassedOverRow } from './passed-over.ts';

/** Per service, a short hash of everything its day page shows that is not the day itself. */
export function serviceStateKeys(snapshot: Snapshot, views: SnapshotViews = new SnapshotViews(snapshot)): Map<string, string> {
  const rows = new Map(undated(views.matrix).rows.map((r) => [r.service, r]));
  const approvals = groupByService(views.approvals);
  const graphs = snapshot.environments.map((e) => ({ environment: e.name, model: views.graph(e.name) }));
  const keys = new Map<string, string>();
  for (const service of snapshot.services) {
    const name = service.name;
    const own = views.ofService(name);
    const state = {
      service,
      row: rows.get(name) ?? null,
      findings: own.findings,
      // Who wrote the change comes from the change record of the night it arrived and is gone the next
      // night; it stays true of the same deployment, so the revision page keeps showing it (status and findings are keyed).
      approvals: (approvals.get(name) ?? []).map(approvalState),
      builds: deployedBuildRows(snapshot.environments, own.deployments),
      protection: protectionRows(snapshot.environments, own.deployments),
      radius: blastRadius(snapshot, name),
      graphs: graphs.map((g) => ({ environment: g.environment, model: serviceNeighbourhood(g.model, name) })),
      configs: own.configs,
      branches: own.branches,
      // Only when there are some, so the key of a page without (most of them) is what it was before the section existed.
      ...passedOverState(snapshot, { service: name }),
    };
    keys.set(name, stateKey(state));
  }
  return keys;
}

/** The "Deployments not taken as what runs" section's rows (views/passed-over.ts), row for row as shown; nothing when there are none. */
function passedOverState(snapshot: Snapshot, where: { service?: string; environment?: string }): { passedOver?: PassedOverRow[] } {
  const rows = passedOverRows(snapshot, where);
  return rows.length > 0 ? { passedOver: rows } : {};
}

const stateKey = (state: unknown) => createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 20);

/**
 * A matrix as a revision page shows it: drift as "since DATE", not "(N d)",
 * and the observed version without the time it was read (matrix-html.ts).
 */
export function undated(matrix: Matrix): Matrix {
  return { ...matrix, rows: matrix.rows.map((r) => ({ ...r, cells: r.cells.map((c) => ({ ...c, driftDays: null, observed: c.observed && { version: c.observed.version, commit: c.observed.commit, at: '' } })) })) };
}

// Who wrote the change comes from the change record of the night it arrived and is gone the next
// night; it stays true of the same deployment, so the revision page keeps showing it (status and findings are keyed).
const approvalState = ({ pullRequests: _prs, authors: _authors, verdict: _verdict, ...rest }: ReturnType<typeof approvalRows>[number]) => rest;

/**
 * What an environment page (`/days/D/environments/NAME/`) shows of a
 * finding: its identity, severity, service, since when and any exception,
 * with the full text on the day page. The full text of some rules counts
 * days or quotes an observation time (drift, branch age, partial releases),
 * so showing it here would revise every environment with such a finding
 * every night; these fields hold from one night to the next.
 */
export function findingSummaries(snapshot: Snapshot, environment: string) {
  return findingsFor(snapshot.findings, { environment }).map((f) => ({
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    service: f.service ?? null,
    since: f.since,
    exception: f.exception ? { expires: f.exception.expires } : null,
  }));
}

/** An environment page's matrix: its environment against the previous one on the promotion path. */
export function environmentMatrix(snapshot: Snapshot, environment: string): Matrix {
  const position = snapshot.environments.findIndex((e) => e.name === environment);
  return undated(matrixColumns(matrixOf(snapshot), snapshot.environments.slice(Math.max(0, position - 1), position + 1).map((e) => e.name)));
}

/**
 * Per environment, a short hash of everything its page shows that is not the
 * day itself (components/day/EnvironmentPage.astro): the environment, its
 * place on the path, its matrix against the previous one, its findings as
 * summarised there, its deployments, approvals, dependency graph and the
 * deployments passed over there.
 * "Changes on D" needs no key of its own, as for services: the deployments
 * it compares are in the key, so a day with a change is a revision day.
 */
export function environmentStateKeys(snapshot: Snapshot, views: SnapshotViews = new SnapshotViews(snapshot)): Map<string, string> {
  const approvals = views.approvals;
  const keys = new Map<string, string>();
  snapshot.environments.forEach((environment, position) => {
    const name = environment.name;
    const state = {
      environment,
      position,
      of: snapshot.environments.length,
      previous: position > 0 ? snapshot.environments[position - 1]!.name : null,
      matrix: environmentMatrix(snapshot, name),
      // Whole, so "Changes on D" (an artifact, a status) always comes with a revision.
      deployments: snapshot.deployments.filter((d) => d.environment === name),
      findings: findingSummaries(snapshot, name),
      approvals: approvals.filter((r) => r.environment === name).map(approvalState),
      graph: views.graph(name),
      ...passedOverState(snapshot, { environment: name }),
    };
    keys.set(name, stateKey(state));
  });
  return keys;
}

/** The key of a compare pair in `compareStateKeys` and `DaySummary.revisedCompare`. */
export const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/**
 * Per compare pair a day has (compare.ts `comparePairs`), a hash of what its page
 * (components/day/ComparePage.astro) can show. Versions and configuration
 * are a function of the two environments' inputs (`environmentDiffInputs`:
 * each believed-running record's state and the merged config values) and the
 * services' env-specific declarations, so those are hashed, each environment
 * once, rather than the comparison computed for every pair of every day. Its
 * pull requests come from the cross-day index as the ledger knew it in this
 * snapshot (views/compare.ts): for a service whose builds differ between the
 * two (or that runs in one only), they are fixed by the two deployments,
 * whether a missing one is hidden by a gap, and the service's pull requests
 * and lineage facts recorded so far — `facts(service)` counts those, and
 * they only ever grow. A service running the same build on both sides shows
 * none. So the key may change when the page would not (a new pull request of
 * a differing service that is on neither side), never the other way round.
 */
export function compareStateKeys(snapshot: Snapshot, facts: (service: string) => number): Map<string, string> {
  const names = snapshot.environments.map((e) => e.name);
  const inputs = new Map(names.map((name) => [name, environmentDiffInputs(snapshot, name)]));
  const digests = new Map([...inputs].map(([name, i]) => [name, createHash('sha256').update(i.text).digest('hex')]));
  const shared = stateKey({ declared: snapshot.services.map((x) => [x.name, x.envSpecificKeys]), noKey: snapshot.secretFingerprints?.keyId === null });
  const keys = new Map<string, string>();
  for (const [a, b] of snapshotComparePairs(snapshot)) {
    const [x, y] = [inputs.get(a)!.states, inputs.get(b)!.states];
    const evidence = [...new Set([...x.keys(), ...y.keys()])]
      .sort(compareText)
      .filter((service) => {
        const [da, db] = [x.get(service), y.get(service)];
        return !da || !db || differentBuilds(da, db);
      })
      .map((service) => [service, x.has(service) ? null : deploymentHidden(snapshot, service, a) !== undefined, y.has(service) ? null : deploymentHidden(snapshot, service, b) !== undefined, facts(service)]);
    // Which snapshot and when (`diff.a`/`diff.b`) are not shown: the page's header is the revision day's.
    keys.set(pairKey(a, b), stateKey({ a: digests.get(a), b: digests.get(b), shared, evidence }));
  }
  return keys;
}

/**
 * Follows the ledger snapshot by snapshot (oldest first) and says which
 * services have a new revision in each. Its state is a plain list, so an
 * incremental build can save it and resume.
 */
export class RevisionTracker {
  #keys: Map<string, string>;

  constructor(state: readonly (readonly [string, string])[] = []) {
    this.#keys = new Map(state);
  }

  /** The services whose page changes with this snapshot: those whose state key changed. */
  add(snapshot: Snapshot): string[] {
    return this.addKeys(serviceStateKeys(snapshot));
  }

  /** The pages (by name) whose state key changed, given every page's key now. */
  addKeys(keys: Map<string, string>): string[] {
    const revised: string[] = [];
    for (const [service, key] of keys) if (this.#keys.get(service) !== key) revised.push(service);
    this.#keys = keys;
    return revised.sort(compareText);
  }

  /** What `new RevisionTracker(state)` resumes from. */
  state(): [string, string][] {
    return [...this.#keys.entries()].sort((a, b) => compareText(a[0], b[0]));
  }
}

/** The revision in force on `date`: the latest of `dates` (sorted, oldest first) on or before it, or null. */
export function revisionOn(dates: readonly string[], date: string): string | null {
  let lo = 0;
  let hi = dates.length - 1;
  let found: string | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) {
      found = dates[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Service → its revision days, oldest first, from the ledger index. */
export function serviceRevisions(days: readonly Pick<DaySummary, 'date' | 'revised'>[]): Map<string, string[]> {
  return revisionDaysBy(days, (day) => day.revised);
}

/** Environment → its revision days, oldest first. */
export function environmentRevisions(days: readonly Pick<DaySummary, 'date' | 'revisedEnvironments'>[]): Map<string, string[]> {
  return revisionDaysBy(days, (day) => day.revisedEnvironments);
}

/** Compare pair (`pairKey`) → its revision days, oldest first. */
export function compareRevisions(days: readonly Pick<DaySummary, 'date' | 'revisedCompare'>[]): Map<string, string[]> {
  return revisionDaysBy(days, (day) => day.revisedCompare.map(([a, b]) => pairKey(a, b)));
}

function revisionDaysBy<D extends { date: string }>(days: readonly D[], revised: (day: D) => readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const day of days) {
    for (const name of revised(day)) {
      const held = out.get(name);
      if (held) held.push(day.date);
      else out.set(name, [day.date]);
    }
  }
  return out;
}

/** Where a link to an environment on `date` goes: its revision in force then, or the day page when it has none (not on that day's path). */
export function dayEnvironmentPath(revisions: ReadonlyMap<string, readonly string[]>, date: string, environment: string): string {
  const at = revisionOn(revisions.get(environment) ?? [], date);
  return at ? paths.dayEnvironment(at, environment) : paths.day(date);
}

/** Where a link to the compare page of `a` and `b` on `date` goes: the pair's revision in force then, or the day page. */
export function dayComparePath(revisions: ReadonlyMap<string, readonly string[]>, date: string, a: string, b: string): string {
  const at = revisionOn(revisions.get(pairKey(a, b)) ?? [], date);
  return at ? paths.compare(at, a, b) : paths.day(date);
}

/**
 * The last day a snapshot recorded each environment and each compare pair,
 * for those the newest no longer does (the 404 page resolves no further).
 */
export function environmentsThrough(index: Pick<LedgerIndex, 'days'>): { environments: Map<string, string>; compare: Map<string, string> } {
  const environments = new Map<string, string>();
  const compare = new Map<string, string>();
  const newest = index.days.at(-1);
  const nowEnvironments = new Set(newest?.environments ?? []);
  const nowPairs = new Set((newest ? comparePairs(newest.environments, newest.production) : []).map(([a, b]) => pairKey(a, b)));
  for (const day of index.days) {
    for (const e of day.environments) if (!nowEnvironments.has(e)) environments.set(e, day.date);
    for (const [a, b] of comparePairs(day.environments, day.production)) if (!nowPairs.has(pairKey(a, b))) compare.set(pairKey(a, b), day.date);
  }
  return { environments, compare };
}

/**
 * Where a link to `service` on `date` goes: the day page of its revision in
 * force then, or the day's matrix row when it has none (it is not in that
 * day's snapshot).
 */
export function dayServicePath(revisions: ReadonlyMap<string, readonly string[]>, date: string, service: string): string {
  const at = revisionOn(revisions.get(service) ?? [], date);
  return at ? paths.dayService(at, service) : `${paths.day(date)}#${rowAnchor(service)}`;
}

/**
 * The last day a snapshot recorded `service`, when it is no longer in the
 * newest one; null while it still is (its pages then hold up to the newest
 * day, which the 404 page knows).
 */
export function serviceThrough(index: Pick<LedgerIndex, 'days'>, service: string): string | null {
  const newest = index.days.at(-1);
  if (!newest || newest.services.includes(service)) return null;
  for (let i = index.days.length - 1; i >= 0; i--) if (index.days[i]!.services.includes(service)) return index.days[i]!.date;
  return null;
}
