/**
 * The long tables of the day pages as HTML (the components insert it), for
 * the same reason as the matrix (views/html.ts): an environment page lists
 * every production approval, a day page every change, and a graph's table
 * every dependency edge — hundreds of rows at 500 services.
 */
import type { BlastRadiusDependent } from './answers.ts';
import { APPROVAL_STATUS_LABEL, type ApprovalEntry, type ApprovalRow, type DeployedBuildRow, type ProtectionRow } from './approvals.ts';
import { configChangeLabel, type DeploymentChange } from './changes.ts';
import type { ConfigKeyDiff, DeploymentState, ServiceEnvironmentDiff, UnknownRecord } from '../ledger/diff.ts';
import { serviceSet, serviceSetText, type PrBetween, type PrUnknownBetween, type UndeclaredGroup } from './compare.ts';
import { compareText, formatDuration, formatTime, plural, safeUrl, shortCommit } from './format.ts';
import type { PrEntry, VersionStretch } from './history.ts';
import { prWhereText } from './search-query.ts';
import type { GraphModel } from './graph.ts';
import { html, type Html } from './html.ts';
import { sameVersion } from '../model/build.ts';
import { findingAnchor, paths } from './links.ts';

/**
 * How dense an approvals table is. `full` (the day page: that day's arrivals,
 * read once) shows every field of a row. `service` and `environment` are the
 * compact rows of the pages re-rendered night after night (environment and
 * service revision pages): the row's name, its version, since when, the
 * verdict with the approvers and their count against the requirement, and one
 * link to the change's evidence page (`/changes/<id>/`), which holds the
 * rest (promotion path, approval times, records, verdict prose) and grows
 * with changes, not with days. A verdict other than ✓ and a failed promotion
 * are still said in the row, in the findings' words.
 */
export type ApprovalsDensity = 'full' | 'service' | 'environment';

/**
 * Separation of duties, one row per deployment to an environment that is
 * production or requires approvals: who wrote the change, who reviewed and
 * approved it (and when, against the deployment), who deployed it, and the
 * verdict in words with the findings that say it. A ✓ appears only where no
 * finding of the snapshot contradicts it.
 */
export function approvalsHtml(rows: readonly ApprovalRow[], changeHref: (id: string) => string = (id) => paths.change(id), density: ApprovalsDensity = 'full'): Html {
  if (rows.length === 0) return html`<p>No deployment to a production environment.</p>`;
  if (density !== 'full')
    return html`<div class="table-wrap"><table class="approvals ca"><thead><tr><th scope="col">${density === 'service' ? 'Service' : 'Environment'}</th><th scope="col">Version <span class="muted">(evidence), since (UTC)</span></th><th scope="col">Separation <span class="muted">(approvals counted of required · deployment approvers)</span></th></tr></thead><tbody>${rows.map((r) => compactApprovalRowHtml(r, changeHref, density))}</tbody></table></div>`;
  return html`<div class="table-wrap"><table class="approvals"><thead><tr><th scope="col" class="nowrap">Service</th><th scope="col" class="nowrap">Environment</th><th scope="col" class="nowrap">Version</th><th scope="col">Pull requests <span class="muted">(author, reviewers)</span></th><th scope="col" class="nowrap">Approvals</th><th scope="col" class="nowrap">Deployed</th><th scope="col" class="nowrap">Separation</th><th scope="col">Passed before</th></tr></thead><tbody>${rows.map((r) => approvalRowHtml(r, changeHref))}</tbody></table></div>`;
}

/** One compact row: the version links the change's evidence page, the verdict as `approvalVerdictHtml` says it. */
function compactApprovalRowHtml(r: ApprovalRow, changeHref: (id: string) => string, density: 'service' | 'environment'): Html {
  return html`<tr><th scope="row">${density === 'service' ? r.service : r.environment}</th><td><a href="${changeHref(r.change)}">${r.version}</a> <small>${shortCommit(r.commit)}</small><br>${formatTime(r.deployedAt).replace(/ UTC$/, '')}</td><td>${approvalVerdictHtml(r)}</td></tr>`;
}

/**
 * A compact row's verdict: the badge, approvals counted of required and the
 * deployment approvers. Where it is not ✓ separate (or nothing required), its
 * sentences and findings follow, and a promotion that did not pass the
 * previous environment is said too: what a reader must not miss, and rare.
 * Also the approval column of an environment page (views/environment-html.ts).
 */
