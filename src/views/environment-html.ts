/**
 * An environment page's "Versions (against PREVIOUS)" table as HTML: the
 * matrix of two columns (views/revisions.ts `environmentMatrix`), in the
 * compact markup of a page that is re-rendered whenever one service in the
 * environment changes (issue 23). Each cell says its status in words for
 * screen readers and with an icon and colour on screen, as the day page's
 * matrix does (views/matrix-html.ts); the full commit and the deployer, which
 * the matrix keeps in a tooltip, are on the service's page and each change's
 * evidence page, so the cell shows the short commit and, in the environment's
 * own column, since when it runs; a ✓ there (the previous column's build) gives
 * its commit only in that column.
 */
import type { ApprovalRow } from './approvals.ts';
import { formatTime, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';
import { approvalVerdictHtml } from './tables-html.ts';
import { sameBuild, type MatrixLinks } from './matrix-html.ts';
import { CELL_STATUS_LABEL, type Matrix, type MatrixCell } from './matrix.ts';

/**
 * The approvals of an environment that is production or requires approvals
 * (views/approvals.ts `approvalRows`), in the same table: one row a service
 * answers what runs, since when and who approved it, and the version links
 * the change's evidence page for the rest (issue 23: one row, not two tables).
 */
export interface EnvironmentApprovals {
  rows: readonly ApprovalRow[];
  changeHref: (id: string) => string;
}

export function environmentVersionsTableHtml(matrix: Matrix, date: string, links: MatrixLinks, approvals?: EnvironmentApprovals): Html {
  const own = matrix.environments.length - 1;
  const byService = new Map<string, ApprovalRow[]>();
  for (const r of approvals?.rows ?? []) byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
  return html`<div class="table-wrap"><table class="vs${approvals ? ' appr' : ''}"><caption class="muted">Version per service on ${date}, as the day's last snapshot recorded it (UTC). ✓ the same build as the previous environment (its commit is given there) · → a different build, within the allowed days · ≠ drift (a different build for longer, a finding) · ⚠ deployed/declared/observed differ · ? evidence missing · – not deployed${
    approvals && html`. A version links its change's evidence page: pull requests, every approval with its time and record, the deployer, the promotion path and the verdict in full.`
  }</caption><thead><tr><th scope="col">Service</th>${matrix.environments.map(
    (env) => html`<th scope="col"><a href="${links.environment(env.name)}">${env.name}</a>${env.production && html` <span class="muted">(production)</span>`}</th>`,
  )}${approvals && html`<th scope="col" class="v">Separation <span class="muted">(approvals counted of required · deployment approvers)</span></th>`}</tr></thead><tbody>${matrix.rows.map((row) => {
    const rows = byService.get(row.service) ?? [];
    const running = row.cells[own]?.deployed;
    // The running deployment's change page is linked from its version (the same record: its commit and time, not
    // a declared state of the same build); any other row's from its own.
    const linked = approvals && running && !running.declared ? rows.find((r) => r.commit === running.commit && r.deployedAt === running.deployedAt) : undefined;
    const changeLink = (r: ApprovalRow) => html`<a href="${approvals!.changeHref(r.change)}">${r.version}</a> <small>${shortCommit(r.commit)}</small>: `;
    return html`<tr${row.attention && html` class="attention"`}><th scope="row"><a href="${links.service(row.service)}">${row.service}</a>${row.kind === 'library' && html` <small>(library)</small>`}${row.owner && html` <small>${row.owner}</small>`}</th>${row.cells.map((cell, i) =>
      cellHtml(cell, i === own, i === own && linked ? approvals!.changeHref(linked.change) : null, i === own && sameBuild(row.cells[i - 1], cell)),
    )}${approvals && html`<td class="v">${rows.length === 0 ? html`<small>—</small>` : rows.map((r, i) => html`${i > 0 && html`<hr>`}${r !== linked && changeLink(r)}${approvalVerdictHtml(r)}`)}</td>`}</tr>`;
  })}</tbody></table></div>`;
}

/**
 * One cell. The icon is read aloud as it is ("check mark", "not equal to"…,
 * explained by the caption); a status other than ✓ also says its words to
 * screen readers. In the environment's own column the previous environment is
 * the column beside it, so only since when it differs is said there.
 */
function cellHtml(cell: MatrixCell, own: boolean, changeHref: string | null, commitBeside = false): Html {
  const label = CELL_STATUS_LABEL[cell.status];
  const d = cell.deployed;
  const since = cell.driftSince !== null && html` since ${formatTime(cell.driftSince).slice(0, 10)}`;
  // ✓ is most cells: a cell with no class is aligned (site.css `table.vs td:not([class])`), the others name their status.
  return html`<td${cell.status !== 'aligned' && html` class="s-${cell.status}"`}>${label.icon} ${d ? html`${changeHref ? html`<a href="${changeHref}">${d.version}</a>` : d.version}${!commitBeside && html` <small>${d.declared ? 'declared' : shortCommit(d.commit)}</small>`}` : html`<small>${cell.status === 'gap' ? 'unknown' : '—'}</small>`}${cell.status !== 'aligned' && html`<span class="sr"> (${label.text})</span>`}${
    own && d && html` <small>since ${formatTime(d.deployedAt).slice(0, 10)}</small>`
  }${cell.previousVersion && (own ? html`<div>${cell.neighbour === 'drift' ? '≠ drift' : '→ differs'}${since}</div>` : html`<div>${cell.neighbour === 'drift' ? '≠' : '→'} previous env: ${cell.previousVersion}${since}</div>`)}${cell.differences.map((x) => html`<div>⚠ ${x}</div>`)}${
    cell.gaps.length > 0 && html`<div>? gap: ${cell.gaps.join(', ')}</div>`
  }${cell.openFindings > 0 && html`<div>${cell.openFindings} open finding${cell.openFindings === 1 ? '' : 's'}</div>`}</td>`;
}
