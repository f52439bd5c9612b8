/**
 * The part of the static search that runs in the browser (site/search-client.ts):
 * the index's shape and the matcher. Kept apart from the build-time half
 * (search.ts) so the client bundle does not pull in the ledger's modules.
 */
import type { PrInterval, PrNow } from './history.ts';
import { compareText, formatTime } from './format.ts';

export interface SearchIndex {
  v: 1;
  /** The newest snapshot id: the index says where things are as of this snapshot. */
  asOf: string | null;
  environments: string[];
  services: string[];
  /** [service index, PR number, title, tickets, current environments (indexes into `environments`)]. */
  prs: [number, number, string, string[], number[]][];
  /** Releases and tickets several services share (views/releases.ts), as of `asOf`: name, services, state per environment; absent before releases existed. */
  releases?: { name: string; services: string[]; states: { environment: string; state: string }[]; page: boolean }[];
}

/** The release a query names (a ticket key or a release name, any case), for a line above the hits with every service's position. */
export function releaseFor(index: SearchIndex, query: string): NonNullable<SearchIndex['releases']>[number] | null {
  const q = query.trim().toUpperCase();
  return (q && index.releases?.find((r) => r.name.toUpperCase() === q)) || null;
}

export interface ServiceDetail {
  service: string;
  prs: Record<string, {
    title: string; author: string; mergedAt: string | null; url: string | null; environments: Record<string, PrInterval[]>; now: Record<string, PrNow>;
    /** Environment → the address (base path included) of the change page of the deployment its cell names (`prWhereDeployment`), where that deployment has one. */
    changes?: Record<string, string>;
  }>;
}

export interface SearchHit {
  service: string;
  number: number;
  title: string;
  tickets: string[];
  /** Environments it runs in now, in path order. */
  environments: string[];
}

/**
 * Matches `payments-api#123`, `#123`, `123`, a ticket key (`PAY-123`), a
 * service name, or words of a title (all must appear). At most `limit` hits,
 * in index order (service, then number).
 */
export function searchChanges(index: SearchIndex, query: string, limit = 50): SearchHit[] {
  const q = query.trim();
  if (!q) return [];
  const hit = (row: SearchIndex['prs'][number]): SearchHit => ({
    service: index.services[row[0]] ?? '?',
    number: row[1],
    title: row[2],
    tickets: row[3],
    environments: row[4].map((i) => index.environments[i] ?? '?'),
  });
  // `payments-api#123`, `#123` or `123`; a ticket key such as `PAY-99` has no `#` and is not a PR number.
  const pr = /^(?:([A-Za-z0-9][A-Za-z0-9._-]*)\s*#|#)?(\d+)$/.exec(q);
  let match: (row: SearchIndex['prs'][number]) => boolean;
  if (pr) {
    const number = Number(pr[2]);
    const service = pr[1];
    match = (row) => row[1] === number && (service === undefined || index.services[row[0]] === service);
  } else {
    const upper = q.toUpperCase();
    const words = q.toLowerCase().split(/\s+/);
    match = (row) =>
      row[3].some((t) => t.toUpperCase() === upper) ||
      index.services[row[0]] === q ||
      words.every((w) => row[2].toLowerCase().includes(w));
  }
  const out: SearchHit[] = [];
  for (const row of index.prs) {
    if (match(row)) out.push(hit(row));
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => compareText(a.service, b.service) || a.number - b.number);
}

/**
 * One cell of "where is my change" (docs/pull-requests.md), for the service
 * pages and the search alike: in the build running there (since when; "or
 * earlier" when the build before it there may have had it), taken out,
 * not in it, unknown and why, or not deployed there. `muted`: not a finding
 * about the pull request, only what the ledger lacks.
 */
export function prWhereText(now: PrNow | undefined, intervals: readonly PrInterval[] | undefined): { text: string; muted: boolean } {
  const last = intervals?.at(-1);
  if (!now) return { text: 'not deployed', muted: true };
  if (now.presence === 'in' && last && last.until === null) return { text: `✓ since ${formatTime(last.since)}${last.exact ? '' : ' or earlier'} (${last.version})`, muted: false };
  if (now.presence === 'unknown') return { text: `unknown (${now.why ?? 'no evidence'})`, muted: true };
  if (last?.until) return { text: `↩ removed ${formatTime(last.until)}`, muted: false };
  return { text: `✗ not in ${now.version}`, muted: false };
}

/**
 * The deployment a `prWhereText` cell names by its time: the one that brought
 * the pull request there ("✓ since"), or the one that took it out ("↩
 * removed"); none for the other cells.
 */
export function prWhereDeployment(now: PrNow | undefined, intervals: readonly PrInterval[] | undefined): { at: string; snapshot: string } | null {
  const last = intervals?.at(-1);
  if (!now || !last) return null;
  if (now.presence === 'in' && last.until === null) return { at: last.since, snapshot: last.snapshot };
  if (now.presence === 'unknown') return null;
  return last.until && last.untilSnapshot ? { at: last.until, snapshot: last.untilSnapshot } : null;
}