export function approvalVerdictHtml(r: ApprovalRow): Html {
  const approvers = [...new Set(r.approvals.filter((a) => a.state === 'approved' && a.kind === 'deployment').map((a) => (a.own ? `⚠ ${a.by} (own change)` : a.by)))];
  const label = APPROVAL_STATUS_LABEL[r.status];
  const said = r.status !== 'met' && r.status !== 'none-required';
  const promotion =
    r.previousEnvironment === null
      ? null
      : r.bypass
        ? html`<div><strong>✗ bypassed ${r.previousEnvironment}</strong> <span class="muted">(${breakable(r.bypass)})</span></div>`
        : r.previous
          ? null
          : html`<div><strong>✗ never seen in ${r.previousEnvironment}</strong></div>`;
  return html`<span class="badge appr-${r.status}">${label.icon} ${label.text}</span> ${r.independent} of ${r.required}${approvers.length > 0 ? html` · ${approvers.join(', ')}` : html` · <span class="muted">no deployment approval</span>`}${
    said && r.verdict.map((v) => html`<div>${v.text}${v.finding && html` <span class="muted">(${breakable(v.finding)}${v.exceptedUntil && `, excepted until ${v.exceptedUntil}`})</span>`}</div>`)
  }${promotion}`;
}

/** A finding id may go to a new line after each `/` (it has no spaces; a phone's column is narrower than the longest). */
const breakable = (id: string): Html => html`${id.split('/').map((part, i) => html`${i > 0 && html`/<wbr>`}${part}`)}`;

const APPROVAL_STATE = { approved: 'approved', rejected: 'rejected', commented: 'commented' } as const;

function approvalRowHtml(r: ApprovalRow, changeHref: (id: string) => string): Html {
  const record = safeUrl(r.url);
  const label = APPROVAL_STATUS_LABEL[r.status];
  // Marks of approval only where the row is separate: elsewhere the state is said in words.
  const mark = (a: ApprovalEntry) => (a.state === 'approved' ? (r.status === 'met' && !a.own ? '✓ ' : a.own ? '⚠ ' : '') : a.state === 'rejected' ? '✗ ' : '');
  const approvals =
    r.approvals.length === 0
      ? html`<span class="muted">none</span>`
      : html`<ul>${r.approvals.map((a) => {
          const link = safeUrl(a.url);
          const when = a.at
            ? html`${formatTime(a.at)}${a.relative && html`, <strong>${a.relative.when === 'at' ? 'at the deployment' : `${a.relative.by} ${a.relative.when} the deployment`}</strong>`}${a.timeFrom && html` <span class="muted">(time from ${a.timeFrom})</span>`}`
            : html`time not recorded`;
          return html`<li>${mark(a)}${a.by} ${APPROVAL_STATE[a.state]} ${a.kind === 'pull-request' ? 'the pull request' : 'the deployment'}${a.own && html` <strong>(own change)</strong>`} <span class="muted">(${when})</span>${link && html` <a href="${link}" rel="nofollow noopener">record</a>`}${a.comment && html`<div class="muted">“${a.comment}”</div>`}</li>`;
        })}</ul>`;
  const prs =
    r.pullRequests === null
      ? html`<span class="muted">not recorded in this snapshot</span>`
      : r.pullRequests.length === 0
        ? html`<span class="muted">none recorded</span>`
        : html`<ul>${r.pullRequests.map((pr) => {
            const link = safeUrl(pr.url);
            return html`<li>${link ? html`<a href="${link}" rel="nofollow noopener">#${pr.number}</a>` : `#${pr.number}`} by ${pr.author}${pr.reviewers.length > 0 ? html`, reviewed by ${pr.reviewers.join(', ')}` : html`, <span class="muted">no reviewer recorded</span>`}</li>`;
          })}</ul>`;
  const verdict = html`<ul class="verdict">${r.verdict.map(
    (v) =>
      html`<li>${v.text}${v.finding && html` <a href="#${findingAnchor(v.finding)}">finding</a>`}${v.exceptedUntil && html` <span class="muted">(excepted until ${v.exceptedUntil})</span>`}</li>`,
  )}</ul>`;
  const passed =
    r.previousEnvironment === null
      ? html`<span class="muted">first environment</span>`
      : r.bypass
        ? html`<strong>✗ bypassed ${r.previousEnvironment}</strong> <a href="#${findingAnchor(r.bypass)}">finding</a>${r.previous && html`<div class="muted">first seen in ${r.previous.environment} ${formatTime(r.previous.at)}</div>`}`
        : r.previous
          ? html`✓ in ${r.previous.environment} since ${formatTime(r.previous.at)} <span class="muted">(${r.previous.source}${r.previous.snapshot ? `, snapshot ${r.previous.snapshot}` : ''})</span>`
          : html`<strong>✗ never seen in ${r.previousEnvironment}</strong>`;
  return html`<tr class="${`appr-row-${r.status}`}"><td class="name">${r.service}</td><td class="name">${r.environment}</td><td><span class="mono">${r.version}</span> <span class="muted mono">${shortCommit(r.commit)}</span></td><td>${prs}</td><td>${approvals}</td><td>${formatTime(r.deployedAt)} by ${r.deployedBy}${record && html` · <a href="${record}" rel="nofollow noopener">record</a>`} · <a href="${changeHref(r.change)}" class="change-link">evidence</a></td><td><span class="badge appr-${r.status}"><span aria-hidden="true">${label.icon}</span> ${label.text}</span> <span class="muted">${r.independent}/${r.required} required</span>${verdict}</td><td>${passed}${
    r.path.length > 0 && html`<details><summary>Path</summary><ol>${r.path.map((s) => html`<li>${s.environment}: ${formatTime(s.at)} <span class="muted">(${s.source})</span></li>`)}</ol></details>`
  }</td></tr>`;
}

