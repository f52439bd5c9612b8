/**
 * What the audit pages show (docs/audit.md): the closed periods an auditor
 * can ask for, and every field of one change as labelled lines for its
 * printable page. The rows themselves come from src/export/population.ts.
 */
import type { ChangeRow } from '../export/population.ts';
import type { ApprovalRow } from './approvals.ts';
import { formatTime, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';

/** A calendar month (`2026-09`) or quarter (`2026-Q3`) whose population the ledger can no longer change. */
export interface AuditPeriod {
  name: string;
  kind: 'month' | 'quarter';
  /** First and last day, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  /** The first snapshot taken after the period: the ledger as it stood then is what the period's files are extracted from. */
  closingId: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The closed months and quarters that began on or after the first snapshot's
 * day, newest first. A period is closed once a snapshot was taken after its
 * last day (src/export/population.ts `snapshotsForPeriod`), so its files never
 * change; one that began before the ledger would hold only what was still
 * running when the ledger began, so it is not offered.
 */
export function closedPeriods(ids: readonly string[]): AuditPeriod[] {
  const first = ids[0];
  if (first === undefined) return [];
  const out: AuditPeriod[] = [];
  const closing = (to: string) => ids.find((id) => id > `${to}T235959Z`);
  let year = Number(first.slice(0, 4));
  let month = Number(first.slice(5, 7));
  const began = first.slice(0, 10);
  const add = (kind: AuditPeriod['kind'], name: string, from: string, to: string) => {
    const closingId = closing(to);
    if (closingId && from >= began) out.push({ name, kind, from, to, closingId });
    return closingId !== undefined;
  };
  for (;;) {
    const from = `${year}-${pad(month)}-01`;
    const to = `${year}-${pad(month)}-${pad(lastDay(year, month))}`;
    if (!add('month', `${year}-${pad(month)}`, from, to)) break;
    if (month % 3 === 0) add('quarter', `${year}-Q${month / 3}`, `${year}-${pad(month - 2)}-01`, to);
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
  return out.sort((a, b) => (a.to === b.to ? (a.kind === 'quarter' ? -1 : 1) : a.to < b.to ? 1 : -1));
}

/** The export file of a period, and its manifest beside it (what `export --check` expects). */
export function periodFiles(period: Pick<AuditPeriod, 'name'>): { csv: string; manifest: string } {
  const csv = `population-${period.name}.csv`;
  return { csv, manifest: `${csv}.manifest.json` };
}

/** One labelled line of a change page; `values` are shown as a list when there are several. */
export interface ChangeFact {
  label: string;
  values: string[];
  /** Where the single value links (an outside record); only http(s) links are kept by the page. */
  url?: string | null;
  /** Where each of several values links (an approval's record), by position; only http(s) links are kept by the page. */
  urls?: (string | null | undefined)[];
  /** Said when there are no values. */
  empty?: string;
  /** Short values shown on one line, separated (tickets, the promotion path), so a change fits one A4 page. */
  inline?: boolean;
}

export interface ChangeSection {
  title: string;
  facts: ChangeFact[];
}

const when = (at: string | null) => (at ? formatTime(at) : 'time not recorded');

/** Every field of a change, in sections an auditor reads in order: what shipped, who wrote and approved it, how it got there, what was found. */
/**
 * What else the change's page says beside its export row, from the approvals
 * table's own row for it (views/approvals.ts, the same decision): each
 * approval's record, comment, own-change mark and distance from the
 * deployment, the approvals counted against the requirement, and where the
 * previous environment's sighting came from. The environment and service
 * pages show a change in one compact row and link here for these.
 */
export interface ChangeContext {
  approval: ApprovalRow | null;
  /** The environment was production when the change was recorded: the change is in the audit population. */
  production: boolean;
}

export function changeSections(row: ChangeRow, context: ChangeContext = { approval: null, production: true }): ChangeSection[] {
  const prs = row.pullRequests;
  const a = context.approval;
  const approvalText = (x: { by: string; state: string; kind: string; at: string | null; timeFrom?: string | null }, relative: string, own: boolean, comment?: string) =>
    `${x.by} ${x.state} the ${x.kind === 'pull-request' ? 'pull request' : 'deployment'}${own ? ' (own change)' : ''}, ${when(x.at)} — ${relative}${x.timeFrom ? ` (time from ${x.timeFrom})` : ''}${comment ? ` “${comment}”` : ''}`;
  const approvals = a
    ? a.approvals.map((x) => approvalText(x, x.relative === null ? 'time not recorded' : x.relative.when === 'at' ? 'at the deployment' : `${x.relative.by} ${x.relative.when} the deployment`, x.own, x.comment))
    : row.approvals.map((x) => approvalText(x, x.when === 'undated' ? 'time not recorded' : x.when === 'at' ? 'at the deployment' : `${x.when} the deployment`, false));
  const previous = row.promotion.previous;
  const sighting = a?.previous ?? null;
  return [
    {
      title: 'What shipped',
      facts: [
        { label: 'Change id', values: [row.id] },
        { label: 'Service', values: [row.service] },
        { label: 'Environment', values: [context.production ? `${row.environment} (production)` : `${row.environment} (not production: approvals required, not in the audit population)`] },
        { label: 'Outcome', values: [row.outcome === 'deployed' ? 'deployed' : `${row.outcome} (in the population, marked)`] },
        { label: 'Status from the source', values: row.sourceStatus ? [row.sourceStatus] : [], empty: 'not reported' },
        { label: 'Version', values: [row.version] },
        { label: 'Commit', values: [row.commit] },
        { label: 'Artifact digest', values: row.artifact ? [row.artifact] : [], empty: 'not recorded' },
        { label: 'Ref', values: row.ref ? [row.ref] : [], empty: 'not recorded' },
        { label: 'Deployed at', values: [formatTime(row.deployedAt)] },
        { label: 'Deployed by', values: [`${row.deployedBy}${row.deployedByBot ? ' (a bot account)' : ''}`] },
        { label: 'Source', values: [row.source] },
        { label: 'Source record', values: row.url ? [row.url] : [], url: row.url, empty: 'no link recorded' },
      ],
    },
    {
      title: 'Who wrote and reviewed it',
      facts: [
        {
          label: 'Pull requests',
          values: (prs ?? []).map((p) => `#${p.number} ${p.title} — by ${p.author}; merged by ${p.mergedBy ?? 'not recorded'} ${p.mergedAt ? formatTime(p.mergedAt) : ''}; reviewed by ${p.reviewers.length > 0 ? p.reviewers.join(', ') : 'nobody recorded'}${p.branch ? `; branch ${p.branch}` : ''}`.replace(/ ;/g, ';')),
          empty: prs === null ? 'not recorded in the snapshot that recorded the deployment (it may predate the ledger)' : 'none recorded',
        },
        { label: 'Tickets', values: row.tickets, empty: 'none found', inline: true },
      ],
    },
    {
      title: 'Who approved it, and when',
      facts: [
        { label: 'Approvals', values: approvals, urls: a?.approvals.map((x) => x.url), empty: 'none' },
        ...(a ? [{ label: 'Approvals counted', values: [`${a.independent} of ${a.required} required, by someone other than the deployer (${a.deployedBy})`] }] : []),
        { label: 'Approval timing', values: [{ before: 'all before the deployment', after: 'only after the deployment', 'before-and-after': 'before and after the deployment', undated: 'some approval has no time', none: 'no approval' }[row.approvalTiming]] },
        { label: 'Approved after the deployment', values: row.approvedAfter, empty: 'none' },
        { label: 'Separation of duties', values: [`${row.separation.label} (${row.separation.status})`] },
        { label: 'Verdict', values: row.separation.verdict },
      ],
    },
    {
      title: 'How it got there',
      facts: [
        { label: 'Previous environment', values: row.promotion.previousEnvironment ? [row.promotion.previousEnvironment] : [], empty: 'none: the first environment on the path' },
        {
          label: 'First seen there',
          values: previous ? [`${previous.environment} ${formatTime(previous.at)}${sighting ? ` (${sighting.source}${sighting.snapshot ? `, snapshot ${sighting.snapshot}` : ''})` : ''}`] : [],
          empty: row.promotion.previousEnvironment ? 'never: it did not pass the previous environment' : '—',
        },
        { label: 'Promotion path', values: row.promotion.path.map((s) => `${s.environment} ${formatTime(s.at)} (${s.source})`), empty: 'not recorded', inline: true },
        { label: 'Emergency change', values: row.emergency.length > 0 ? row.emergency.map((e) => `${e.kind}: ${e.detail}`) : [], empty: 'no' },
      ],
    },
    {
      title: 'What was found, and where it is recorded',
      facts: [
        { label: 'Findings', values: row.findings.map((f) => `${f.id} (${f.severity}${f.exceptedUntil ? `, excepted until ${f.exceptedUntil}` : ''}): ${f.message}`), empty: 'none' },
        { label: 'First recorded in snapshot', values: [row.firstRecorded.snapshot] },
        { label: 'That snapshot\'s sha256', values: [row.firstRecorded.sha256] },
      ],
    },
  ];
}

/**
 * A period's population as a table, one row per change linking its evidence
 * page. A plain view function (views/html.ts): a quarter at 500 services is
 * thousands of rows.
 */
export function populationTableHtml(rows: readonly ChangeRow[], changeHref: (id: string) => string): Html {
  if (rows.length === 0) return html`<p>No change reached a production environment in this period.</p>`;
  return html`<div class="table-wrap"><table class="population"><thead><tr><th scope="col">Change</th><th scope="col">Deployed</th><th scope="col">Version</th><th scope="col">Approval</th><th scope="col">Separation</th><th scope="col">Emergency</th><th scope="col">Outcome</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr id="${r.id}"><td><a href="${changeHref(r.id)}">${r.service}</a> <span class="muted">${r.environment}</span><div class="muted mono change-id">${r.id}</div></td><td class="nowrap">${formatTime(r.deployedAt)}<div class="muted">by ${r.deployedBy}</div></td><td><span class="mono">${r.version}</span> <span class="muted mono">${shortCommit(r.commit)}</span></td><td>${r.approvalTiming === 'after' || r.approvalTiming === 'before-and-after' ? html`<strong>${r.approvalTiming}</strong>` : r.approvalTiming}</td><td><span class="badge appr-${r.separation.status}">${r.separation.label}</span></td><td>${r.emergency.length > 0 ? html`<strong>yes</strong>: ${r.emergency.map((e) => e.kind).join(', ')}` : 'no'}</td><td>${r.outcome === 'deployed' ? 'deployed' : html`<strong>${r.outcome}</strong>`}</td></tr>`,
  )}</tbody></table></div>`;
}
