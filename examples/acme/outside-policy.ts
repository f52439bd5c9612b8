/**
 * The demo's deployment outside a branch policy (`deployment.outside-branch-policy`),
 * kept apart from the main simulation so additions merge simply: a preview
 * tool deploys a feature branch of ledger-service under GitHub's `production`
 * environment name. Production's custom branch policy (main, hotfix/*, v*
 * tags) does not allow the branch, so the ledger records the deployment as
 * passed over (docs/sources.md) and raises the finding until the next release
 * reaches prod; what runs there is unchanged throughout. generate.ts calls
 * `previewIncident` once when it places incidents and `addPreview` when it
 * builds ledger-service's GitHub timeline: the same pure choice both times.
 */
import type { ScenarioDeployment } from '../servers/github-server.ts';
import type { TimelineBranch } from './github-world.ts';
import type { DeployEvent, Incident } from './generate.ts';

export const PREVIEW = { service: 'ledger-service', after: '2026-10-01', branch: 'feature/LED-530-statement-preview', by: 'acme-preview[bot]', hoursAfter: 3 } as const;

const shift = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY_MS = 86_400_000;

/** The prod deployment the preview follows (the first after `PREVIEW.after` whose next prod deployment is two days or more later), and that next one. */
function choose(prod: readonly DeployEvent[]): { at: string; next: DeployEvent } {
  for (let i = 0; i < prod.length - 1; i++) {
    const event = prod[i]!;
    const next = prod[i + 1]!;
    if (event.at < `${PREVIEW.after}T00:00:00Z`) continue;
    if (Date.parse(next.at) - Date.parse(event.at) < 2 * DAY_MS) continue;
    return { at: shift(event.at, PREVIEW.hoursAfter * 60), next };
  }
  throw new Error(`demo: no ${PREVIEW.service} prod deployment after ${PREVIEW.after} with two quiet days after it`);
}

/** The incident: open from the night the preview is seen until the night the next release reaches prod. */
export function previewIncident(prod: readonly DeployEvent[], seenOn: (iso: string) => string): Incident {
  const { at, next } = choose(prod);
  return {
    rule: 'deployment.outside-branch-policy',
    service: PREVIEW.service,
    environment: 'prod',
    firesOn: seenOn(at),
    resolvedOn: seenOn(next.at),
    story: `a preview tool deploys ${PREVIEW.branch} under the production environment name, outside its branch policy; prod keeps running the release`,
  };
}

/** The feature branch and the preview's successful deployment to `production`, added to ledger-service's timeline. */
export function addPreview(prod: readonly DeployEvent[], repoId: number, mainAt: (at: string) => string, branches: TimelineBranch[], deployments: ScenarioDeployment[]): void {
  const { at, next } = choose(prod);
  const createdAt = shift(at, -4);
  const base = mainAt(shift(createdAt, -30));
  // Never deleted: a deployment whose branch is gone has no ref prefix, and an unknown ref passes nothing over (what-runs.ts).
  branches.push({ name: PREVIEW.branch, createdAt: shift(createdAt, -30), deletedAt: null, base, commits: [] });
  deployments.push({
    id: repoId * 100_000 + 99_001,
    sha: base,
    ref: PREVIEW.branch,
    environment: 'production',
    creator: PREVIEW.by,
    createdAt,
    payload: { tool: 'acme-preview' },
    statuses: [
      { state: 'in_progress', createdAt: shift(createdAt, 1) },
      { state: 'success', createdAt: at },
      { state: 'inactive', createdAt: next.at },
    ],
  });
}