/** Each environment's deployment protection (required reviewers, self-review, wait timer, branches); nothing when no source recorded any. */
export function protectionHtml(rows: readonly ProtectionRow[]): Html {
  if (rows.length === 0) return html``;
  const branches = (policy: string) =>
    policy === 'all' ? html`<strong>any branch</strong>` : policy === 'protected' ? 'protected branches' : policy.startsWith('custom: ') ? html`<code>${policy.slice('custom: '.length)}</code>` : html`custom rules <span class="muted">(not read)</span>`;
  return html`<h3>Deployment protection</h3><div class="table-wrap"><table><thead><tr><th scope="col">Environment</th><th scope="col">Required reviewers</th><th scope="col">Deployer may approve</th><th scope="col">Wait</th><th scope="col">May deploy from</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.environment}</td><td>${r.requiredReviewers.length === 0 ? html`<strong>none</strong>` : r.requiredReviewers.join(', ')}</td><td>${r.preventSelfReview ? 'no' : html`<strong>yes</strong>`}</td><td>${r.waitTimerMinutes > 0 ? `${r.waitTimerMinutes} min` : html`<span class="muted">none</span>`}</td><td>${branches(r.branchPolicy)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** Whether a ref only repeats the version label (`refs/tags/v1.2.0` for `1.2.0`), so the table need not show it. */
export const refNamesVersion = (ref: string, version: string): boolean => sameVersion(ref.replace(/^refs\/(?:tags|heads)\//, ''), version);

/**
 * Deployments that changed since the previous day, with the pull requests and
 * tickets they brought. `serviceHref` links a service on the page's day. On a
 * page of one service or one environment (`of`), that column would say the
 * same on every row, so it is left out (issue 23).
 */
export function changesHtml(changes: readonly DeploymentChange[], serviceHref: (service: string) => string, of?: 'service' | 'environment'): Html {
  if (changes.length === 0) return html`<p>No deployment changed since the previous day.</p>`;
  return html`<div class="table-wrap"><table><thead><tr>${of !== 'environment' && html`<th scope="col">Environment</th>`}${of !== 'service' && html`<th scope="col">Service</th>`}<th scope="col">From</th><th scope="col">To</th><th scope="col">Deployed</th><th scope="col">Pull requests</th><th scope="col">Tickets</th></tr></thead><tbody>${changes.map((c) => {
    const record = safeUrl(c.url);
    const prs =
      c.pullRequests.length === 0
        ? html`<span class="muted">none recorded</span>`
        : html`<ul>${c.pullRequests.map((pr) => {
            const link = safeUrl(pr.url);
            return html`<li>${link ? html`<a href="${link}" rel="nofollow noopener">#${pr.number}</a>` : `#${pr.number}`} ${pr.title} <span class="muted">by ${pr.author}${pr.mergedBy && html`, merged by ${pr.mergedBy}`}${pr.reviewers.length > 0 && html`, reviewed by ${pr.reviewers.join(', ')}`}</span></li>`;
          })}</ul>`;
    return html`<tr>${of !== 'environment' && html`<td>${c.environment}${c.production && html`<strong> (production)</strong>`}</td>`}${of !== 'service' && html`<td><a href="${serviceHref(c.service)}">${c.service}</a></td>`}<td>${
      c.from ? html`<span class="mono">${c.from.version}</span> <span class="muted mono">${shortCommit(c.from.commit)}</span>` : html`<span class="muted">new</span>`
    }${c.comparedWith && html`<div class="muted">as of ${c.comparedWith}, the last snapshot that knew it</div>`}</td><td>${c.to ? html`<span class="mono">${c.to.version}</span> <span class="muted mono">${shortCommit(c.to.commit)}</span>` : html`<span class="muted">removed</span>`}${c.change === 'redeployed' && html`<span class="muted"> (redeployed)</span>`}</td><td>${
      c.to ? html`${formatTime(c.to.deployedAt)} by ${c.to.deployedBy}${record && html` · <a href="${record}" rel="nofollow noopener">record</a>`}` : '—'
    }</td><td>${prs}</td><td>${c.tickets.join(', ') || '—'}</td></tr>`;
  })}</tbody></table></div>`;
}

/** Records a source gave no evidence for on one side of a day: unknown there, so neither removed nor new. */
export function unknownRecordsHtml(unknown: readonly UnknownRecord[]): Html {
  if (unknown.length === 0) return html``;
  return html`<h3>Unknown: a source gave no evidence <span class="muted">(${unknown.length}, not counted as changes)</span></h3><div class="table-wrap"><table><thead><tr><th scope="col">Service</th><th scope="col">Environment</th><th scope="col">What</th><th scope="col">Known</th><th scope="col">Unknown in</th></tr></thead><tbody>${unknown.map(
    (u) => html`<tr><td>${u.service}</td><td>${u.environment}</td><td>${u.evidence === 'deployment' ? 'deployment' : 'config'} from ${u.source}</td><td>${u.known}</td><td>${u.hiddenIn}: <span class="muted">${u.reason}</span></td></tr>`,
  )}</tbody></table></div>`;
}

const EDGE_STATUS = { ok: '✓ met', incompatible: '✗ incompatible', unknown: '? unknown' } as const;

/** A dependency graph's edges as a table (the graph without JavaScript). `serviceHref` links services; null for team summaries. */
export function graphEdgesHtml(model: GraphModel, summary: boolean, serviceHref: ((service: string) => string) | null): Html {
  if (model.edges.length === 0) return html`<p class="muted">No dependencies declared.</p>`;
  const name = (service: string) => (serviceHref && !summary ? html`<a href="${serviceHref(service)}">${service}</a>` : service);
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">From</th><th scope="col">To</th>${
    summary ? html`<th scope="col">Dependencies</th>` : html`<th scope="col">Accepted range</th><th scope="col">Running in ${model.environment}</th>`
  }<th scope="col">Status</th></tr></thead><tbody>${model.edges.map(
    (e) =>
      html`<tr${e.status === 'incompatible' && html` class="edge-incompatible"`}><td>${name(e.from)}</td><td>${name(e.to)}</td>${
        summary ? html`<td>${e.count} (${e.incompatibleCount ?? 0} incompatible)</td>` : html`<td><code>${e.range}</code></td><td>${e.running ?? '—'}</td>`
      }<td>${EDGE_STATUS[e.status]}</td></tr>`,
  )}</tbody></table></div>`;
}

