/**
 * argocd with `deployments: false`: another source (GitHub) keeps the
 * deployment record, and Argo CD's syncs — who started each — go to that
 * record, so the ledger keeps them beside the approvals; the service day page
 * lists them and marks a sync started by the deployment's own approver.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectArgoCd } from '../../collectors/argocd/source.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import type { ArgoCdSourceConfig, ConfigInput, Evidence } from '../../src/model/index.ts';
import { configSchema, emptyEvidence } from '../../src/model/index.ts';
import { syncRows, syncsHtml } from '../../src/views/syncs-html.ts';
import { application, startArgoServer, type ArgoServer } from '../helpers/argocd-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const SHA = (c: string) => c.repeat(40);

const apps = () => [
  application({
    name: 'payments-api-prod',
    destination: 'prod-eu',
    images: ['ghcr.io/acme/payments-api:2.4.1'],
    history: [
      { id: 11, revision: SHA('a'), deployedAt: '2026-03-10T09:00:00Z', by: 'automated' },
      { id: 12, revision: SHA('b'), deployedAt: '2026-03-12T10:05:00Z', startedAt: '2026-03-12T10:00:00Z', by: 'carol' },
    ],
  }),
  application({ name: 'payments-api-staging', destination: 'staging', images: ['ghcr.io/acme/payments-api:2.5.0'], history: [{ id: 3, revision: SHA('c'), deployedAt: '2026-03-13T08:00:00Z', by: 'automated' }] }),
];

const config = (baseUrl: string): ConfigInput => ({
  name: 'acme',
  environments: [{ name: 'staging' }, { name: 'prod', production: true }],
  sources: { github: { type: 'github' }, argo: { type: 'argocd', baseUrl, deployments: false, environments: { prod: 'prod-eu', staging: 'staging' } } },
  services: [{ name: 'payments-api', sources: ['github', 'argo'] }],
});

let server: ArgoServer | undefined;
afterEach(async () => server?.close());

describe('argocd syncs with deployments: false', () => {
  it('go to the deployment record another source keeps; syncs with no such record are a gap', async () => {
    server = await startArgoServer(apps(), { token: 'argo-token' });
    const input = config(server.origin);
    const argo = await collectArgoCd(sourceContext<ArgoCdSourceConfig>(input, 'argo', { env: { ARGOCD_TOKEN: 'argo-token' } }));
    expect(argo.deployments).toEqual([]);
    expect(argo.syncs.map((s) => [s.environment, s.syncs.map((x) => x.by)])).toEqual([
      ['prod', ['carol', 'automated']],
      ['staging', ['automated']],
    ]);
    // GitHub recorded the prod deployment only, approved by carol.
    const github: Evidence = {
      ...emptyEvidence(),
      deployments: [{ service: 'payments-api', environment: 'prod', version: '2.4.1', commit: SHA('b'), deployedAt: '2026-03-12T10:06:00Z', deployedBy: 'carol', source: 'github', approvals: [{ by: 'carol', at: '2026-03-12T09:58:00Z', state: 'approved', kind: 'deployment' }] }],
    };
    const snapshot = assembleSnapshot({
      config: configSchema.parse(input),
      outcomes: [
        { name: 'github', type: 'github', evidence: github },
        { name: 'argo', type: 'argocd', evidence: argo },
      ],
      id: '2026-03-13T223000Z',
      takenAt: '2026-03-13T22:30:00Z',
      previous: null,
      generator: { name: 'test', version: '0' },
      secretKey: null,
    });
    const prod = snapshot.deployments.find((d) => d.environment === 'prod')!;
    expect(prod.source).toBe('github');
    expect(prod.syncs?.map((s) => [s.id, s.by, s.startedAt ?? null])).toEqual([
      [12, 'carol', '2026-03-12T10:00:00Z'],
      [11, 'automated', null],
    ]);
    expect(snapshot.gaps.filter((g) => g.source === 'argo').map((g) => `${g.environment}: ${g.reason}`)).toEqual(['staging: its syncs have no deployment record from another source to go with; they were left out']);

    // The service day page: each sync with who started it; the newest marked when its starter approved the deployment.
    const rows = syncRows(snapshot.environments, snapshot.deployments);
    expect(rows.map((r) => [r.environment, r.id, r.by, r.byApprover])).toEqual([
      ['prod', 12, 'carol', true],
      ['prod', 11, 'automated', false],
    ]);
    const page = syncsHtml(rows).value;
    expect(page).toContain('carol <strong>— also approved this deployment</strong>');
    expect(page).toContain('auto-sync');
    expect(syncsHtml([]).value).toBe('');
  });
});
