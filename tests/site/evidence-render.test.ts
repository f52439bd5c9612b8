/**
 * Issue 19, items 3 and 4: a finding's evidence rendered by its rule's own
 * renderer (checked against what the real rules write), low severity
 * collapsed, the raw JSON one click away; and separation of duties in one row
 * per production deployment, never marked fine where a finding says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { RULE_IDS, type Finding } from '../../src/model/index.ts';
import { approvalRows, approvalsHtml, dayApprovals, escapeHtml, EVIDENCE_RENDERERS, findingAnchor, findingsHtml, ruleEvidenceHtml } from '../../src/views/index.ts';
import { buildChange, buildDeployment, buildFinding, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { cleanWorld, day, dep, days, sha, withDeployment } from '../rules/world.ts';

const HOSTILE = `<img src=x onerror="alert('x')">&`;

/** Two nights through the real rules, the second raising every rule there is. */
function everyRuleFires() {
  const world = cleanWorld();
  const services = [{ name: 'api', dependsOn: { web: '^1.0.0' } }, { name: 'web' }, { name: 'core', kind: 'library' as const }];
  const first = {
    ...world,
    services,
    takenAt: day(2),
    configs: [...world.configs, ...['qa', 'prod'].map((environment) => ({ service: 'web', environment, source: 'github', values: { FLAG: 'on' } }))],
  };
  const deployments = [
    dep('api', 'dev', '1.1.0', { deployedAt: '2026-02-19T12:00:00Z', commit: sha('api-dev-rebuild') }),
    dep('api', 'qa', '1.1.0', { deployedAt: '2026-02-20T12:00:00Z', components: { core: '2.3.0' } }),
    dep('web', 'qa', '1.0.0', { components: { core: '2.4.0' } }),
    // Straight to prod, approved only by the one who deployed it.
    dep('web', 'prod', '2.0.0', { deployedAt: day(9, '10:00:00'), deployedBy: 'carol', approvals: [{ by: 'carol', at: day(9, '09:55:00'), state: 'approved', kind: 'deployment' }] }),
  ].reduce(withDeployment, world.deployments);
  const second = {
    ...first,
    takenAt: day(10),
    deployments,
    policies: { maxDriftDays: 1 },
    configs: [
      ...world.configs.map((c) => (c.environment === 'prod' ? { ...c, values: { ...c.values, LOG_LEVEL: 'debug' } } : c)),
      { service: 'web', environment: 'qa', source: 'github', values: { FLAG: 'on' } },
      { service: 'web', environment: 'prod', source: 'github', values: { FLAG: 'off' } },
    ],
    observed: [{ service: 'api', environment: 'prod', version: '0.9.0', commit: null, at: day(10), source: 'runtime', url: 'https://api.example/version' }],
    branches: [{ service: 'api', name: `hotfix/${HOSTILE}`, aheadBy: 2, behindBy: 1, lastCommitAt: day(5), source: 'github' }],
    // A production deployment from a branch outside the environment's custom policy (deployment.outside-branch-policy).
    passedOver: [{ service: 'web', environment: 'prod', source: 'github', deploymentId: 9001, ref: `feature/${HOSTILE}`, refType: 'branch' as const, commit: sha('web-feature'), createdBy: 'erin', createdAt: day(9, '12:00:00'), kind: 'outside-branch-policy' as const, reason: 'outside the policy', branchPolicy: ['main', 'release/*'], url: 'https://github.example/acme/web/actions/runs/1/job/1' }],
    gaps: [{ source: 'runtime', service: 'web', environment: 'dev', evidence: 'observed', reason: HOSTILE }],
    exceptions: [{ rule: 'config.drift' as const, service: 'api', environment: 'prod', reason: HOSTILE, approvedBy: 'cto', expires: '2026-03-05' }],
    // api 1.1.0 is in dev and qa without web 2.0.0 (release.partial); web 2.0.0 reached prod with six tickets (release.mixed-scope).
    releases: { declared: [{ name: 'checkout', components: { api: '1.1.0', web: '2.0.0' }, owner: HOSTILE }], builds: [] },
    changes: [buildChange({ service: 'web', environment: 'prod', version: '2.0.0', deployedAt: day(9, '10:00:00'), tickets: ['A-1', 'B-2', 'C-3', 'D-4', 'E-5', 'F-6'] })],
  };
  return days([first, second])[1]!;
}