/** A service's blast radius in one environment: who depends on it, how, and whether their ranges are met (hundreds for a shared library). */
export function blastRadiusHtml(dependents: readonly BlastRadiusDependent[]): Html {
  if (dependents.length === 0) return html`nothing depends on it here`;
  return html`${dependents.map(
    (d, i) =>
      html`${i > 0 && ', '}${d.service}${d.unknown && html`<span class="muted"> (deployment unknown: evidence missing)</span>`}${d.depth > 1 && html`<span class="muted"> (via ${d.via})</span>`}${d.satisfied === false && html`<strong> ✗ range ${d.range} not met</strong>`}`,
  )}`;
}

/**
 * How many pull requests a compare page names per service and side, newest
 * first; the service's history lists them all. Three: which one a build
 * stops at and what came just before it (issue 23: the lists grow with
 * history and were a third of a compare page).
 */
export const PULL_REQUESTS_NAMED = 3;

/**
 * Unknown pull requests named per service and side on a compare page: they
 * pile up with history (everything merged before the ledger began), and what
 * matters is that they are unknown and how many; the service's history lists
 * them all (issue 23: at three years they were half of a compare page).
 */
export const UNKNOWN_PULL_REQUESTS_NAMED = 2;

/**
 * Rows grouped under a header row each (`<tbody>` with a `rowgroup` header):
 * what every row of a group shares ("only in qa") is said once, not in a
 * column of its own on each row (issue 23). `columns`: the table's columns.
 */
