/**
 * Issue 23: the environment and service revision pages show each deployment
 * in one compact row (views/tables-html.ts `approvalsHtml` with a density)
 * linking the change's evidence page, which holds what the row stops showing
 * (views/audit.ts `changeSections` with its `ChangeContext`); and an
 * environment's versions in compact markup (views/environment-html.ts).
 */
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/export/population.ts';
import { changeId } from '../../src/model/change-id.ts';
import { changePagePeriod } from '../../src/site/audit-index.ts';
import { approvalRows, approvalsHtml, changeSections, environmentMatrix, environmentVersionsTableHtml, escapeHtml, paths } from '../../src/views/index.ts';
import { buildChange, buildDeployment, buildFinding, buildSnapshot } from '../helpers/snapshot-builder.ts';

const HOSTILE = `<img src=x onerror="alert('x')">&`;
const environments = [
  { name: 'qa', production: false, requiredApprovals: 0 },
  { name: 'staging', production: false, requiredApprovals: 1 },
  { name: 'prod', production: true, requiredApprovals: 0 },
];
const approved = (by: string, at: string | null, url?: string, comment?: string) => ({ by, at, state: 'approved' as const, kind: 'deployment' as const, ...(url ? { url } : {}), ...(comment ? { comment } : {}) });
const path = [
  { environment: 'qa', at: '2026-03-10T09:00:00Z', source: 'github' },
  { environment: 'staging', at: '2026-03-11T09:00:00Z', source: 'github', snapshot: '2026-03-12T020000Z' },
];
const promotion = { previousEnvironment: 'staging', previous: path[1]!, path };

function snapshot() {
  const deployments = [
    buildDeployment({ service: 'api', environment: 'qa', deployedAt: '2026-03-10T09:00:00Z' }),
    buildDeployment({ service: 'api', environment: 'staging', deployedAt: '2026-03-11T09:00:00Z', deployedBy: 'erin', approvals: [approved('bob', '2026-03-11T08:50:00Z')] }),
    buildDeployment({
      service: 'api',
      environment: 'prod',
      deployedAt: '2026-03-13T10:00:00Z',
      deployedBy: 'deploy-bot',
      url: 'https://github.example/acme/api/deployments/prod',
      approvals: [approved('carol', '2026-03-13T09:45:00Z', 'https://github.example/acme/api/actions/runs/9', `ship it ${HOSTILE}`)],
      promotion,
    }),
    // Self-approved, and bypassed staging: both findings stand.
    buildDeployment({ service: 'web', environment: 'prod', version: '2.0.0', deployedBy: 'dana', approvals: [approved('dana', '2026-03-13T09:00:00Z')], promotion: { previousEnvironment: 'staging', previous: null, path: [] } }),
    buildDeployment({ service: HOSTILE, environment: 'prod', version: HOSTILE, deployedBy: HOSTILE, approvals: [approved(HOSTILE, '2026-03-13T09:00:00Z')] }),
  ];
  return buildSnapshot({
    environments,
    deployments,
    changes: [buildChange({ service: 'api', environment: 'prod', version: '1.0.0', pullRequests: [{ number: 7, title: 'retry', author: 'dana', mergedBy: 'frank', mergedAt: '2026-03-09T10:00:00Z', reviewers: ['frank'], url: 'https://github.example/acme/api/pull/7' }] })],
    findings: [
      buildFinding({ rule: 'approval.self', service: 'web', environment: 'prod', severity: 'high' }),
      buildFinding({ id: 'promotion.bypass/web/prod/abc', rule: 'promotion.bypass', service: 'web', environment: 'prod', severity: 'high' }),
    ],
  });
}