describe('evidence by rule', () => {
  const snapshot = everyRuleFires();

  it('has a renderer for every rule, and each recognises what the real rule writes', () => {
    expect(Object.keys(EVIDENCE_RENDERERS).sort()).toEqual([...RULE_IDS].sort());
    expect([...new Set(snapshot.findings.map((f) => f.rule))].sort()).toEqual([...RULE_IDS].sort());
    const unrecognised = snapshot.findings.filter((f) => ruleEvidenceHtml(f.rule, f.evidence) === null).map((f) => f.id);
    expect(unrecognised).toEqual([]);
  });

  it('renders tables and sentences with links, everything from outside escaped, links only http(s)', () => {
    const out = findingsHtml(snapshot.findings).value;
    expect(out).not.toContain('<img');
    expect(out).toContain(escapeHtml(HOSTILE));
    expect(out).toContain('<table class="evidence-table">');
    // drift.runtime: the endpoint that was asked, as a link.
    expect(out).toContain('<a href="https://api.example/version" rel="nofollow noopener">endpoint</a>');
    // exception.expired links the findings it covered, on the same page.
    const expired = snapshot.findings.find((f) => f.rule === 'exception.expired')!;
    const covered = (expired.evidence['findings'] as string[])[0]!;
    expect(out).toContain(`<a href="#${findingAnchor(covered)}">${covered}</a>`);
    // component.skew: one row per version with the services built with it.
    expect(ruleEvidenceHtml('component.skew', snapshot.findings.find((f) => f.rule === 'component.skew')!.evidence)!.value).toContain('<td><span class="mono">2.4.0</span></td><td>1 <span class="muted">(web)</span></td>');
  });

  it('opens evidence of medium and worse, closes info and low, and keeps the raw JSON one click away (closed)', () => {
    const byRule = (rule: string) => findingsHtml(snapshot.findings.filter((f) => f.rule === rule)).value;
    expect(byRule('component.skew')).toContain('<details class="evidence"><summary>Evidence</summary>');
    expect(byRule('source.gap')).toContain('<details class="evidence"><summary>Evidence</summary>');
    expect(byRule('approval.self')).toContain('<details class="evidence" open><summary>Evidence</summary>');
    for (const f of snapshot.findings) {
      const out = findingsHtml([f]).value;
      expect(out).toContain(`<details class="raw-evidence"><summary>Raw evidence (JSON)</summary><pre>${escapeHtml(JSON.stringify(f.evidence, null, 2))}</pre></details>`);
    }
  });

  it('falls back to the generic rows for evidence of a shape its rule does not write (older snapshots)', () => {
    const f = buildFinding({ rule: 'approval.self', severity: 'high', evidence: { approver: HOSTILE, link: 'https://example.test/x', bad: 'javascript:alert(1)' } });
    expect(ruleEvidenceHtml(f.rule, f.evidence)).toBeNull();
    const out = findingsHtml([f]).value;
    expect(out).toContain(`<dt>approver</dt><dd>${escapeHtml(HOSTILE)}</dd>`);
    expect(out).toContain('<a href="https://example.test/x" rel="nofollow noopener">');
    expect(out).not.toContain('href="javascript');
  });

  it('withholds plain secret hashes in the rendered evidence and in the raw JSON', () => {
    const plain = 'ab12cd34ef56'.padEnd(64, '0');
    const f = buildFinding({
      rule: 'config.unrecorded-change',
      evidence: { key: 'DB_PASSWORD', old: { redacted: true, sha256: plain }, new: { redacted: true, sha256: '9'.repeat(64) }, previousSnapshot: '2026-03-13T020000Z', deployment: null },
    });
    const out = findingsHtml([f]).value;
    expect(out).toContain('<td><span class="muted">(redacted)</span></td><td><span class="muted">(redacted)</span></td>');
    expect(out).not.toContain(plain.slice(0, 12));
    expect(out).not.toContain('9'.repeat(12));
  });
});