function groupedRows<T>(groups: Map<string, T[]>, columns: number, row: (item: T) => Html): Html {
  return html`${[...groups].map(([label, items]) => html`<tbody><tr><th colspan="${String(columns)}" scope="rowgroup">${label}</th></tr>${items.map(row)}</tbody>`)}`;
}

/** A service's row of pull requests: how many, the newest few by number, and a link to its history for the rest. */
function pullRequestRow(list: readonly { service: string; number: number; title: string; url: string | undefined; tickets: string[] }[], named: number, historyHref: (service: string) => string, withTickets: boolean): Html {
  const newest = [...list].sort((x, y) => y.number - x.number).slice(0, named);
  const more = list.length - newest.length;
  const { service } = list[0]!;
  return html`<tr><td>${service}</td><td>${list.length}</td><td><ul>${newest.map((pr) => {
    const link = safeUrl(pr.url);
    // A ticket the title already names (`PAY-12 fix rounding`) is not said twice.
    const tickets = withTickets ? pr.tickets.filter((t) => !pr.title.includes(t)) : [];
    return html`<li>${link ? html`<a href="${link}" rel="nofollow noopener">#${pr.number}</a>` : `#${pr.number}`} ${pr.title}${tickets.length > 0 && html` <span class="muted">(${tickets.join(', ')})</span>`}</li>`;
  })}</ul>${more > 0 && html`<a href="${historyHref(service)}">${more} more in its history</a>`}</td></tr>`;
}

/** Groups by `label` (in the order the input first has each), each group's items by service, sorted by service name. */
function byLabelAndService<T extends { service: string }>(items: readonly T[], label: (item: T) => string): Map<string, T[][]> {
  const out = new Map<string, Map<string, T[]>>();
  for (const item of items) {
    const name = label(item);
    const group = out.get(name) ?? out.set(name, new Map()).get(name)!;
    const held = group.get(item.service);
    if (held) held.push(item);
    else group.set(item.service, [item]);
  }
  return new Map([...out].map(([k, g]) => [k, [...g.values()].sort((x, y) => compareText(x[0]!.service, y[0]!.service))]));
}

/**
 * The pull requests in one environment but not the other: a group per side
 * ("Only in qa"), a row per service: how many, the newest few by number, and
 * a link to the service's history for the rest. Listing each one made a late
 * compare page of the synthetic three-year ledger 23,000 rows (2.8 MB) and a
 * tenth of a second to render; what an auditor scans for is which services
 * are behind, and by how much.
 */
export function pullRequestsBetweenHtml(prs: readonly PrBetween[], a: string, b: string, historyHref: (service: string) => string): Html {
  if (prs.length === 0) return html`<p>None: no pull request is known to be in one build and not the other.</p>`;
  const sides = [...prs].sort((x, y) => compareText(x.in, y.in));
  const groups = byLabelAndService(sides, (pr) => `Only in ${pr.in === 'a' ? a : b}`);
  const labelled = new Map([...groups].map(([label, rows]) => [`${label}: ${plural(rows.reduce((n, r) => n + r.length, 0), 'pull request')} in ${plural(rows.length, 'service')}`, rows]));
  return html`<div class="table-wrap"><table class="prs"><thead><tr><th scope="col">Service</th><th scope="col">Pull requests</th><th scope="col">Newest</th></tr></thead>${groupedRows(labelled, 3, (list) => pullRequestRow(list, PULL_REQUESTS_NAMED, historyHref, true))}</table></div>`;
}

