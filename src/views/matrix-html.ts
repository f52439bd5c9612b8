/**
 * The environment × service matrix as HTML (components/Matrix.astro inserts
 * it). Each cell says its status in words and an icon, not only colour.
 */
import { formatTime, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';
import { rowAnchor } from './links.ts';
import { CELL_STATUS_LABEL, type Matrix, type MatrixCell } from './matrix.ts';

export interface MatrixLinks {
  /** The URL of an environment's page on the matrix's day. */
  environment: (name: string) => string;
  /** The URL of a service's page in force on the matrix's day. */
  service: (name: string) => string;
}

export function matrixHtml(matrix: Matrix, date: string, links: MatrixLinks): Html {
  return html`<div class="table-wrap"><table class="matrix"><caption class="muted">Version per service and environment on ${date}, as the day's last snapshot recorded it (UTC). ✓ the same build as the previous environment · → a different build, within the allowed days · ≠ drift (a different build for longer, a finding) · ⚠ deployed/declared/observed differ · ? evidence missing · – not deployed</caption><thead><tr><th scope="col">Service</th>${matrix.environments.map(
    (env) => html`<th scope="col"><a href="${links.environment(env.name)}">${env.name}</a>${env.production && html`<span class="muted"> (production)</span>`}</th>`,
  )}</tr></thead><tbody>${matrix.rows.map(
    (row) =>
      html`<tr id="${rowAnchor(row.service)}"${row.attention && html` class="attention"`}><th scope="row"><a href="${links.service(row.service)}">${row.service}</a>${row.kind === 'library' && html`<span class="muted"> (library)</span>`}${row.owner && html`<div class="muted">${row.owner}</div>`}</th>${row.cells.map(cellHtml)}</tr>`,
  )}</tbody></table></div>`;
}

/**
 * One cell in about 130 bytes at 3,000 cells a day page (issue 23): the
 * status as a class (`td.aligned`, styled in site.css), its mark and words for
 * screen readers, the version and the short commit. Who deployed it and when
 * are on the service's page one click away, so no title repeats them per cell.
 */
function cellHtml(cell: MatrixCell): Html {
  const label = CELL_STATUS_LABEL[cell.status];
  const deployed = cell.deployed;
  return html`<td class="${cell.status}"><b aria-hidden="true">${label.icon}</b>${deployed ? html`<code>${deployed.version}</code>` : html`<span class="muted">${cell.status === 'gap' ? 'unknown' : '—'}</span>`}<span class="sr"> (${label.text})</span>${
    deployed && html`<small>${deployed.declared ? 'declared' : shortCommit(deployed.commit)}</small>`
  }${
    cell.previousVersion &&
    html`<div>${cell.neighbour === 'drift' ? '≠' : '→'} previous env: <code>${cell.previousVersion}</code>${cell.driftSince !== null && html` since ${formatTime(cell.driftSince).slice(0, 10)}`}${cell.driftDays !== null && html` (${cell.driftDays} d)`}</div>`
  }${cell.differences.map((d) => html`<div>⚠ ${d}</div>`)}${cell.gaps.length > 0 && html`<div>? gap: ${cell.gaps.join(', ')}</div>`}${
    cell.openFindings > 0 && html`<div>${cell.openFindings} open finding${cell.openFindings === 1 ? '' : 's'}</div>`
  }</td>`;
}
