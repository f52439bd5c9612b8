/**
 * Every URL of the site, built in one place so the documented URL scheme
 * (docs/site.md) and the pages cannot drift apart. Paths end in `/`
 * (`trailingSlash: 'always'`, `build.format: 'directory'`).
 */

/** Prefixes the site's base path (Astro `base`, `/` by default). */
export function withBase(base: string, path: string): string {
  const prefix = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${prefix}${path}`;
}

export const paths = {
  home: () => '/',
  day: (date: string) => `/days/${date}/`,
  /** Where the day after `date` is: a small page written again when that day arrives, so the day page itself never changes. */
  dayNext: (date: string) => `/days/${date}/next/`,
  dayService: (date: string, service: string) => `/days/${date}/services/${encodeURIComponent(service)}/`,
  dayEnvironment: (date: string, environment: string) => `/days/${date}/environments/${encodeURIComponent(environment)}/`,
  compare: (date: string, a: string, b: string) => `/days/${date}/compare/${encodeURIComponent(a)}${compareSeparator(a, b)}${encodeURIComponent(b)}/`,
  service: (service: string) => `/services/${encodeURIComponent(service)}/`,
  changes: () => '/changes/',
  changesIndex: () => '/changes/index.json',
  stats: () => '/stats/',
  snapshot: (id: string) => `/snapshots/${id}.json`,
  /** Every snapshot with both hashes (HTML), and a snapshot's row there. */
  snapshots: () => '/snapshots/',
  snapshotRow: (id: string) => `/snapshots/#${id}`,
  /** The same list as JSON, to fetch the chain from. */
  snapshotsIndex: () => '/snapshots/index.json',
  /** One production change's evidence, printable on A4 (docs/audit.md); the id is model/change-id.ts's. */
  change: (id: string) => `/changes/${encodeURIComponent(id)}/`,
  /** Closed audit periods, one's population table, and its files (the export and its manifest). */
  audit: () => '/audit/',
  auditPeriod: (period: string) => `/audit/${period}/`,
  auditFile: (period: string, file: string) => `/audit/${period}/${file}`,
};

/**
 * What joins the two names of a compare page's path: `A...B`, as GitHub's
 * compare URLs, whenever that is unambiguous. Names may contain dots
 * (NAME_PATTERN in model/config.ts) but start with a letter or digit, so when
 * neither name contains `...` the separator is the one `...` followed by a
 * letter or digit (`qa....prod` is `qa.` and `prod`). When one does
 * (`x...y`), `A...B` could be two different pairs, so that pair is `A/B`
 * (names never contain `/`, and an `A...B` path never has one): every pair
 * has its own page, and every existing `A...B` address stays where it was.
 */
export function compareSeparator(a: string, b: string): '...' | '/' {
  return a.includes('...') || b.includes('...') ? '/' : '...';
}

/** `#finding-…` anchor id for a finding id; keeps URL-safe characters, encodes the rest as `~XX`. */
export function findingAnchor(id: string): string {
  return `finding-${encodeAnchor(id)}`;
}

/** `#row-…` anchor id for a matrix row. */
export function rowAnchor(service: string): string {
  return `row-${encodeAnchor(service)}`;
}

function encodeAnchor(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/^[A-Za-z0-9._/-]$/.test(ch)) out += ch;
    else
      out += [...new TextEncoder().encode(ch)]
        .map((b) => `~${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}