/**
 * Config keys that differ between two environments without being declared
 * environment-specific, one row per key and value pair naming its services
 * (`groupUndeclared`); secrets never shown. `universe`: the snapshot's services.
 */
export function undeclaredConfigHtml(groups: readonly UndeclaredGroup[], a: string, b: string, universe: readonly string[]): Html {
  if (groups.length === 0) return html``;
  const value = (g: UndeclaredGroup, v: string | null) => (g.redacted ? '(redacted)' : (v ?? '(not set)'));
  const count = groups.reduce((n, g) => n + g.services.length, 0);
  return html`<h3>Not declared environment-specific <span class="muted">(${count} difference${count === 1 ? '' : 's'})</span></h3><div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">${a}</th><th scope="col">${b}</th><th scope="col">Status</th><th scope="col">Services</th></tr></thead><tbody>${groups.map(
    (g) =>
      html`<tr><td><code>${g.key}</code></td><td class="mono">${value(g, g.a)}</td><td class="mono">${value(g, g.b)}</td><td>${g.notComparable ? `not comparable (${g.notComparable})` : configChangeLabel('changed', g.redacted)}</td><td>${serviceSetText(serviceSet(g.services, universe))}</td></tr>`,
  )}</tbody></table></div>`;
}

/** A service's versions in one environment, newest first (its history page renders one per environment, every night it changes). */
export function versionStretchesHtml(stretches: readonly VersionStretch[], stillThere: boolean, dayHref: (date: string) => string): Html {
  if (stretches.length === 0) return html`<p class="muted">Never deployed here.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Commit</th><th scope="col">Deployed</th><th scope="col">Ran for</th><th scope="col">Recorded in</th></tr></thead><tbody>${stretches.map(
    (v) =>
      html`<tr${v.rollback && html` class="status-drift"`}><td class="mono">${v.version}${v.rollback && html`<strong> ↩ rollback</strong>`}</td><td class="mono">${shortCommit(v.commit)}</td><td>${formatTime(v.deployedAt)} by ${v.deployedBy}</td><td>${
        v.until ? formatDuration(Date.parse(v.until) - Date.parse(v.deployedAt)) : stillThere ? 'still running' : 'last recorded running'
      }</td><td><a href="${dayHref(v.snapshot.slice(0, 10))}">${v.snapshot.slice(0, 10)}</a></td></tr>`,
  )}</tbody></table></div>`;
}

/** A service's recent pull requests and where each is now, one column per environment: whether the build running there contains it (docs/pull-requests.md). */
export function pullRequestsWhereHtml(prs: readonly PrEntry[], environments: readonly string[], changeHref?: (pr: PrEntry, environment: string) => string | null): Html {
  if (prs.length === 0) return html`<p>None recorded.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Pull request</th><th scope="col">Merged</th>${environments.map((e) => html`<th scope="col">${e}</th>`)}</tr></thead><tbody>${prs.map((pr) => {
    const link = safeUrl(pr.url);
    return html`<tr><td>${link ? html`<a href="${link}" rel="nofollow noopener">#${pr.number}</a>` : `#${pr.number}`} ${pr.title}${pr.tickets.length > 0 && html`<span class="muted"> (${pr.tickets.join(', ')})</span>`}</td><td>${formatTime(pr.mergedAt)}</td>${environments.map((e) => html`<td>${prWhereCell(pr, e, changeHref)}</td>`)}</tr>`;
  })}</tbody></table></div>`;
}

/** One cell of "where is my change" (`prWhereText` decides its words), linking the change page of the deployment it names when there is one. */
function prWhereCell(pr: PrEntry, environment: string, changeHref?: (pr: PrEntry, environment: string) => string | null): Html | string {
  const { text, muted } = prWhereText(pr.now[environment], pr.environments[environment]);
  if (muted) return html`<span class="muted">${text}</span>`;
  const page = changeHref?.(pr, environment);
  return page ? html`<a href="${page}">${text}</a>` : text;
}

