/**
 * The site's route table: every URL the site writes, the output file it
 * becomes, and the render group that decides when an incremental build
 * writes it again (docs/site.md, "URL scheme"; docs/incremental-build.md).
 * Links (`paths` in links.ts), the incremental build's grouping of output
 * files (`groupOf`, src/site/incremental.ts) and what a build may skip
 * (`RenderOnly`, src/site/config.ts) are all read from here, so a new page
 * means an entry here, a view and a component.
 *
 * A route with a `group` is keyed: its files are rendered again only when the
 * group's content key changes (per day, per snapshot, per service). A route
 * without one is ledger-wide and rendered on every build.
 */

/** Render groups: what a keyed page's content depends on. */
export const RENDER_GROUPS = ['day', 'next', 'sub', 'compare', 'snapshots', 'services', 'audit', 'change'] as const;
export type RenderGroup = (typeof RENDER_GROUPS)[number];

interface Route<A extends unknown[]> {
  /** The URL path of one page of the route (ends in `/` for HTML pages). */
  path: (...args: A) => string;
  /** The render group and the output files of the route, the group's key captured first (`D` a date, `ID` a snapshot id). */
  group?: { name: RenderGroup; files: RegExp[] };
}

const route = <A extends unknown[]>(r: Route<A>): Route<A> => r;
const DAY = String.raw`(\d{4}-\d{2}-\d{2})`;
const days = (rest: string) => new RegExp(String.raw`^days\/${DAY}\/${rest}$`);
/** A month (`2026-09`) or quarter (`2026-Q3`): views/audit.ts `closedPeriods`. */
const auditFiles = (rest: string) => new RegExp(String.raw`^audit\/(\d{4}-(?:\d{2}|Q[1-4]))\/${rest}$`);
/** A change page, captured by its deployment day as the id writes it (`20260915`): src/site/audit-index.ts `changeGroupDay`. */
const CHANGE_PAGE = /^changes\/[^/]+\.(\d{8})T\d{6}Z\.[0-9a-f]{10}\/index\.html$/;

export const ROUTES = {
  home: route({ path: () => '/' }),
  day: route({ path: (date: string) => `/days/${date}/`, group: { name: 'day', files: [days('index\\.html')] } }),
  /** Where the day after `date` is: a small page written again when that day arrives, so the day page itself never changes. */
  dayNext: route({ path: (date: string) => `/days/${date}/next/`, group: { name: 'next', files: [days('next\\/index\\.html')] } }),
  dayService: route({
    path: (date: string, service: string) => `/days/${date}/services/${encodeURIComponent(service)}/`,
    group: { name: 'sub', files: [days('services\\/[^/]+\\/index\\.html')] },
  }),
  dayEnvironment: route({
    path: (date: string, environment: string) => `/days/${date}/environments/${encodeURIComponent(environment)}/`,
    group: { name: 'sub', files: [days('environments\\/[^/]+\\/index\\.html')] },
  }),
  compare: route({
    path: (date: string, a: string, b: string) => `/days/${date}/compare/${encodeURIComponent(a)}${compareSeparator(a, b)}${encodeURIComponent(b)}/`,
    // `A...B/` or, for names holding `...`, `A/B/`.
    group: { name: 'compare', files: [days('compare\\/.+\\/index\\.html')] },
  }),
  /** A service's cross-day pages: its history, its revisions list and its `/changes/` search detail. */
  service: route({
    path: (service: string) => `/services/${encodeURIComponent(service)}/`,
    group: { name: 'services', files: [/^services\/([^/]+)\/index\.html$/, /^services\/([^/]+)\/revisions\.json$/, /^changes\/services\/([^/]+)\.json$/] },
  }),
  /** Every environment's and compare pair's revision days, for the 404 page (views/revisions.ts). */
  environmentRevisions: route({ path: () => '/environments/revisions.json' }),
  changes: route({ path: () => '/changes/' }),
  changesIndex: route({ path: () => '/changes/index.json' }),
  stats: route({ path: () => '/stats/' }),
  /** Declared and found releases, and one release day by day (docs/releases.md). */
  releases: route({ path: () => '/releases/' }),
  release: route({ path: (name: string) => `/releases/${encodeURIComponent(name)}/` }),
  /**
   * A snapshot's published copy (config `site.snapshotCopies`; views/snapshots.ts `copyPath` decides, `none` has none):
   * `ID.json.gz`, a gzip of the ledger file, or `ID.json`, the file itself.
   */
  snapshot: route({
    path: (id: string, form: 'gzip' | 'json') => `/snapshots/${id}.json${form === 'gzip' ? '.gz' : ''}`,
    group: { name: 'snapshots', files: [/^snapshots\/(\d{4}-\d{2}-\d{2}T\d{6}Z)\.json(?:\.gz)?$/] },
  }),
  /** Every snapshot with both hashes (HTML), and a snapshot's row there. */
  snapshots: route({ path: () => '/snapshots/' }),
  snapshotRow: route({ path: (id: string) => `/snapshots/#${id}` }),
  /** The same list as JSON, to fetch the chain from. */
  snapshotsIndex: route({ path: () => '/snapshots/index.json' }),
  /**
   * One production change's evidence, printable on A4 (docs/audit.md); the id is model/change-id.ts's
   * (`service.env.YYYYMMDDTHHMMSSZ.hash`), keyed by its deployment day (src/site/audit-index.ts).
   */
  change: route({ path: (id: string) => `/changes/${encodeURIComponent(id)}/`, group: { name: 'change', files: [CHANGE_PAGE] } }),
  /** The closed audit periods; one period's population table and its files (the export and its manifest). */
  audit: route({ path: () => '/audit/' }),
  auditPeriod: route({ path: (period: string) => `/audit/${period}/`, group: { name: 'audit', files: [auditFiles('index\\.html')] } }),
  auditFile: route({ path: (period: string, file: string) => `/audit/${period}/${file}`, group: { name: 'audit', files: [auditFiles('population-[^/]+')] } }),
};

/** The URL builders of every route, by name. */
export type Paths = { [K in keyof typeof ROUTES]: (typeof ROUTES)[K]['path'] };

/**
 * The render group an output file (relative to the site folder, `/`-separated)
 * belongs to, as `GROUP/KEY`, or `always` for ledger-wide files.
 */
export function renderGroupOf(file: string): string {
  for (const r of Object.values(ROUTES) as Route<unknown[]>[]) {
    for (const pattern of r.group?.files ?? []) {
      const match = pattern.exec(file);
      if (match) return `${r.group!.name}/${match[1]}`;
    }
  }
  return 'always';
}

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
