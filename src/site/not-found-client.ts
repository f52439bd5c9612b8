/**
 * The 404 page's one job: a day's service page exists only on the service's
 * revision days (views/revisions.ts), so `/days/D/services/NAME/` typed or
 * linked from outside for another day is sent to the page in force on D,
 * read from `/services/NAME/revisions.json`. Without JavaScript the page
 * links the day and the service's history instead.
 */

/** The day and service of a `/days/D/services/NAME/` path under `base`, or null. */
export function parseDayServicePath(pathname: string, base: string): { date: string; service: string } | null {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  if (!pathname.startsWith(prefix)) return null;
  const match = /^days\/(\d{4}-\d{2}-\d{2})\/services\/([^/]+)\/?$/.exec(pathname.slice(prefix.length));
  if (!match) return null;
  try {
    return { date: match[1]!, service: decodeURIComponent(match[2]!) };
  } catch {
    return null;
  }
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

/** Runs on the 404 page. */
export async function resolveNotFound(location: Location, base: string, lastDay: string, show: (text: string) => void): Promise<void> {
  const wanted = parseDayServicePath(location.pathname, base);
  if (!wanted) return;
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const service = encodeURIComponent(wanted.service);
  try {
    const response = await fetch(`${prefix}services/${service}/revisions.json`);
    const target = response.ok ? pageInForce(await response.json(), wanted.date, lastDay) : null;
    if (target && target !== wanted.date) {
      location.replace(`${prefix}days/${target}/services/${service}/${location.hash}`);
      return;
    }
    show(`No snapshot recorded ${wanted.service} on ${wanted.date}.`);
  } catch {
    show(`Could not look up the pages of ${wanted.service}.`);
  }
}
