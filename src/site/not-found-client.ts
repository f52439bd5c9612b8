/**
 * The 404 page's one job: a day's service, environment and compare pages
 * exist only on their revision days (views/revisions.ts), so
 * `/days/D/services/NAME/`, `/days/D/environments/NAME/` or
 * `/days/D/compare/A...B/` typed or linked from outside for another day is
 * sent to the page in force on D, read from `/services/NAME/revisions.json`
 * or `/environments/revisions.json`. Without JavaScript the page links the
 * day and the service's history instead.
 *
 * And a snapshot copy's old address (teams paste links into incident
 * reviews): `/snapshots/ID.json`, from before copies were published as gzip
 * (config `site.snapshotCopies`), is sent to `/snapshots/ID.json.gz` when that
 * exists, and the other way round; on a site that publishes no copies it says
 * where the evidence is.
 */

/** A day page that exists on revision days only: its kind, day, name (a pair as `A...B` or `A/B`) and path tail as typed. */
export interface DayPagePath {
  kind: 'services' | 'environments' | 'compare';
  date: string;
  name: string;
  /** The path after `days/D/`, as typed (still URL-encoded), without its trailing slash. */
  tail: string;
}

/** The kind, day and name of such a path under `base`, or null. */
export function parseDayPagePath(pathname: string, base: string): DayPagePath | null {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  if (!pathname.startsWith(prefix)) return null;
  const match = /^days\/(\d{4}-\d{2}-\d{2})\/((services|environments)\/([^/]+)|compare\/([^/]+)(?:\/([^/]+))?)\/?$/.exec(pathname.slice(prefix.length));
  if (!match) return null;
  try {
    const name = match[4] !== undefined ? decodeURIComponent(match[4]) : [match[5]!, ...(match[6] !== undefined ? [match[6]] : [])].map(decodeURIComponent).join('/');
    return { kind: (match[3] ?? 'compare') as DayPagePath['kind'], date: match[1]!, name, tail: match[2]! };
  } catch {
    return null;
  }
}