const rowOf = (html: string, text: string) => {
  const rows = html.split('<tr>').filter((r) => r.includes(text));
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe('compact approvals rows', () => {
  const s = snapshot();
  const rows = approvalRows(s);
  const prod = rows.filter((r) => r.environment === 'prod');

  it('every row, production or an environment requiring approvals, has a change page', () => {
    expect(rows.map((r) => `${r.service}@${r.environment}`).sort()).toEqual([`${HOSTILE}@prod`, 'api@prod', 'api@staging', 'web@prod'].sort());
    for (const r of rows) expect(r.change).toBe(changeId(s.deployments.find((d) => d.service === r.service && d.environment === r.environment)!));
    // The change pages are the same population: the approvals tables' environments, production or not.
    expect(rowsOf(s, 'sha', changePagePeriod(s), new Set()).map((r) => r.id).sort()).toEqual(rows.map((r) => r.change).sort());
  });

  it('a separate row: version, short commit, since, the verdict in words with the approvers and their count, and one link, to its change page', () => {
    const out = approvalsHtml(prod, paths.change, 'service').value;
    const api = rowOf(out, '>api<');
    expect(api.match(/<a /g)).toHaveLength(1);
    expect(api).toContain(`<a href="${paths.change(prod.find((r) => r.service === 'api')!.change)}">1.0.0</a>`);
    expect(api).toContain(`<small>${s.deployments[2]!.commit.slice(0, 7)}</small><br>2026-03-13 10:00</td>`);
    expect(api).toContain('<span class="badge appr-met">✓ separate</span> 1 of 1 · carol');
    // What the change page holds instead: the record links, the times, the path, the verdict's prose.
    for (const gone of ['actions/runs/9', 'deployments/prod', '09:45', 'qa', 'approver ≠ deployer', 'ship it']) expect(api).not.toContain(gone);
    expect(out).not.toContain('Passed before');
  });

  it('a row its findings contradict carries no ✓ and says the findings in their words, and the bypass', () => {
    const web = rowOf(approvalsHtml(prod, paths.change, 'service').value, '>web<');
    expect(web).not.toContain('✓');
    expect(web).toContain('⚠ self-approved');
    expect(web).toContain('self-approved: dana approved their own change (deployed it and approved the deployment) <span class="muted">(approval.self/<wbr>web/<wbr>prod)</span>');
    expect(web).toContain('<strong>✗ bypassed staging</strong> <span class="muted">(promotion.bypass/<wbr>web/<wbr>prod/<wbr>abc)</span>');
    expect(web).toContain('⚠ dana (own change)');
  });

  it('escapes every outside string', () => {
    const out = approvalsHtml(prod, paths.change, 'service').value + approvalsHtml(prod, paths.change, 'environment').value;
    expect(out).not.toContain('<img');
    expect(out).toContain(escapeHtml(HOSTILE));
  });

  it('says when nobody approved the deployment, even where a pull request was approved', () => {
    const pr = { by: 'frank', at: null, state: 'approved' as const, kind: 'pull-request' as const };
    const lone = buildSnapshot({ environments, deployments: [buildDeployment({ service: 'api', environment: 'prod', approvals: [pr] })] });
    const out = approvalsHtml(approvalRows(lone), paths.change, 'service').value;
    expect(out).toContain('0 of 1 · <span class="muted">no deployment approval</span>');
    expect(out).not.toContain('✓');
  });

  it('names the environment instead of the service on a service page', () => {
    const out = approvalsHtml(rows.filter((r) => r.service === 'api'), paths.change, 'environment').value;
    expect(out).toContain('<th scope="col">Environment</th>');
    expect(rowOf(out, '>staging<')).toContain('1 of 1 · bob');
  });
});

describe('the change page holds what the compact row stops showing', () => {
  const s = snapshot();
  const approval = approvalRows(s).find((r) => r.service === 'api' && r.environment === 'prod')!;
  const row = rowsOf(s, 'f'.repeat(64), changePagePeriod(s), new Set()).find((r) => r.id === approval.change)!;
  const sections = changeSections(row, { approval, production: true });
  const fact = (label: string) => sections.flatMap((x) => x.facts).find((f) => f.label === label)!;

  it('approvers with times against the deployment, records and comments; the count; the deployer; the path; the verdict', () => {
    expect(fact('Approvals').values).toEqual([`carol approved the deployment, 2026-03-13 09:45 UTC — 15 min before the deployment “ship it ${HOSTILE}”`]);
    expect(fact('Approvals').urls).toEqual(['https://github.example/acme/api/actions/runs/9']);
    expect(fact('Approvals counted').values).toEqual(['1 of 1 required, by someone other than the deployer (deploy-bot)']);
    expect(fact('Deployed by').values).toEqual(['deploy-bot']);
    expect(fact('Deployed at').values).toEqual(['2026-03-13 10:00 UTC']);
    expect(fact('Source record').url).toBe('https://github.example/acme/api/deployments/prod');
    expect(fact('First seen there').values).toEqual(['staging 2026-03-11 09:00 UTC (github, snapshot 2026-03-12T020000Z)']);
    expect(fact('Promotion path').values).toEqual(['qa 2026-03-10 09:00 UTC (github)', 'staging 2026-03-11 09:00 UTC (github)']);
    expect(fact('Separation of duties').values).toEqual(['separate (met)']);
    expect(fact('Verdict').values).toEqual(['separate: author ≠ approver ≠ deployer']);
    expect(fact('Pull requests').values[0]).toContain('#7 retry — by dana; merged by frank');
    expect(fact('Environment').values).toEqual(['prod (production)']);
  });

  it('says when a change is not production: it has a page, and is not in the audit population', () => {
    const staging = approvalRows(s).find((r) => r.environment === 'staging')!;
    const stagingRow = rowsOf(s, 'f'.repeat(64), changePagePeriod(s), new Set()).find((r) => r.id === staging.change)!;
    const facts = changeSections(stagingRow, { approval: staging, production: false }).flatMap((x) => x.facts);
    expect(facts.find((f) => f.label === 'Environment')!.values).toEqual(['staging (not production: approvals required, not in the audit population)']);
    expect(facts.find((f) => f.label === 'Approvals counted')!.values).toEqual(['1 of 1 required, by someone other than the deployer (erin)']);
  });
});

describe('an environment page\'s versions table', () => {
  const s = snapshot();
  const links = { environment: (e: string) => `/env/${e}/`, service: (x: string) => `/svc/${encodeURIComponent(x)}/` };

  it('is compact: no tooltips, the status in words for screen readers where the icon is not ✓, since when in its own column, a ✓ build\'s commit once', () => {
    const out = environmentVersionsTableHtml(environmentMatrix(s, 'prod'), '2026-03-13', links).value;
    expect(out).not.toContain('title=');
    expect(out).not.toContain('<img');
    const api = rowOf(out, '>api<');
    // ✓: the same build as staging's, whose column gives the short commit; prod's says since when only.
    const commit = s.deployments[2]!.commit.slice(0, 7);
    // A ✓ cell carries no class: site.css colours a classless cell of table.vs as aligned; the others name their status.
    expect(api).toContain(`<td>✓ 1.0.0 <small>${commit}</small></td><td>✓ 1.0.0 <small>since 2026-03-13</small></td>`);
    expect(out).not.toContain('s-aligned');
    expect(rowOf(out, '>web<')).toContain('<td class="s-absent">');
    expect(out).toContain('✓ the same build as the previous environment (its commit is given there)');
    const web = rowOf(out, '>web<');
    expect(web).toContain('<span class="sr"> (not deployed)</span>');
  });
});

describe("an environment page's one table: what runs, since when, and who approved it", () => {
  const s = snapshot();
  const links = { environment: (e: string) => `/env/${e}/`, service: (x: string) => `/svc/${encodeURIComponent(x)}/` };
  const rows = approvalRows(s).filter((r) => r.environment === 'prod');
  const table = (approvals = { rows, changeHref: paths.change }) => environmentVersionsTableHtml(environmentMatrix(s, 'prod'), '2026-03-13', links, approvals).value;

  it('gives each service one row: the running version links its change page, the last column its verdict', () => {
    const out = table();
    expect(out).toContain('<th scope="col" class="v">Separation');
    const api = rowOf(out, '>api<');
    const change = rows.find((r) => r.service === 'api')!.change;
    expect(api.split(`href="${paths.change(change)}"`)).toHaveLength(2);
    expect(api).toContain('<td class="v"><span class="badge appr-met">✓ separate</span> 1 of 1 · carol</td></tr>');
    // One row a service of the matrix: no second table repeats them.
    expect(out.split('<tr>').filter((r) => r.includes('<th scope="row">'))).toHaveLength(environmentMatrix(s, 'prod').rows.length);
  });

  it("says a self-approved, bypassing deployment in words, with its findings, and no ✓ in its verdict", () => {
    const out = table();
    const web = rows.find((r) => r.service === 'web')!;
    const verdictCell = rowOf(out, '>web<').split('<td class="v">').at(-1)!;
    expect(verdictCell).not.toContain('✓');
    expect(verdictCell).toContain('self-approved');
    expect(verdictCell).toContain('✗ bypassed staging');
    expect(rowOf(out, '>web<').split(`href="${paths.change(web.change)}"`)).toHaveLength(2);
  });

  it('escapes what came from outside', () => {
    const hostile = rows.map((r) => (r.service === 'api' ? { ...r, approvals: r.approvals.map((a) => ({ ...a, by: HOSTILE })) } : r));
    const out = table({ rows: hostile, changeHref: paths.change });
    expect(out).not.toContain('<img');
    expect(rowOf(out, '>api<')).toContain(escapeHtml(HOSTILE));
  });

  it("links a row's change page from the verdict when the running version is not the row's", () => {
    const older = rows.map((r) => (r.service === 'api' ? { ...r, commit: 'f'.repeat(40), version: '0.9.0' } : r));
    const api = rowOf(table({ rows: older, changeHref: paths.change }), '>api<');
    const change = older.find((r) => r.service === 'api')!.change;
    expect(api).toContain(`<td class="v"><a href="${paths.change(change)}">0.9.0</a> <small>fffffff</small>: <span class="badge`);
  });

  it('has no approval column where none is judged', () => {
    const out = environmentVersionsTableHtml(environmentMatrix(s, 'qa'), '2026-03-13', links).value;
    expect(out).not.toContain('Separation');
    expect(out).not.toContain('/changes/');
  });
});