/** The pull requests whose presence on one side of a compare page is unknown: a group per side and reason, a row per service: how many, and the newest few. */
export function unknownPullRequestsHtml(prs: readonly PrUnknownBetween[], a: string, b: string, historyHref: (service: string) => string): Html {
  if (prs.length === 0) return html``;
  // A dozen labels for 7,000 pull requests a pair at three years: each made once, and the groups put in their
  // order after grouping (sorting the pull requests by label was most of the page's time).
  const labels = { a: new Map<PrUnknownBetween['why'], string>(), b: new Map<PrUnknownBetween['why'], string>(), both: new Map<PrUnknownBetween['why'], string>() };
  const label = (p: PrUnknownBetween) => {
    const side = p.a === 'unknown' ? (p.b === 'unknown' ? 'both' : 'a') : 'b';
    const held = labels[side].get(p.why);
    if (held !== undefined) return held;
    const made = `Unknown in ${side === 'both' ? `${a} and ${b}` : side === 'a' ? a : b} (${p.why})`;
    labels[side].set(p.why, made);
    return made;
  };
  const groups = new Map([...byLabelAndService(prs, label)].sort(([x], [y]) => compareText(x, y)));
  return html`<h3>Unknown: the ledger cannot tell <span class="muted">(${prs.length}, not counted as in one only)</span></h3><div class="table-wrap"><table class="prs"><thead><tr><th scope="col">Service</th><th scope="col">Pull requests</th><th scope="col">Newest</th></tr></thead>${groupedRows(groups, 3, (list) => pullRequestRow(list, UNKNOWN_PULL_REQUESTS_NAMED, historyHref, false))}</table></div>`;
}

/**
 * A compare page's versions: the services whose deployments differ between
 * environments `a` and `b` as a table, then the ones running the same build as
 * one line of names and versions (no row, link or anchor each: at 500
 * services they were most of the section). `serviceHref` links a differing
 * service's page as of the compared day; the day page's matrix links them all.
 */
export function environmentVersionsHtml(services: readonly ServiceEnvironmentDiff[], a: string, b: string, serviceHref: (service: string) => string): Html {
  const differing = services.filter((x) => x.status !== 'same');
  const same = services.filter((x) => x.status === 'same');
  // The version as text (the column is monospace: site.css `table.cmp`), the day it was deployed: its hour is on the service's page.
  const side = (d: DeploymentState | null) =>
    d ? html`${d.version} <small>${d.declared ? html`declared in <code>${d.declared.file}</code>` : shortCommit(d.commit)} · ${formatTime(d.deployedAt).slice(0, 10)}</small>` : '—';
  const table =
    differing.length === 0
      ? html`<p>✓ Every service runs the same build in both.</p>`
      : html`<div class="table-wrap"><table class="cmp"><thead><tr><th scope="col">Service</th><th scope="col">${a}</th><th scope="col">${b}</th><th scope="col">Differs</th></tr></thead><tbody>${differing.map((r) => {
          const status = r.status === 'different' ? (r.fields.length > 0 ? r.fields.join(', ') : 'different') : `only in ${r.status === 'only-a' ? a : b}`;
          return html`<tr><th scope="row"><a href="${serviceHref(r.service)}">${r.service}</a></th><td>${side(r.a)}</td><td>${side(r.b)}</td><td>${status}</td></tr>`;
        })}</tbody></table></div>`;
  const list = same.length > 0 && html`<h3>✓ The same build in both (${same.length})</h3><p class="same">${same.map((r, i) => html`${i > 0 && ', '}${r.service} (${r.a?.version})`)}</p>`;
  return html`${table}${list}`;
}

/** A day page's config changes since the previous day (secret values show as "(redacted)"). */
export function configChangesHtml(configs: readonly (ConfigKeyDiff & { label: string })[]): Html {
  if (configs.length === 0) return html``;
  const shown = (c: ConfigKeyDiff, value: string | null) => (c.redacted ? '(redacted)' : (value ?? '—'));
  return html`<h3>Config changes</h3><div class="table-wrap"><table><thead><tr><th scope="col">Service</th><th scope="col">Environment</th><th scope="col">Key</th><th scope="col">Change</th><th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>${configs.map(
    (c) => html`<tr><td>${c.service}</td><td>${c.environment}</td><td><code>${c.key}</code></td><td>${c.label}</td><td>${shown(c, c.from)}</td><td>${shown(c, c.to)}</td></tr>`,
  )}</tbody></table></div>`;
}