/** The day and service of a `/days/D/services/NAME/` path under `base`, or null. */
export function parseDayServicePath(pathname: string, base: string): { date: string; service: string } | null {
  const parsed = parseDayPagePath(pathname, base);
  return parsed?.kind === 'services' ? { date: parsed.date, service: parsed.name } : null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * From `revisions.json` (`{ days, through }`): the latest day page on or
 * before `date`, or null — also after `through`, or after `lastDay` (the
 * newest day of the ledger) when `through` is null.
 */
export function pageInForce(revisions: unknown, date: string, lastDay: string): string | null {
  if (typeof revisions !== 'object' || revisions === null) return null;
  const { days, through } = revisions as { days?: unknown; through?: unknown };
  const until = typeof through === 'string' ? through : through === null ? lastDay : null;
  if (!Array.isArray(days) || until === null || !DAY.test(until) || date > until) return null;
  let found: string | null = null;
  for (const d of days) if (typeof d === 'string' && DAY.test(d) && d <= date && (found === null || d > found)) found = d;
  return found;
}

/** The `{ days, through }` of one environment or pair in `/environments/revisions.json`, or null. */
export function environmentEntry(json: unknown, kind: 'environments' | 'compare', name: string): unknown {
  if (typeof json !== 'object' || json === null) return null;
  const group = (json as Record<string, unknown>)[kind];
  if (typeof group !== 'object' || group === null || !Object.hasOwn(group, name)) return null;
  return (group as Record<string, unknown>)[name];
}

/** The two environments of a pair as its path names it (`A...B`, or `A/B` when a name holds `...`: views/routes.ts `compareSeparator`), or null. */
export function pairNames(name: string): [string, string] | null {
  const match = name.includes('/') ? /^([^/]+)\/([^/]+)$/.exec(name) : /^(.+?)\.\.\.(?=[A-Za-z0-9])(.+)$/.exec(name);
  return match ? [match[1]!, match[2]!] : null;
}

/**
 * For a pair with no page in force on `date` whose two environments were
 * both recorded that day: the site renders only some pairs (views/compare.ts
 * `comparePairs`), and the CLI compares any (docs/cli.md, `diff`).
 */
export function unrenderedPairNote(json: unknown, name: string, date: string, lastDay: string): string | null {
  const pair = pairNames(name);
  if (!pair || !pair.every((e) => pageInForce(environmentEntry(json, 'environments', e), date, lastDay) !== null)) return null;
  const [a, b] = pair;
  return `This site has no page comparing ${a} and ${b}: it compares each environment with the next and with production. Any two compare in the ledger repository with: release-ledger diff ${a}@${date} ${b}@${date}`;
}

/** The snapshot id and form of a `/snapshots/ID.json` or `/snapshots/ID.json.gz` path under `base`, or null. */
export function parseSnapshotCopyPath(pathname: string, base: string): { id: string; gzip: boolean } | null {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  if (!pathname.startsWith(prefix)) return null;
  const match = /^snapshots\/(\d{4}-\d{2}-\d{2}T\d{6}Z)\.json(\.gz)?$/.exec(pathname.slice(prefix.length));
  return match ? { id: match[1]!, gzip: match[2] !== undefined } : null;
}

/**
 * A snapshot copy's address that is not this site's form: the one that is,
 * when the site has it (asked with HEAD, so nothing is downloaded), else a
 * sentence saying where the evidence is. `copies` is the site's
 * `site.snapshotCopies`.
 */
async function resolveSnapshotCopy(wanted: { id: string; gzip: boolean }, prefix: string, copies: string, location: Location, show: (text: string) => void): Promise<void> {
  const index = `${prefix}snapshots/#${wanted.id}`;
  if (copies === 'none') {
    show(`This site publishes no copies of the snapshots: ${wanted.id}.json is in the snapshots folder of the ledger repository this site is built from; its two sha256 values are listed on ${index}.`);
    return;
  }
  const target = `${prefix}snapshots/${wanted.id}.json${copies === 'gzip' ? '.gz' : ''}`;
  try {
    if (wanted.gzip !== (copies === 'gzip') && (await fetch(target, { method: 'HEAD' })).ok) {
      location.replace(target);
      return;
    }
    show(`No snapshot ${wanted.id} on this site; ${prefix}snapshots/ lists every one.`);
  } catch {
    show(`Could not look up snapshot ${wanted.id}; ${prefix}snapshots/ lists every one.`);
  }
}

/** Runs on the 404 page. */
export async function resolveNotFound(location: Location, base: string, lastDay: string, show: (text: string) => void, copies = 'gzip'): Promise<void> {
  const copy = parseSnapshotCopyPath(location.pathname, base);
  if (copy) return resolveSnapshotCopy(copy, base.endsWith('/') ? base : `${base}/`, copies, location, show);
  const wanted = parseDayPagePath(location.pathname, base);
  if (!wanted) return;
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const what = wanted.kind === 'compare' ? `the comparison ${wanted.name}` : wanted.name;
  try {
    let revisions: unknown = null;
    let json: unknown = null;
    if (wanted.kind === 'services') {
      const response = await fetch(`${prefix}services/${encodeURIComponent(wanted.name)}/revisions.json`);
      revisions = response.ok ? await response.json() : null;
    } else {
      const response = await fetch(`${prefix}environments/revisions.json`);
      json = response.ok ? await response.json() : null;
      revisions = environmentEntry(json, wanted.kind, wanted.name);
    }
    const target = pageInForce(revisions, wanted.date, lastDay);
    if (target && target !== wanted.date) {
      location.replace(`${prefix}days/${target}/${wanted.tail}/${location.hash}`);
      return;
    }
    show((wanted.kind === 'compare' && !target ? unrenderedPairNote(json, wanted.name, wanted.date, lastDay) : null) ?? `No snapshot recorded ${what} on ${wanted.date}.`);
  } catch {
    show(`Could not look up the pages of ${what}.`);
  }
}
