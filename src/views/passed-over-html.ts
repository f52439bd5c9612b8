/**
 * The "Deployments not taken as what runs" section of an environment's and a
 * service's day page (views/passed-over.ts `passedOverRows`): one compact
 * table in the pages' scroll wrapper, names from outside isolated and their
 * bidi overrides shown as escapes as in a finding's evidence
 * (evidence-html.ts `outside`). No records, no section: most pages have none
 * (issue 23 counts their bytes).
 */
import { outside } from './evidence-html.ts';
import { formatTime, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';
import type { PassedOverRow } from './passed-over.ts';
import { printable } from '../model/printable.ts';

/** `by`: the column that tells the rows apart (`environment` on a service's page, `service` on an environment's). `findingHref`: where a finding's id links. */
export function passedOverHtml(rows: readonly PassedOverRow[], by: 'environment' | 'service', findingHref: (id: string) => string): Html | null {
  if (rows.length === 0) return null;
  return html`<section aria-labelledby="passed-over"><h2 id="passed-over">Deployments not taken as what runs</h2><div class="table-wrap"><table><caption class="muted">Successful deployments the source recorded but did not take as what runs: a preview or a deployment around the policy; why, in the last column.</caption><thead><tr><th scope="col">Deployment</th><th scope="col">${by === 'environment' ? 'Environment' : 'Service'}</th><th scope="col">Ref and commit</th><th scope="col">Created</th><th scope="col">Why</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${deployment(r)}</td><td>${by === 'environment' ? r.environment : r.service}</td><td>${r.ref === null ? html`<span class="muted">ref unknown</span>` : html`${r.refType ?? 'ref'} ${outside(r.ref)}`} <span class="mono" title="${r.commit}">${shortCommit(r.commit)}</span></td><td>${formatTime(r.createdAt)} by ${outside(r.createdBy)}</td><td>${why(r)}${
        r.finding !== null ? html` · <a href="${findingHref(r.finding)}">finding</a>` : r.kind === 'outside-branch-policy' && html` · <span class="muted">no finding</span>`
      }</td></tr>`,
  )}</tbody></table></div></section>`;
}

function deployment(r: PassedOverRow): Html {
  const label = r.deploymentId ?? 'run';
  if (r.url) return html`<a href="${r.url}" rel="nofollow noopener">${label}</a>`;
  return r.deploymentId === null ? html`<span class="muted">no id</span>` : html`${r.deploymentId}`;
}

function why(r: PassedOverRow): Html {
  if (r.kind === 'transient-environment') return html`made for a transient environment`;
  return html`outside the deployment branch policy (${r.branchPolicy.length > 0 ? r.branchPolicy.map((p, i) => html`${i > 0 && ', '}<code>${printable(p)}</code>`) : html`<span class="muted">no patterns</span>`})`;
}
