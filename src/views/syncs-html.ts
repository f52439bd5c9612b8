/**
 * The syncs a deploying tool still remembered (Argo CD keeps its last 10 per
 * application, docs/sources.md "argocd"), one table per service day: when each
 * finished, the revision, and who started it — a person, or the tool's own
 * auto-sync. The newest sync carried the recorded deployment, so it is marked
 * when the person who started it also approved that deployment.
 */
import { sameLogin } from '../model/approvals.ts';
import type { Snapshot } from '../model/index.ts';
import { formatTime, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';

export interface SyncRow {
  environment: string;
  production: boolean;
  id: number;
  revision: string;
  at: string;
  startedAt: string | null;
  by: string;
  /** The newest sync, started by someone who approved the deployment it carried. */
  byApprover: boolean;
}

/** The syncs of one service's deployments, environments in promotion order, newest sync first. */
export function syncRows(environments: Snapshot['environments'], deployments: readonly Snapshot['deployments'][number][]): SyncRow[] {
  const rows: SyncRow[] = [];
  for (const environment of environments) {
    const d = deployments.find((x) => x.environment === environment.name);
    const approvers = (d?.approvals ?? []).filter((a) => a.state === 'approved').map((a) => a.by);
    for (const [i, s] of (d?.syncs ?? []).entries()) {
      rows.push({
        environment: environment.name,
        production: environment.production,
        id: s.id,
        revision: s.revision,
        at: s.at,
        startedAt: s.startedAt ?? null,
        by: s.by,
        byApprover: i === 0 && approvers.some((a) => sameLogin(a, s.by)),
      });
    }
  }
  return rows;
}

export function syncsHtml(rows: readonly SyncRow[]): Html {
  if (rows.length === 0) return html``;
  return html`<h3>Syncs</h3><div class="table-wrap"><table><thead><tr><th scope="col">Environment</th><th scope="col">Sync</th><th scope="col">Revision</th><th scope="col">Finished</th><th scope="col">Started by</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.environment}${r.production && html`<strong> (production)</strong>`}</td><td>${r.id}</td><td><span class="mono hash">${shortCommit(r.revision)}</span></td><td>${formatTime(r.at)}${r.startedAt && html` <span class="muted">(started ${formatTime(r.startedAt)})</span>`}</td><td>${
        r.by === 'automated' ? html`<span class="muted">auto-sync</span>` : r.by
      }${r.byApprover && html` <strong>— also approved this deployment</strong>`}</td></tr>`,
  )}</tbody></table></div>`;
}
