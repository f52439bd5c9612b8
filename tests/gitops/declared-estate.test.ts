/**
 * An estate whose only evidence is its GitOps repository (issue 20, item 1):
 * what is declared is what is believed to run (src/model/believed.ts), so
 * `show`, `diff ENV@D ENV@D`, compare pages, the matrix, `promotion.bypass`
 * and `drift.version` answer from it, with evidence naming the file, the
 * GitOps commit and its author. The layout, one version file per environment
 * of a promotion repository, is modelled on the documented per-environment
 * folders of public GitOps examples (written here, not copied).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import type { ConfigInput, GitOpsSourceConfig, Snapshot } from '../../src/model/index.ts';
import { configSchema, snapshotSchema } from '../../src/model/index.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { formatStateView, stateView } from '../../src/report/show.ts';
import { diffEnvironments, diffSnapshots } from '../../src/ledger/diff.ts';
import { formatEnvironmentDiff } from '../../src/ledger/diff-format.ts';
import { compareEnvironments } from '../../src/views/compare.ts';
import { buildMatrix } from '../../src/views/matrix.ts';
import { ruleEvidenceHtml } from '../../src/views/evidence-html.ts';
import { environmentVersionsHtml } from '../../src/views/tables-html.ts';
import { ALICE, BOB, makeGitRepo, type GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const ENVIRONMENTS = ['qa', 'uat', 'staging', 'preprod', 'prod-us', 'prod-eu'];
const versionFile = (tag: string) => `# promoted by pull request\nimage:\n  repository: registry.example.com/shop/checkout\n  tag: "${tag}"\n`;

describe('a GitOps-only estate: declared state answers show, diff, compare, matrix and rules', () => {
  let repo: GitRepo;
  let input: ConfigInput;
  let first: Snapshot;
  let second: Snapshot;

  const snapshot = async (id: string, takenAt: string, previous: Snapshot | null): Promise<Snapshot> => {
    const evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
    expect(evidence.gaps).toEqual([]);
    const s = assembleSnapshot({
      config: configSchema.parse(input),
      outcomes: [{ name: 'gitops', type: 'gitops', evidence }],
      id,
      takenAt,
      previous: previous ? { snapshot: previous, sha256: '0'.repeat(64) } : null,
      generator: { name: 'release-ledger', version: '0.0.0-test' },
      secretKey: null,
    });
    return snapshotSchema.parse(s);
  };

  beforeAll(async () => {
    repo = await makeGitRepo([
      { files: Object.fromEntries(ENVIRONMENTS.map((e) => [`envs/${e}/version.yml`, versionFile('1.0')])), author: ALICE, date: '2026-03-01T10:00:00Z' },
    ]);
    input = {
      name: 'Acme',
      environments: ENVIRONMENTS.map((name) => ({ name, production: name.startsWith('prod') })),
      sources: { gitops: { type: 'gitops', path: repo.dir, files: ['envs/{environment}/version.yml'] } },
      services: [{ name: 'checkout', sources: ['gitops'] }],
      policies: { maxDriftDays: 7 },
    };
    first = await snapshot('2026-03-02T020000Z', '2026-03-02T02:00:00Z', null);
    // A hotfix declared straight into prod-eu, past every lower environment.
    await repo.commit({ files: { 'envs/prod-eu/version.yml': versionFile('3.0') }, author: BOB, date: '2026-03-04T09:00:00Z', message: 'hotfix checkout 3.0 in prod-eu' });
    second = await snapshot('2026-03-14T020000Z', '2026-03-14T02:00:00Z', first);
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it('show prints the declared versions, marked as declared, with the file they were read from', () => {
    const all = formatStateView(stateView(second, 'f'.repeat(64)));
    expect(all).toMatch(/checkout\s+1\.0 \(declared\)\s+1\.0 \(declared\)\s+1\.0 \(declared\)\s+1\.0 \(declared\)\s+1\.0 \(declared\)\s+3\.0 \(declared\)/);
    expect(all).not.toContain('nothing deployed');
    const eu = formatStateView(stateView(second, 'f'.repeat(64), 'prod-eu'));
    expect(eu).toContain(`declared in envs/prod-eu/version.yml at ${repo.shas[1]!.slice(0, 12)}`);
    expect(eu).toContain('Bob Example');
    expect(stateView(second, 'f'.repeat(64), 'qa').running.map((d) => [d.basis, d.version, d.deployedBy])).toEqual([['declared', '1.0', 'Alice Example']]);
  });

  it('diff qa@D prod-eu@D lists 1.0 against 3.0, and compare pages carry it', () => {
    const diff = diffEnvironments(first, 'qa', second, 'prod-eu');
    expect(diff.services).toEqual([
      {
        service: 'checkout',
        status: 'different',
        fields: ['version'],
        a: expect.objectContaining({ version: '1.0', declared: expect.objectContaining({ file: 'envs/qa/version.yml', revision: repo.shas[0], changedBy: 'Alice Example' }) }),
        b: expect.objectContaining({ version: '3.0', declared: expect.objectContaining({ file: 'envs/prod-eu/version.yml', revision: repo.shas[1], changedBy: 'Bob Example' }) }),
      },
    ]);
    expect(formatEnvironmentDiff(diff)).toContain('3.0 (declared in envs/prod-eu/version.yml)');
    // Two environments declaring the same version are the same build (neither knows a commit: not a difference).
    expect(diffEnvironments(second, 'qa', 'prod-us').services.map((s) => s.status)).toEqual(['same']);
    const compared = compareEnvironments(second, 'prod-us', 'prod-eu').diff.services;
    expect(compared.map((s) => [s.status, s.a?.version, s.b?.version])).toEqual([['different', '1.0', '3.0']]);
    expect(String(environmentVersionsHtml(compared, 'prod-us', 'prod-eu', () => '#'))).toContain('declared in <code>envs/prod-eu/version.yml</code>');
  });

  it('a declaration a gap hides is unknown in a diff over time, not added or removed', () => {
    const hidden: Snapshot = {
      ...first,
      declared: first.declared.filter((d) => d.environment !== 'prod-eu'),
      gaps: [...first.gaps, { source: 'gitops', service: 'checkout', environment: 'prod-eu', evidence: 'declared', reason: 'envs/prod-eu/version.yml: unparsable YAML at line 2' }],
    };
    const diff = diffSnapshots(hidden, second);
    expect(diff.unknown).toEqual([
      { service: 'checkout', environment: 'prod-eu', source: 'gitops', evidence: 'declared', hiddenIn: first.id, reason: 'envs/prod-eu/version.yml: unparsable YAML at line 2', known: `3.0 in ${second.id}` },
    ]);
    expect(diff.deployments.filter((d) => d.environment === 'prod-eu')).toEqual([]);
    // Over time, the declaration that changed is listed like a deployment that changed.
    expect(diffSnapshots(first, second).deployments.map((d) => [d.environment, d.change, d.from?.version, d.to?.version])).toEqual([['prod-eu', 'changed', '1.0', '3.0']]);
  });

  it('the matrix shows declared versions and the drift of prod-eu', () => {
    const row = buildMatrix(second).rows.find((r) => r.service === 'checkout')!;
    expect(row.cells.map((c) => [c.environment, c.deployed?.version, c.deployed?.declared, c.status])).toEqual([
      ['qa', '1.0', true, 'aligned'],
      ['uat', '1.0', true, 'aligned'],
      ['staging', '1.0', true, 'aligned'],
      ['preprod', '1.0', true, 'aligned'],
      ['prod-us', '1.0', true, 'aligned'],
      ['prod-eu', '3.0', true, 'drift'],
    ]);
  });

  it('promotion.bypass fires for prod-eu, with the file, GitOps commit and author as evidence', () => {
    expect(first.findings.filter((f) => f.rule === 'promotion.bypass')).toEqual([]);
    const bypass = second.findings.filter((f) => f.rule === 'promotion.bypass');
    expect(bypass.map((f) => f.environment)).toEqual(['prod-eu']);
    expect(bypass[0]!.message).toContain(`checkout 3.0 (declared in envs/prod-eu/version.yml at ${repo.shas[1]!.slice(0, 7)} by Bob Example)`);
    expect(bypass[0]!.message).toContain('without ever being seen in prod-us');
    expect(bypass[0]!.evidence['declared']).toEqual({
      file: 'envs/prod-eu/version.yml',
      revision: repo.shas[1],
      changedBy: 'Bob Example',
      changedAt: '2026-03-04T09:00:00.000Z',
      source: 'gitops',
    });
    expect(bypass[0]!.evidence['arrivedAt']).toBe('2026-03-04T09:00:00.000Z');
    // The page says it was declared, where, and by whom; not that it was deployed.
    const page = String(ruleEvidenceHtml('promotion.bypass', bypass[0]!.evidence));
    expect(page).toContain('declared in <span class="mono">envs/prod-eu/version.yml</span>');
    expect(page).toContain('was declared by Bob Example');
    // The promotion proof of what passed is kept on the declaration: prod-us's 1.0 was seen all along the path.
    const us = second.declared.find((d) => d.environment === 'prod-us')!;
    expect(us.promotion?.path.map((p) => p.environment)).toEqual(['qa', 'uat', 'staging', 'preprod', 'prod-us']);
  });

  it('drift.version fires for prod-eu against prod-us, since the hotfix was declared', () => {
    const drift = second.findings.filter((f) => f.rule === 'drift.version');
    expect(drift.map((f) => [f.environment, f.evidence['since'], f.evidence['sinceBasis']])).toEqual([['prod-eu', '2026-03-04T09:00:00.000Z', 'change']]);
    expect(drift[0]!.message).toContain('checkout in prod-eu (3.0, declared) has differed from prod-us (1.0, declared)');
    expect(drift[0]!.evidence['higherDeployment']).toMatchObject({ version: '3.0', declared: { file: 'envs/prod-eu/version.yml', changedBy: 'Bob Example' } });
    expect(String(ruleEvidenceHtml('drift.version', drift[0]!.evidence))).toContain('declared in <span class="mono">envs/prod-us/version.yml</span>');
    // Nothing else: declarations do not invent deployment records, approvals or runtime drift.
    expect(second.deployments).toEqual([]);
    expect(second.findings.filter((f) => f.rule.startsWith('approval.') || f.rule === 'drift.runtime')).toEqual([]);
  });
});
