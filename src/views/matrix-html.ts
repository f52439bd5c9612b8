/**
 * The environment × service matrix as HTML (components/Matrix.astro inserts
 * it). Each cell says its status in words and an icon, not only colour; ✓
 * by its mark alone, which the caption explains.
 */
import type { DeployedBuildRow } from './approvals.ts';
import { formatTime, safeUrl, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';
import { rowAnchor } from './links.ts';
import { CELL_STATUS_LABEL, type CellStatus, type Matrix, type MatrixCell } from './matrix.ts';
import { refNamesVersion } from './tables-html.ts';

export interface MatrixLinks {
  /** The URL of an environment's page on the matrix's day. */
  environment: (name: string) => string;
  /** The URL of a service's page in force on the matrix's day. */
  service: (name: string) => string;
}

/** What each mark means, in the matrix's caption: all of them on a day page, only those shown on a service page. */
const LEGEND: Record<CellStatus, string> = {
  aligned: '✓ the same build as the previous environment',
  differs: '→ a different build, within the allowed days',
  drift: '≠ drift (a different build for longer, a finding)',
  mismatch: '⚠ deployed/declared/observed differ',
  gap: '? evidence missing',
  absent: '– not deployed',
};
const legend = (statuses: readonly CellStatus[]): string => (Object.keys(LEGEND) as CellStatus[]).filter((s) => statuses.includes(s)).map((s) => LEGEND[s]).join(' · ');

export function matrixHtml(matrix: Matrix, date: string, links: MatrixLinks): Html {
  return html`<div class="table-wrap"><table class="matrix"><caption class="muted">Version per service and environment on ${date}, as the day's last snapshot recorded it (UTC). ${legend(Object.keys(LEGEND) as CellStatus[]).replace(LEGEND.aligned, `${LEGEND.aligned} (its commit is given there)`)}</caption><thead><tr><th scope="col">Service</th>${matrix.environments.map(
    (env) => html`<th scope="col"><a href="${links.environment(env.name)}">${env.name}</a>${env.production && html`<span class="muted"> (production)</span>`}</th>`,
  )}</tr></thead><tbody>${matrix.rows.map(
    (row) =>
      html`<tr id="${rowAnchor(row.service)}"${row.attention && html` class="attention"`}><th scope="row"><a href="${links.service(row.service)}">${row.service}</a>${row.kind === 'library' && html`<span class="muted"> (library)</span>`}${row.owner && html`<div class="muted">${row.owner}</div>`}</th>${row.cells.map((c, i) => cellHtml(c, sameBuild(row.cells[i - 1], c)))}</tr>`,
  )}</tbody></table></div>`;
}

/**
 * Whether a cell runs the build of the column before it (✓, the same commit,
 * neither declared): its short commit is then said once, in that column
 * (issue 23), as the caption says.
 */
export function sameBuild(previous: MatrixCell | undefined, cell: MatrixCell): boolean {
  const [a, b] = [previous?.deployed, cell.deployed];
  return cell.status === 'aligned' && !!a && !!b && !a.declared && !b.declared && a.commit === b.commit;
}

/**
 * One cell in about 130 bytes at 3,000 cells a day page (issue 23), 70 when
 * ✓: the status as a class (none for ✓, styled in site.css), its mark and
 * words for screen readers, the version and the short commit. Who deployed it and when
 * are on the service's page one click away, so no title repeats them per cell.
 */
function cellHtml(cell: MatrixCell, commitShown = false): Html {
  const label = CELL_STATUS_LABEL[cell.status];
  const deployed = cell.deployed;
  // ✓ is most of 3,000 cells: no class (site.css `.matrix td:not([class])`), and its mark is read aloud as it is (the
  // caption says what it means), as on an environment page; every other status is a class and words for screen readers.
  if (cell.status === 'aligned') return html`<td><b>${label.icon}</b>${deployed ? html`<code>${deployed.version}</code>` : html`<span class="muted">—</span>`}${rest(cell, commitShown)}</td>`;
  return html`<td class="${cell.status}"><b aria-hidden="true">${label.icon}</b>${deployed ? html`<code>${deployed.version}</code>` : html`<span class="muted">${cell.status === 'gap' ? 'unknown' : '—'}</span>`}<span class="sr"> (${label.text})</span>${rest(cell, commitShown)}</td>`;
}

/** A cell after its mark and version: the short commit (unless shown beside), how it differs from the previous environment, what differs, gaps, findings. */
function rest(cell: MatrixCell, commitShown: boolean): Html {
  const deployed = cell.deployed;
  return html`${
    deployed && !commitShown && html`<small>${deployed.declared ? 'declared' : shortCommit(deployed.commit)}</small>`
  }${
    cell.previousVersion &&
    html`<div>${cell.neighbour === 'drift' ? '≠' : '→'} previous env: <code>${cell.previousVersion}</code>${cell.driftSince !== null && html` since ${formatTime(cell.driftSince).slice(0, 10)}`}${cell.driftDays !== null && html` (${cell.driftDays} d)`}</div>`
  }${cell.differences.map((d) => html`<div>⚠ ${d}</div>`)}${cell.gaps.length > 0 && html`<div>? gap: ${cell.gaps.join(', ')}</div>`}${
    cell.openFindings > 0 && html`<div>${cell.openFindings} open finding${cell.openFindings === 1 ? '' : 's'}</div>`
  }`;
}

/**
 * Where one service runs, one row an environment (a service revision page,
 * issue 23): its matrix cell (status, version, what differs), then the build's
 * full commit, its artifact digest and ref when recorded, and when, by whom
 * and from which source it was deployed, with a link to the record. Said
 * once: the matrix row and a table of the deployed builds repeated each other.
 * The legend names only the marks the page shows.
 */
export function serviceWhereHtml(cells: readonly MatrixCell[], environments: readonly { name: string; production: boolean }[], builds: readonly DeployedBuildRow[], environmentHref: (name: string) => string): Html {
  return html`<div class="table-wrap"><table class="matrix where"><caption class="muted">As the day's last snapshot recorded it (UTC). ${legend(cells.map((c) => c.status))}</caption><thead><tr><th scope="col">Environment</th><th scope="col">Version</th><th scope="col">Commit, artifact</th><th scope="col">Deployed</th></tr></thead><tbody>${cells.map((cell, i) => {
    const env = environments[i]!;
    const build = builds.find((b) => b.environment === cell.environment);
    // The cell's short commit is left out only where the next column shows the same commit in full.
    // Every other cell has a class: a classless cell of .matrix is a ✓ one (site.css).
    const same = build !== undefined && cell.deployed !== null && !cell.deployed.declared && cell.deployed.commit === build.commit;
    const record = build && safeUrl(build.url);
    return html`<tr><th scope="row"><a href="${environmentHref(env.name)}">${env.name}</a>${env.production && html`<span class="muted"> (production)</span>`}</th>${cellHtml(cell, same)}${
      build
        ? html`<td class="mono hash">${build.commit}${cell.deployed?.version !== build.version && html`<div>version ${build.version}</div>`}${build.artifact && html`<div>${build.artifact}</div>`}${build.ref && !refNamesVersion(build.ref, build.version) && html`<div class="muted">from ${build.ref}</div>`}</td><td class="when">${formatTime(build.deployedAt)} by ${build.deployedBy} <span class="muted">(${build.source})</span>${record && html` · <a href="${record}" rel="nofollow noopener">record</a>`}</td>`
        : html`<td colspan="2" class="muted">no deployment record</td>`
    }</tr>`;
  })}</tbody></table></div>`;
}
