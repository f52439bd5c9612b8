/**
 * The audit export over a small built ledger (tests/helpers/snapshot-builder):
 * which changes are in the population, what each row says, the CSV read back
 * by a CSV parser with hostile text neutralised, byte-identical exports, and
 * `export --check` catching a changed byte, a doctored manifest and a ledger
 * that no longer gives the same population.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExport, exportPopulation, type Manifest } from '../../src/export/extract.ts';
import { CSV_COLUMNS, neutraliseCell } from '../../src/export/format.ts';
import { changeId, snapshotsForPeriod, type ChangeRow } from '../../src/export/population.ts';
import { readSnapshotFile } from '../../src/ledger/index.ts';
import { approvalRows } from '../../src/views/approvals.ts';
import { changeSections, closedPeriods, periodFiles } from '../../src/views/audit.ts';
import { buildChain, buildChange, buildDeployment, buildFinding } from '../helpers/snapshot-builder.ts';

const HOSTILE_TITLE = '=HYPERLINK("http://evil.example/x","click me")';
const CLOCK = new Date('2026-04-01T08:00:00Z');
const GENERATOR = { name: 'release-ledger', version: 'test' };

let dir: string;
let snapshotsDir: string;
let ids: string[];

const base = (i: number) => [
  buildDeployment({ service: 'api', environment: 'dev', version: `1.${i}.0`, deployedAt: '2026-03-01T10:00:00Z' }),
  buildDeployment({ service: 'web', environment: 'dev', deployedAt: '2026-03-01T10:00:00Z' }),
];
const apiOld = buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0', deployedAt: '2026-03-05T10:00:00Z', approvals: [{ by: 'bob', at: '2026-03-05T09:00:00Z', state: 'approved', kind: 'deployment' }] });
// Approved two hours after it went out.
const apiLate = buildDeployment({
  service: 'api',
  environment: 'prod',
  version: '2.0.0',
  ref: 'main',
  artifact: `sha256:${'a'.repeat(64)}`,
  deployedAt: '2026-03-11T10:00:00Z',
  deployedBy: 'alice',
  status: 'success',
  approvals: [{ by: 'bob', at: '2026-03-11T12:00:00Z', state: 'approved', kind: 'deployment' }],
});
const webOld = buildDeployment({ service: 'web', environment: 'prod', deployedAt: '2026-03-05T10:00:00Z', approvals: [{ by: 'bob', at: '2026-03-05T09:00:00Z', state: 'approved', kind: 'deployment' }] });
// A failed deployment by a bot, from a hotfix branch, straight to prod.
const webFailed = buildDeployment({
  service: 'web',
  environment: 'prod',
  version: '1.0.1',
  ref: 'hotfix/1.0.1',
  deployedAt: '2026-03-12T09:00:00Z',
  deployedBy: 'deploy[bot]',
  status: 'failure',
  approvals: [{ by: 'deploy[bot]', at: '2026-03-12T08:58:00Z', state: 'approved', kind: 'deployment' }],
  promotion: { previousEnvironment: 'qa', previous: null, path: [{ environment: 'prod', at: '2026-03-12T09:00:00Z', source: 'github' }] },
});
const apiNext = buildDeployment({ service: 'api', environment: 'prod', version: '2.0.1', deployedAt: '2026-03-13T11:00:00Z' });
const hostileChange = buildChange({
  service: 'api',
  environment: 'prod',
  version: '2.0.0',
  deployedAt: '2026-03-11T10:00:00Z',
  pullRequests: [
    { number: 7, title: HOSTILE_TITLE, author: '@mallory', mergedBy: 'carol', mergedAt: '2026-03-10T15:00:00Z', reviewers: ['carol'], branch: '+cmd|calc', url: 'https://example.test/pr/7' },
    { number: 8, title: 'TCK-9: Retry payouts', author: 'dave', mergedBy: 'dave', mergedAt: '2026-03-10T16:00:00Z', reviewers: ['erin', 'carol'], branch: 'feature/TCK-9' },
  ],
  tickets: ['TCK-9'],
});
const selfFinding = buildFinding({ rule: 'approval.self', service: 'web', environment: 'prod', severity: 'high', message: 'self-approved' });
const bypassFinding = buildFinding({ rule: 'promotion.bypass', id: 'promotion.bypass/web/prod/abc1234', service: 'web', environment: 'prod', severity: 'high' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-export-'));
  snapshotsDir = path.join(dir, 'snapshots');
  const chain = await buildChain(snapshotsDir, 5, {
    start: '2026-03-09T22:30:00Z',
    edit: (i) =>
      [
        { deployments: [...base(i), apiOld, webOld] },
        { deployments: [...base(i), apiOld, webOld] },
        { deployments: [...base(i), apiLate, webOld], changes: [hostileChange] },
        { deployments: [...base(i), apiLate, webFailed], findings: [selfFinding, bypassFinding] },
        { deployments: [...base(i), apiNext, webFailed] },
      ][i]!,
  });
  ids = chain.ids;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const period = { from: '2026-03-10', to: '2026-03-12', environments: null };

async function exportTo(name: string, format: 'csv' | 'json' = 'csv', clock = CLOCK) {
  const file = path.join(dir, name);
  const result = await exportPopulation({ snapshotsDir, period, format, target: { file }, extractedAt: clock, generator: GENERATOR });
  return { file, manifest: result.manifest, bytes: await readFile(file), manifestBytes: await readFile(`${file}.manifest.json`) };
}

describe('the population', () => {
  it('reads the snapshots from the first day through the first snapshot after the last day, and knows when a period is closed', () => {
    expect(snapshotsForPeriod(ids, period, ids.at(-1)!)).toEqual({ ids: ids.slice(1, 5), closed: true });
    expect(snapshotsForPeriod(ids, { from: '2026-03-12', to: '2026-03-31' }, ids.at(-1)!)).toEqual({ ids: ids.slice(3), closed: false });
    // As the ledger stood before the period closed: open, and the later snapshots not read.
    expect(snapshotsForPeriod(ids, period, ids[2]!)).toEqual({ ids: ids.slice(1, 3), closed: false });
    expect(snapshotsForPeriod(ids, { from: '2027-01-01', to: '2027-01-31' }, ids.at(-1)!)).toEqual({ ids: [], closed: false });
  });

  it('has one row per production deployment in the period, the failed one included and marked, in a stable order with stable ids', async () => {
    const { file, manifest } = await exportTo('march.json', 'json');
    const rows = JSON.parse(await readFile(file, 'utf8')) as ChangeRow[];
    expect(rows.map((r) => [r.service, r.environment, r.version, r.outcome])).toEqual([
      ['api', 'prod', '2.0.0', 'deployed'],
      ['web', 'prod', '1.0.1', 'failed'],
    ]);
    expect(rows.map((r) => r.id)).toEqual([changeId(apiLate), changeId(webFailed)]);
    expect(rows[0]!.id).toMatch(/^api\.prod\.20260311T100000Z\.[0-9a-f]{10}$/);
    expect(manifest.rows).toBe(2);
    expect(manifest.snapshots.map((s) => s.id)).toEqual(ids.slice(1, 5));
    expect(manifest.period.closed).toBe(true);
    // Each row names the snapshot that first recorded it, with that snapshot's chain hash.
    const recorded = await readSnapshotFile(snapshotsDir, ids[2]!, undefined);
    expect(rows[0]!.firstRecorded).toEqual({ snapshot: ids[2], sha256: recorded.sha256 });
  });

  it('says when an approval came after the deployment, and gives the separation verdict the approvals table gives', async () => {
    const { file } = await exportTo('march-verdict.json', 'json');
    const [api, web] = JSON.parse(await readFile(file, 'utf8')) as ChangeRow[];
    expect(api!.approvalTiming).toBe('after');
    expect(api!.approvedAfter).toEqual(['bob 2026-03-11T12:00:00Z']);
    expect(api!.approvals.map((a) => a.when)).toEqual(['after']);
    const snapshot = (await readSnapshotFile(snapshotsDir, ids[2]!, undefined)).snapshot;
    const page = approvalRows(snapshot).find((r) => r.service === 'api' && r.environment === 'prod')!;
    expect(api!.separation.status).toBe(page.status);
    expect(api!.separation.verdict).toEqual(page.verdict.map((p) => p.text));
    // web: the snapshot's approval.self finding decides, as on the pages.
    expect(web!.separation.status).toBe('self');
    expect(web!.separation.verdict.join(' ')).toContain('[approval.self/web/prod]');
    expect(web!.deployedByBot).toBe(true);
    expect(web!.emergency.map((e) => e.kind)).toEqual(['promotion-bypass', 'hotfix-branch']);
    expect(web!.findings.map((f) => f.id)).toEqual(['approval.self/web/prod', 'promotion.bypass/web/prod/abc1234']);
    expect(api!.emergency).toEqual([]);
    expect(api!.pullRequests!.map((p) => p.author)).toEqual(['@mallory', 'dave']);
    expect(api!.tickets).toEqual(['TCK-9']);
  });
});

describe('the CSV', () => {
  it('neutralises every cell that a spreadsheet would run as a formula, once', () => {
    for (const c of ['=', '+', '-', '@', '\t', '\r']) expect(neutraliseCell(`${c}1+1`)).toBe(`'${c}1+1`);
    expect(neutraliseCell('payments-api')).toBe('payments-api');
    expect(neutraliseCell('')).toBe('');
  });

  it('reads back with a CSV parser: the header, one record per change, and the hostile title, author and branch inert', async () => {
    const { bytes } = await exportTo('march.csv');
    const records = parse(bytes, { relax_column_count: false }) as string[][];
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    const api = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, records[1]![i]!]));
    expect(api.pr_titles).toBe(`'${HOSTILE_TITLE} | TCK-9: Retry payouts`);
    expect(api.pr_authors).toBe("'@mallory, dave");
    expect(api.pr_branches).toBe("'+cmd|calc, feature/TCK-9");
    expect(api.pull_requests).toBe('#7, #8');
    expect(api.approval_timing).toBe('after');
    expect(api.approved_after_deployment).toBe('bob 2026-03-11T12:00:00Z');
    expect(api.artifact_digest).toBe(`sha256:${'a'.repeat(64)}`);
    const dangerous = records.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(dangerous).toEqual([]);
  });
});

describe('re-performing an export', () => {
  it('gives byte-identical files and manifests for the same ledger, parameters and clock', async () => {
    for (const format of ['csv', 'json'] as const) {
      const a = await exportTo(`same-a.${format}`, format);
      const b = await exportTo(`same-b.${format}`, format);
      expect(b.bytes.equals(a.bytes)).toBe(true);
      expect(b.manifest.file.sha256).toBe(a.manifest.file.sha256);
      // The manifests differ only in the file's own name (and the command that names it).
      expect(b.manifestBytes.toString().replaceAll(`same-b.${format}`, `same-a.${format}`)).toBe(a.manifestBytes.toString());
    }
  });

  it('confirms an intact export, and catches one changed byte, a doctored manifest and a wrong row count', async () => {
    const { file, bytes } = await exportTo('checked.csv');
    expect(await checkExport({ snapshotsDir, file })).toMatchObject({ ok: true });

    // One byte changed: the manifest's sha256 no longer matches.
    const flipped = Buffer.from(bytes);
    const at = flipped.indexOf('alice');
    flipped[at] = 'A'.charCodeAt(0);
    await writeFile(file, flipped);
    const one = await checkExport({ snapshotsDir, file });
    expect(one).toMatchObject({ ok: false });
    expect(!one.ok && one.reason).toContain('the file changed after extraction');

    // The same change with the manifest's hash and size updated to match: re-deriving from the ledger catches it.
    const manifestFile = `${file}.manifest.json`;
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    const { createHash } = await import('node:crypto');
    await writeFile(manifestFile, JSON.stringify({ ...manifest, file: { ...manifest.file, sha256: createHash('sha256').update(flipped).digest('hex') } }));
    const doctored = await checkExport({ snapshotsDir, file });
    expect(doctored).toMatchObject({ ok: false });
    expect(!doctored.ok && doctored.reason).toMatch(/differs from what the ledger gives at byte \d+ \(line 2\)/);

    // The file intact, the manifest claiming another row count.
    await writeFile(file, bytes);
    await writeFile(manifestFile, JSON.stringify({ ...manifest, rows: 3 }));
    const rows = await checkExport({ snapshotsDir, file });
    expect(!rows.ok && rows.reason).toContain('3 rows recorded, the ledger gives 2');
    await writeFile(manifestFile, JSON.stringify(manifest));
    expect(await checkExport({ snapshotsDir, file })).toMatchObject({ ok: true });
  });

  it('an export taken as of an earlier head is re-performed as of that head, though the ledger has grown', async () => {
    const file = path.join(dir, 'as-of.csv');
    const result = await exportPopulation({ snapshotsDir, period, format: 'csv', asOf: ids[2]!, target: { file }, extractedAt: CLOCK, generator: GENERATOR });
    expect(result.manifest.rows).toBe(1);
    expect(result.manifest.period.closed).toBe(false);
    expect(result.manifest.command).toBe(`release-ledger export --from 2026-03-10 --to 2026-03-12 --format csv --as-of ${ids[2]} --out as-of.csv`);
    expect(await checkExport({ snapshotsDir, file })).toMatchObject({ ok: true });
  });
});

describe('the closed periods the site offers', () => {
  it('are the months and quarters that began on or after the first snapshot and closed, newest first, each with its closing snapshot', () => {
    const nightly = (from: string, days: number) => Array.from({ length: days }, (_, i) => new Date(Date.parse(`${from}T22:30:00Z`) + i * 86_400_000).toISOString().slice(0, 19).replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})/, '$1-$2-$3') + 'Z');
    // 2026-08-31 to 2026-11-15: August began before the ledger; September, October and Q3... Q3 began before the ledger too.
    const ids = nightly('2026-08-31', 77);
    expect(ids[0]).toBe('2026-08-31T223000Z');
    expect(closedPeriods(ids).map((p) => [p.name, p.kind, p.from, p.to, p.closingId])).toEqual([
      ['2026-10', 'month', '2026-10-01', '2026-10-31', '2026-11-01T223000Z'],
      ['2026-09', 'month', '2026-09-01', '2026-09-30', '2026-10-01T223000Z'],
    ]);
    // A ledger from 2026-07-01 has a whole Q3 once October's first snapshot exists; Q4 is still open.
    const longer = nightly('2026-07-01', 140);
    expect(closedPeriods(longer).filter((p) => p.kind === 'quarter').map((p) => [p.name, p.from, p.to])).toEqual([['2026-Q3', '2026-07-01', '2026-09-30']]);
    expect(closedPeriods(longer)[0]!.name).toBe('2026-10');
    expect(closedPeriods([])).toEqual([]);
    expect(periodFiles({ name: '2026-Q3' })).toEqual({ csv: 'population-2026-Q3.csv', manifest: 'population-2026-Q3.csv.manifest.json' });
  });

  it('a change page holds every column of the CSV', async () => {
    const { file } = await exportTo('sections.json', 'json');
    const [api] = JSON.parse(await readFile(file, 'utf8')) as ChangeRow[];
    const text = changeSections(api!).flatMap((s) => s.facts.flatMap((f) => [f.label, ...f.values])).join('\n');
    for (const value of [api!.id, api!.commit, api!.artifact!, api!.deployedBy, 'bob', '#7', HOSTILE_TITLE, '@mallory', 'TCK-9', 'only after the deployment', 'bob 2026-03-11T12:00:00Z', api!.separation.verdict[0]!, api!.firstRecorded.snapshot, api!.firstRecorded.sha256]) expect(text).toContain(value);
    const labels = changeSections(api!).flatMap((s) => s.facts.map((f) => f.label));
    expect(labels).toHaveLength(new Set(labels).size);
    // Every CSV column has its line on the page (a line may carry several related columns); a new column fails here until it has one.
    const LINE: Record<string, string> = {
      change_id: 'Change id', service: 'Service', environment: 'Environment', outcome: 'Outcome', source_status: 'Status from the source', version: 'Version', commit: 'Commit', artifact_digest: 'Artifact digest', ref: 'Ref',
      deployed_at: 'Deployed at', deployed_by: 'Deployed by', deployed_by_bot: 'Deployed by', pull_requests: 'Pull requests', pr_titles: 'Pull requests', pr_authors: 'Pull requests', pr_merged_by: 'Pull requests', pr_reviewers: 'Pull requests', pr_branches: 'Pull requests',
      tickets: 'Tickets', approvals: 'Approvals', approval_timing: 'Approval timing', approved_after_deployment: 'Approved after the deployment', separation_of_duties: 'Separation of duties', separation_verdict: 'Verdict',
      previous_environment: 'Previous environment', previous_environment_at: 'First seen there', promotion_path: 'Promotion path', emergency: 'Emergency change', emergency_reasons: 'Emergency change', findings: 'Findings',
      source: 'Source', source_url: 'Source record', first_recorded_snapshot: 'First recorded in snapshot', first_recorded_snapshot_sha256: "That snapshot's sha256",
    };
    expect(Object.keys(LINE)).toEqual([...CSV_COLUMNS]);
    expect(Object.values(LINE).filter((label) => !labels.includes(label))).toEqual([]);
  });
});
