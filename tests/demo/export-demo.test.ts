/**
 * The audit export against the demo ledger (issue 21): `scripts/demo.mjs`
 * builds the ledger into a temp folder (no site), then the real CLI exports
 * September and October. The row count is checked against an independent
 * count straight from the snapshot JSON (not through the exporter's code),
 * the scenario's hotfix is an emergency change, the self-approved deployment
 * is flagged, and the legacy change approved after it went out says so.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATE_APPROVAL } from '../../examples/acme/audit-cases.ts';
import { CSV_COLUMNS } from '../../src/export/format.ts';
import type { ChangeRow } from '../../src/export/population.ts';
import { readSnapshot } from '../../src/ledger/index.ts';
import { approvalRows } from '../../src/views/approvals.ts';
import { runCli } from '../helpers/cli.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const FROM = '2026-09-01';
const TO = '2026-10-31';
const now = () => new Date('2026-12-01T09:00:00Z');

let dir: string;
let snapshotsDir: string;
const raw: { id: string; environments: { name: string; production: boolean }[]; deployments: { service: string; environment: string; deployedAt: string; commit: string; source: string }[] }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'acme-export-'));
  await run(process.execPath, ['scripts/demo.mjs', '--dir', dir, '--no-build', '--no-serve'], { cwd: ROOT, env: { ...process.env, CI: 'true' }, maxBuffer: 64 * 1024 * 1024 });
  snapshotsDir = path.join(dir, 'content', 'snapshots');
  for (const name of (await readdir(snapshotsDir)).filter((n) => n.endsWith('.json')).sort()) raw.push(JSON.parse(await readFile(path.join(snapshotsDir, name), 'utf8')));
}, 900_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCli(['export', '--config', path.join(dir, 'release-ledger.config.yaml'), ...argv], { cwd: dir, now });

async function exportRows(name: string, extra: string[] = []): Promise<ChangeRow[]> {
  const result = await cli(['--from', FROM, '--to', TO, '--format', 'json', '--out', name, ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ChangeRow[];
}

describe('the demo population, September and October', () => {
  it('has one row per production deployment recorded in the period, counted again straight from the snapshot JSON', async () => {
    const rows = await exportRows('q.json');
    // Independent count: every distinct production deployment any snapshot file records, deployed inside the period.
    const recorded = new Set<string>();
    for (const s of raw) {
      const production = new Set(s.environments.filter((e) => e.production).map((e) => e.name));
      for (const d of s.deployments) if (production.has(d.environment) && d.deployedAt.slice(0, 10) >= FROM && d.deployedAt.slice(0, 10) <= TO) recorded.add(`${d.service}/${d.environment}/${d.deployedAt}/${d.commit}`);
    }
    expect(recorded.size).toBeGreaterThan(40);
    expect(rows).toHaveLength(recorded.size);
    expect(rows.map((r) => `${r.service}/${r.environment}/${r.deployedAt}/${r.commit}`).sort()).toEqual([...recorded].sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('classifies the hotfix as an emergency change and gives it the separation verdict its day page gives', async () => {
    const rows = await exportRows('q.json');
    const hotfix = rows.find((r) => r.service === 'payments-api' && r.environment === 'prod' && r.deployedAt.startsWith('2026-09-15'))!;
    expect(hotfix.emergency.map((e) => e.kind)).toEqual(['promotion-bypass', 'hotfix-branch']);
    expect(hotfix.emergency[1]!.detail).toBe('hotfix/2.9.1');
    expect(hotfix.promotion).toMatchObject({ previousEnvironment: 'staging', previous: null });
    expect(hotfix.pullRequests!.map((p) => [p.author, p.mergedBy, p.reviewers])).toEqual([['carol', 'carol', ['alice']]]);
    const page = approvalRows(await readSnapshot(snapshotsDir, hotfix.firstRecorded.snapshot)).find((r) => r.service === 'payments-api' && r.environment === 'prod')!;
    expect(hotfix.separation.status).toBe(page.status);
    expect(hotfix.separation.verdict).toEqual(page.verdict.map((p) => `${p.text}${p.finding ? ` [${p.finding}]` : ''}`));
    // The merge back rides with the next release: that one is not an emergency.
    const next = rows.find((r) => r.service === 'payments-api' && r.environment === 'prod' && r.deployedAt > hotfix.deployedAt)!;
    expect(next.emergency).toEqual([]);
  });

  it('flags the self-approved production deployment with the finding its snapshot froze', async () => {
    const rows = await exportRows('q.json');
    const self = rows.filter((r) => r.separation.status === 'self');
    expect(self.map((r) => `${r.service} ${r.deployedBy}`)).toEqual(['merchant-portal rosa']);
    expect(self[0]!.separation.verdict.join(' ')).toContain('[approval.self/merchant-portal/prod]');
    expect(self[0]!.findings.map((f) => f.rule)).toContain('approval.self');
  });

  it('says so of the change approved after its deployment', async () => {
    const rows = await exportRows('q.json');
    const late = rows.filter((r) => r.approvalTiming === 'after');
    expect(late.map((r) => r.service)).toEqual([LATE_APPROVAL.service]);
    expect(late[0]!.approvedAfter).toHaveLength(1);
    expect(late[0]!.approvedAfter[0]).toMatch(new RegExp(`^${LATE_APPROVAL.by} `));
    expect(Date.parse(late[0]!.approvals[0]!.at!) - Date.parse(late[0]!.deployedAt)).toBe(LATE_APPROVAL.minutesAfter * 60_000);
  });
});

describe('the export command on the demo ledger', () => {
  it('writes the same bytes twice, reads back as CSV, and takes several --env', async () => {
    const a = await cli(['--from', FROM, '--to', TO, '--out', 'a.csv']);
    const b = await cli(['--from', FROM, '--to', TO, '--out', 'b.csv']);
    expect([a.code, b.code]).toEqual([0, 0]);
    const bytes = await readFile(path.join(dir, 'a.csv'));
    expect((await readFile(path.join(dir, 'b.csv'))).equals(bytes)).toBe(true);
    const records = parse(bytes) as string[][];
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    const manifest = JSON.parse(await readFile(path.join(dir, 'a.csv.manifest.json'), 'utf8'));
    expect(records.length - 1).toBe(manifest.rows);
    expect(manifest.extractedAt).toBe('2026-12-01T09:00:00Z');
    expect(manifest.ledger.head.id).toBe(raw.at(-1)!.id);

    const both = await exportRows('staging-prod.json', ['--env', 'prod', '--env', 'staging']);
    expect(new Set(both.map((r) => r.environment))).toEqual(new Set(['prod', 'staging']));
    expect(both.filter((r) => r.environment === 'prod')).toHaveLength(manifest.rows);
  });

  it('--check confirms the export and refuses it, in one line, after one byte changed', async () => {
    await cli(['--from', FROM, '--to', TO, '--out', 'checked.csv']);
    const ok = await cli(['--check', 'checked.csv']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: checked\.csv is the population 2026-09-01 to 2026-10-31/);
    const file = path.join(dir, 'checked.csv');
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1;
    await writeFile(file, bytes);
    const bad = await cli(['--check', 'checked.csv']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('the file changed after extraction');
  });

  it('refuses bad parameters with one line', async () => {
    for (const argv of [['--from', '2026-09-31', '--to', TO], ['--from', TO, '--to', FROM], ['--from', FROM, '--to', TO, '--env', 'nowhere'], ['--from', FROM, '--to', TO, '--format', 'xlsx']]) {
      const result = await cli(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});