describe('separation of duties', () => {
  const environments = [
    { name: 'staging', production: false, requiredApprovals: 0 },
    { name: 'prod', production: true, requiredApprovals: 0 },
  ];
  const approved = (by: string, at: string | null, kind: 'deployment' | 'pull-request' = 'deployment') => ({ by, at, state: 'approved' as const, kind });
  const change = (service: string, version: string, author: string, reviewers: string[]) =>
    buildChange({ service, environment: 'prod', version, pullRequests: [{ number: 7, title: HOSTILE, author, mergedBy: null, mergedAt: null, reviewers, url: 'https://example.test/pull/7' }] });

  it('an author who approved the deployment, with no approval.self finding, is said as a fact, never called self-approved by the page alone', () => {
    const s = buildSnapshot({
      environments,
      deployments: [buildDeployment({ service: 'api', environment: 'prod', deployedBy: 'deploy-bot', approvals: [approved('kemal', '2026-03-13T09:45:00Z')] })],
      changes: [change('api', '1.0.0', 'kemal', ['frank'])],
      findings: [],
    });
    const [row] = approvalRows(s);
    expect(row!.status).toBe('met');
    expect(row!.verdict.map((v) => v.text)).toEqual([
      'separate: approver ≠ deployer (the approver also wrote a pull request it brought)',
      'kemal wrote a pull request it brought and approved the deployment; approval.self counts only a deployer approving their own deployment or an author their own pull request',
    ]);
    expect(row!.verdict.some((v) => v.text.startsWith('self-approved'))).toBe(false);
  });

  it('one row per production deployment: author, reviewers, approvers with times against the deployment, deployer, verdict in words', () => {
    const s = buildSnapshot({
      environments,
      deployments: [buildDeployment({ service: 'api', environment: 'prod', deployedBy: 'deploy-bot', deployedAt: '2026-03-13T10:00:00Z', approvals: [approved('bob', '2026-03-13T09:45:00Z'), approved('erin', '2026-03-13T10:30:00Z')] })],
      changes: [change('api', '1.0.0', `dana${HOSTILE}`, ['frank'])],
    });
    const [row] = approvalRows(s);
    expect(row!.status).toBe('met');
    expect(row!.required).toBe(1); // production needs one, whatever the environment declares (model/approvals.ts)
    expect(row!.verdict.map((v) => v.text)).toEqual(['separate: author ≠ approver ≠ deployer']);
    const out = approvalsHtml([row!]).value;
    expect(out).not.toContain('<img');
    expect(out).toContain(`<a href="https://example.test/pull/7" rel="nofollow noopener">#7</a> by dana${escapeHtml(HOSTILE)}, reviewed by frank`);
    expect(out).toContain('✓ bob approved the deployment <span class="muted">(2026-03-13 09:45 UTC, <strong>15 min before the deployment</strong>)</span>');
    expect(out).toContain('erin approved the deployment <span class="muted">(2026-03-13 10:30 UTC, <strong>30 min after the deployment</strong>)</span>');
    expect(out).toContain('2026-03-13 10:00 UTC by deploy-bot');
    expect(out).toContain('<li>separate: author ≠ approver ≠ deployer</li>');
  });

  it('says what it does not know: authors of a change this snapshot holds no record of, or a change without pull requests; the author as deployer', () => {
    const deployment = (service: string) => buildDeployment({ service, environment: 'prod', deployedBy: 'dana', approvals: [approved('bob', null)] });
    const rows = approvalRows(
      buildSnapshot({
        environments,
        deployments: [deployment('api'), deployment('web'), deployment('worker')],
        changes: [buildChange({ service: 'web', environment: 'prod', version: '1.0.0', pullRequests: [] }), change('worker', '1.0.0', 'Dana', ['bob'])],
      }),
    );
    expect(rows.map((r) => [r.service, r.status, r.verdict.map((v) => v.text)])).toEqual([
      ['api', 'met', ['separate: approver ≠ deployer (pull request authors not recorded in this snapshot)']],
      ['web', 'met', ['separate: approver ≠ deployer (no pull request recorded for this change)']],
      ['worker', 'met', ['separate: approver ≠ author = deployer']],
    ]);
    expect(approvalsHtml(rows.slice(0, 1)).value).toContain('<td><span class="muted">not recorded in this snapshot</span></td>');
  });

  it('a self-approval carries no ✓ anywhere in its row and names who approved their own change, linked to the finding', () => {
    const s = buildSnapshot({
      environments,
      deployments: [buildDeployment({ service: 'api', environment: 'prod', deployedBy: HOSTILE, approvals: [approved(HOSTILE, '2026-03-13T09:00:00Z')], promotion: { previousEnvironment: 'staging', previous: { environment: 'staging', at: '2026-03-12T09:00:00Z', source: 'github' }, path: [] } })],
      findings: [buildFinding({ rule: 'approval.self', service: 'api', environment: 'prod', severity: 'high' }), buildFinding({ rule: 'approval.missing', service: 'api', environment: 'prod', severity: 'high' })],
    });
    const [row] = approvalRows(s);
    expect(row!.status).toBe('self');
    const out = approvalsHtml([row!]).value;
    const cells = out.slice(out.indexOf('<tr class="appr-row-self">'));
    expect(cells.slice(0, cells.indexOf('<td>✓ in staging'))).not.toContain('✓');
    expect(out).toContain(`self-approved: ${escapeHtml(HOSTILE)} approved their own change (deployed it and approved the deployment) <a href="#${findingAnchor('approval.self/api/prod')}">finding</a>`);
    expect(out).toContain(`missing approvals: 0 of 1 required by someone other than the deployer, ${escapeHtml(HOSTILE)} <a href="#${findingAnchor('approval.missing/api/prod')}">finding</a>`);
    expect(out).toContain('<span class="badge appr-self"><span aria-hidden="true">⚠</span> self-approved</span>');
  });

  it('asks the snapshot\'s findings: an approval.self the records alone would not show (pull request approved by its author) still takes the ✓ away', () => {
    const s = buildSnapshot({
      environments,
      deployments: [buildDeployment({ service: 'api', environment: 'prod', deployedBy: 'deploy-bot', approvals: [approved('bob', null), approved('Dana', null, 'pull-request')] })],
      changes: [change('api', '1.0.0', 'dana', ['dana'])],
      findings: [buildFinding({ rule: 'approval.self', service: 'api', environment: 'prod', severity: 'high', exception: { rule: 'approval.self', service: 'api', reason: 'r', approvedBy: 'cto', expires: '2026-04-01' } })],
    });
    const [row] = approvalRows(s);
    expect(row!.status).toBe('self');
    expect(row!.verdict.map((v) => [v.text, v.exceptedUntil])).toEqual([['self-approved: Dana approved their own change (wrote the pull request and approved it)', '2026-04-01']]);
    expect(approvalsHtml([row!]).value).not.toContain('✓');
  });

  it('an approval.missing finding outweighs approvals that look sufficient; a gap in approvals is "not judged", not approved', () => {
    const deployment = buildDeployment({ service: 'api', environment: 'prod', approvals: [approved('bob', null)] });
    const missing = approvalRows(buildSnapshot({ environments, deployments: [deployment], findings: [buildFinding({ rule: 'approval.missing', service: 'api', environment: 'prod', severity: 'high' })] }))[0]!;
    expect(missing.status).toBe('short');
    expect(approvalsHtml([missing]).value).not.toContain('✓');
    const gap = approvalRows(buildSnapshot({ environments, deployments: [deployment], gaps: [{ source: 'github', service: 'api', environment: 'prod', evidence: 'approvals', reason: HOSTILE }] }))[0]!;
    expect(gap.status).toBe('unknown');
    expect(gap.verdict[0]!.text).toBe(`not judged: github could not read the approvals (${HOSTILE})`);
    expect(approvalsHtml([gap]).value).not.toContain('✓');
    // A day page lists it with the ones that need attention, never among the approved it only counts.
    expect(dayApprovals([gap], new Set()).shown).toEqual([gap]);
  });

  it('a promotion.bypass finding takes the ✓ off the promotion proof', () => {
    const s = buildSnapshot({
      environments,
      deployments: [buildDeployment({ service: 'api', environment: 'prod', approvals: [approved('bob', null)], promotion: { previousEnvironment: 'staging', previous: { environment: 'staging', at: '2026-03-14T09:00:00Z', source: 'github' }, path: [] } })],
      findings: [buildFinding({ id: 'promotion.bypass/api/prod/abc', rule: 'promotion.bypass', service: 'api', environment: 'prod', severity: 'high' }) as Finding],
    });
    const out = approvalsHtml(approvalRows(s)).value;
    expect(out).toContain(`<strong>✗ bypassed staging</strong> <a href="#${findingAnchor('promotion.bypass/api/prod/abc')}">finding</a>`);
    expect(out).not.toContain('✓ in staging');
  });
});
