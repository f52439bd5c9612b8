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
 * revises its service each night it stands.
 */
import { createHash } from 'node:crypto';
import type { Snapshot } from '../model/index.ts';
import type { DaySummary, LedgerIndex } from './history.ts';
import { blastRadius } from './answers.ts';
import { approvalRows, deployedBuildRows, protectionRows } from './approvals.ts';
import { compareText, groupByService } from './format.ts';
import { environmentGraph, neighbourhood } from './graph.ts';
import { paths, rowAnchor } from './links.ts';
import { buildMatrix } from './matrix.ts';

/** Per service, a short hash of everything its day page shows that is not the day itself. */
export function serviceStateKeys(snapshot: Snapshot): Map<string, string> {
  const matrix = buildMatrix(snapshot);
  // The page shows neither the drift's day count nor when the observed version was read (matrix-html.ts).
  const rows = new Map(matrix.rows.map((r) => [r.service, { ...r, cells: r.cells.map((c) => ({ ...c, driftDays: null, observed: c.observed && { version: c.observed.version, commit: c.observed.commit } })) }]));
  const findings = groupByService(snapshot.findings);
  const approvals = groupByService(approvalRows(snapshot));
  const configs = groupByService(snapshot.configs);
  const branches = groupByService(snapshot.branches);
  const deployments = groupByService(snapshot.deployments);
  const graphs = snapshot.environments.map((e) => ({ environment: e.name, model: environmentGraph(snapshot, e.name) }));
  const keys = new Map<string, string>();
  for (const service of snapshot.services) {
    const name = service.name;
    const state = {
      service,
      row: rows.get(name) ?? null,
      findings: findings.get(name) ?? [],
      // Who wrote the change comes from the change record of the night it arrived and is gone the next
      // night; it stays true of the same deployment, so the revision page keeps showing it (status and findings are keyed).
      approvals: (approvals.get(name) ?? []).map(({ pullRequests: _prs, authors: _authors, verdict: _verdict, ...rest }) => rest),
      builds: deployedBuildRows(snapshot.environments, deployments.get(name) ?? []),
      protection: protectionRows(snapshot.environments, deployments.get(name) ?? []),
      radius: blastRadius(snapshot, name),
      graphs: graphs.map((g) => ({ environment: g.environment, model: neighbourhood(g.model, name) })),
      configs: configs.get(name) ?? [],
      branches: branches.get(name) ?? [],
    };
    keys.set(name, createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 20));
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
    const keys = serviceStateKeys(snapshot);
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
  const out = new Map<string, string[]>();
  for (const day of days) {
    for (const service of day.revised) {
      const held = out.get(service);
      if (held) held.push(day.date);
      else out.set(service, [day.date]);
    }
  }
  return out;
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
