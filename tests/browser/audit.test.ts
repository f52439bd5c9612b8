/**
 * The audit pages in real Chromium (issue 21): `/audit/` lists the closed
 * month and quarter, its CSV and manifest download and check with the CLI,
 * the period table links every change page, a day page links its production
 * deployment's evidence, a change page prints on one A4 page with every field
 * (read back with pdftotext), hostile text stays inert, and a closed period's
 * files are the same bytes after the ledger grows.
 *
 * The PDF goes to test-results/screenshots/print-change.pdf.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeId } from '../../src/model/change-id.ts';
import { appendSnapshot, readHead } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { buildChain, buildChange, buildDeployment, buildFinding, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { runCli } from '../helpers/cli.ts';
import { serveStatic } from '../helpers/static-server.ts';

const SHOTS = path.resolve('test-results/screenshots');
const HOSTILE_TITLE = '=HYPERLINK("http://evil.example/x","click")<script>window.__pwned=1</script>';

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const snapshotsDir = () => path.join(work, 'snapshots');
const outDir = () => path.join(work, 'dist');
const build = () => buildSite({ snapshotsDir: snapshotsDir(), outDir: outDir(), logLevel: 'error', incremental: true });

const dev = (i: number) => [buildDeployment({ service: 'api', environment: 'dev', version: `1.${i}.0`, deployedAt: '2025-12-20T10:00:00Z' }), buildDeployment({ service: 'web', environment: 'dev', deployedAt: '2025-12-20T10:00:00Z' })];
const apiOld = buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0', deployedAt: '2025-12-20T10:00:00Z', approvals: [{ by: 'bob', at: '2025-12-20T09:00:00Z', state: 'approved', kind: 'deployment' }] });
const webOld = buildDeployment({ service: 'web', environment: 'prod', deployedAt: '2025-12-20T10:00:00Z', approvals: [{ by: 'bob', at: '2025-12-20T09:00:00Z', state: 'approved', kind: 'deployment' }] });
const apiLate = buildDeployment({
  service: 'api',
  environment: 'prod',
  version: '2.0.0',
  ref: 'main',
  artifact: `sha256:${'b'.repeat(64)}`,
  deployedAt: '2026-03-30T10:00:00Z',
  deployedBy: 'alice',
  status: 'success',
  url: 'https://github.example.test/acme/api/deployments/1',
  approvals: [{ by: 'rm-victor', at: '2026-03-30T11:35:00Z', state: 'approved', kind: 'deployment' }],
  promotion: { previousEnvironment: 'qa', previous: { environment: 'qa', at: '2026-03-29T15:00:00Z', source: 'ledger' }, path: [{ environment: 'dev', at: '2026-03-28T09:00:00Z', source: 'ledger' }, { environment: 'qa', at: '2026-03-29T15:00:00Z', source: 'ledger' }, { environment: 'prod', at: '2026-03-30T10:00:00Z', source: 'github' }] },
});
const change = buildChange({
  service: 'api',
  environment: 'prod',
  version: '2.0.0',
  deployedAt: '2026-03-30T10:00:00Z',
  pullRequests: [{ number: 41, title: HOSTILE_TITLE, author: 'mallory', mergedBy: 'carol', mergedAt: '2026-03-27T15:00:00Z', reviewers: ['carol'], branch: 'feature/TCK-41' }],
  tickets: ['TCK-41'],
});
const webFailed = buildDeployment({ service: 'web', environment: 'prod', version: '1.0.1', ref: 'hotfix/1.0.1', deployedAt: '2026-03-31T09:00:00Z', deployedBy: 'dave', status: 'failure', approvals: [{ by: 'dave', at: '2026-03-31T08:58:00Z', state: 'approved', kind: 'deployment' }] });
const selfFinding = buildFinding({ rule: 'approval.self', service: 'web', environment: 'prod', severity: 'high', message: 'web 1.0.1 in prod: the deployment was approved only by its deployer, dave.' });
const apiApril = buildDeployment({ service: 'api', environment: 'prod', version: '2.0.1', deployedAt: '2026-04-02T10:00:00Z', approvals: [{ by: 'bob', at: '2026-04-02T09:00:00Z', state: 'approved', kind: 'deployment' }] });

const SNAPSHOTS = [
  { deployments: [apiOld, webOld] },
  { deployments: [apiOld, webOld] },
  { deployments: [apiOld, webOld] },
  { deployments: [apiLate, webFailed], changes: [change], findings: [selfFinding] },
  { deployments: [apiApril, webFailed], findings: [selfFinding] },
];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-audit-'));
  await buildChain(snapshotsDir(), SNAPSHOTS.length, { start: '2025-12-31T22:30:00Z', stepHours: 24 * 30, edit: (i) => ({ deployments: [...dev(i), ...SNAPSHOTS[i]!.deployments], ...(SNAPSHOTS[i]!.changes ? { changes: SNAPSHOTS[i]!.changes } : {}), ...(SNAPSHOTS[i]!.findings ? { findings: SNAPSHOTS[i]!.findings } : {}) }) });
  await build();
  // The auditor's side: a config naming the ledger, for `export --check`.
  await writeFile(path.join(work, 'release-ledger.config.yaml'), 'name: Acme\nsnapshotsDir: snapshots\nenvironments: [{ name: prod, production: true }]\nsources: {}\nservices: []\n');
  server = await serveStatic(outDir());
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('/audit/', () => {
  it('lists the closed month and quarter; its downloads check with the CLI', async () => {
    const page = await browser.newPage();
    expect((await page.goto(server.url('/audit/')))!.status()).toBe(200);
    const rows = await page.locator('table.audit-periods tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.id, tr.querySelectorAll('td')[1]!.textContent!.trim()]));
    // Snapshots every 30 days from 2025-12-31: December began before the ledger; March and Q1 closed with 2026-04-30's; April has not closed.
    expect(rows).toEqual([['2026-Q1', '2'], ['2026-03', '2'], ['2026-02', '0'], ['2026-01', '0']]);
    const auditor = path.join(work, 'auditor');
    await mkdir(auditor, { recursive: true });
    for (const label of ['CSV', 'manifest']) {
      const link = page.locator('tr[id="2026-03"] a[download]', { hasText: label });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      await download.saveAs(path.join(auditor, download.suggestedFilename()));
    }
    const check = await runCli(['export', '--check', path.join(auditor, 'population-2026-03.csv')], { cwd: work });
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^ok: .*population-2026-03\.csv is the population 2026-03-01 to 2026-03-31 as the ledger gives it at 2026-04-30T223000Z: 2 rows/);
    // The same file the CLI exports with the manifest's parameters.
    const manifest = JSON.parse(await readFile(path.join(auditor, 'population-2026-03.csv.manifest.json'), 'utf8'));
    expect(manifest.command).toBe('release-ledger export --from 2026-03-01 --to 2026-03-31 --format csv --as-of 2026-04-30T223000Z --out population-2026-03.csv');
    await page.close();
  });

  it('the period table links every change page, and a day page links its production deployment', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/audit/'));
    await page.locator('tr[id="2026-03"] th a').click();
    await page.waitForURL(/\/audit\/2026-03\/$/);
    const links = await page.locator('table.population tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(links).toEqual([`/changes/${changeId(apiLate)}/`, `/changes/${changeId(webFailed)}/`]);
    for (const link of links) {
      const res = await page.goto(server.url(link));
      expect(res!.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toMatch(/^(api 2\.0\.0|web 1\.0\.1) in prod$/);
    }
    await page.goto(server.url('/days/2026-03-31/'));
    expect(await page.locator('a.change-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toContain(`/changes/${changeId(apiLate)}/`);
    await page.close();
  });

  it('a change page prints on one A4 page with every field, the hostile title inert', async () => {
    const page = await browser.newPage();
    await page.goto(server.url(`/changes/${changeId(apiLate)}/`));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    const pdf = path.join(SHOTS, 'print-change.pdf');
    await writeFile(pdf, await page.pdf({ format: 'A4', printBackground: false }));
    const info = execFileSync('/usr/bin/pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(1);
    const squash = (s: string) => s.replace(/\s+/g, '');
    const printed = squash(execFileSync('/usr/bin/pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' }));
    const head = (await readHead(snapshotsDir()))!;
    expect(head).not.toBeNull();
    const wanted = [
      // Every label of the row, and the values that prove it is this change.
      'Change id', changeId(apiLate), 'Service', 'Environment', 'Outcome', 'Status from the source', 'success', 'Version', '2.0.0', 'Commit', apiLate.commit, 'Artifact digest', apiLate.artifact!, 'Ref', 'Deployed at', '2026-03-30 10:00 UTC', 'Deployed by', 'alice', 'Source', 'github', 'Source record', apiLate.url!,
      'Pull requests', '#41', HOSTILE_TITLE, 'by mallory', 'merged by carol', 'reviewed by carol', 'Tickets', 'TCK-41',
      'Approvals', 'rm-victor approved the deployment', 'after the deployment', 'Approval timing', 'only after the deployment', 'Approved after the deployment', 'rm-victor 2026-03-30T11:35:00Z', 'Separation of duties', 'Verdict',
      'Previous environment', 'qa', 'First seen there', 'qa 2026-03-29 15:00 UTC', 'Promotion path', 'dev 2026-03-28 09:00 UTC', 'Emergency change', 'Findings', 'First recorded in snapshot', '2026-03-31T223000Z', "That snapshot's sha256",
    ];
    expect(wanted.filter((w) => !printed.includes(squash(w)))).toEqual([]);
    await page.close();
  });

  it('a closed period keeps its files byte for byte when the ledger grows, and a nightly build does not render them or old change pages again', async () => {
    const csv = path.join(outDir(), 'audit', '2026-03', 'population-2026-03.csv');
    const changePage = path.join(outDir(), 'changes', changeId(apiLate), 'index.html');
    const before = await readFile(csv);
    const beforeManifest = await readFile(`${csv}.manifest.json`);
    const inodes = [(await stat(csv)).ino, (await stat(changePage)).ino];
    const head = (await readHead(snapshotsDir()))!;
    // May brings a new production deployment: April closes, and its change page is new.
    const apiMay = buildDeployment({ service: 'api', environment: 'prod', version: '2.0.2', deployedAt: '2026-05-01T10:00:00Z', approvals: [{ by: 'bob', at: '2026-05-01T09:00:00Z', state: 'approved', kind: 'deployment' }] });
    const next = buildSnapshot({ takenAt: '2026-05-01T22:30:00Z', previous: { id: head.snapshot.id, sha256: head.sha256 }, deployments: [...dev(9), apiMay, webFailed] });
    await appendSnapshot(snapshotsDir(), next);
    const result = await build();
    expect(result.reused).toBeGreaterThan(0);
    expect((await readFile(csv)).equals(before)).toBe(true);
    expect((await readFile(`${csv}.manifest.json`)).equals(beforeManifest)).toBe(true);
    // Kept from the previous output (hard-linked), not rendered again.
    expect([(await stat(csv)).ino, (await stat(changePage)).ino]).toEqual(inodes);
    const april = JSON.parse(await readFile(path.join(outDir(), 'audit', '2026-04', 'population-2026-04.csv.manifest.json'), 'utf8'));
    expect(april.rows).toBe(1);
    expect((await stat(path.join(outDir(), 'changes', changeId(apiMay), 'index.html'))).isFile()).toBe(true);
  });
});
