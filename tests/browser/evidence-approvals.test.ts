/**
 * Issue 19, items 3 and 4, in Chromium: a day page has a section menu and
 * summary cards that lead to their sections, findings show their evidence as
 * tables with low severity collapsed, and a self-approved production
 * deployment shows no ✓. The fixture ledger's findings are recomputed by the
 * real rules, so the evidence has exactly the shapes `collect` writes.
 * Screenshots go to test-results/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendSnapshot } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { evaluateRules } from '../../src/rules/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { A4_CONTENT_PX, launchChromium } from '../helpers/chromium.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';
import { buildSnapshot } from '../helpers/snapshot-builder.ts';
import { serveStatic } from '../helpers/static-server.ts';

const SHOTS = path.resolve('test-results/screenshots');
let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let page: Page;

/** The site fixture, each snapshot's findings as the real rules find them, chained through the real `appendSnapshot`. */
async function writeLedger(dir: string): Promise<void> {
  let previous: Snapshot | null = null;
  let link: Snapshot['previous'] = null;
  for (const fixture of fixtureSnapshots()) {
    const { findings: _fixtureFindings, ...draft } = fixture;
    const snapshot: Snapshot = buildSnapshot({ ...draft, previous: link, findings: evaluateRules({ draft, previous }) });
    const { sha256 } = await appendSnapshot(dir, snapshot);
    link = { id: snapshot.id, sha256 };
    previous = snapshot;
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-evidence-'));
  await writeLedger(path.join(work, 'snapshots'));
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing leaves the machine (as in site.test.ts).
  await page.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
  expect((await page.goto(server.url('/days/2026-03-14/')))?.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a day page in Chromium', () => {
  it('opens with a section menu and summary cards, each leading to a section of the page', async () => {
    const menu = page.getByRole('navigation', { name: 'Sections of this day' });
    const targets = await menu.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(targets).toEqual(['#matrix', '#findings', '#changes', '#approvals', '#releases', '#graph', '#gaps']);
    for (const target of targets) expect(await page.locator(`h2${target}`).count()).toBe(1);
    const cards = await page.locator('ul.summary-cards a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(cards.length).toBeGreaterThanOrEqual(5);
    for (const target of new Set(cards)) expect(await page.locator(`h2${target}`).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'evidence-day-top.png') });
    await menu.getByRole('link', { name: /^Approvals/ }).click();
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-14/#approvals'));
  });

  it('shows evidence as tables, open for medium and worse, collapsed for info and low, raw JSON closed', async () => {
    const findings = page.locator('article.finding');
    const shown = await findings.evaluateAll((articles) =>
      articles.map((a) => ({
        severity: [...a.classList].find((c) => c.startsWith('sev-border-'))!.slice('sev-border-'.length),
        open: (a.querySelector('details.evidence') as HTMLDetailsElement).open,
        rawOpen: (a.querySelector('details.raw-evidence') as HTMLDetailsElement).open,
        tables: a.querySelectorAll('details.evidence table.evidence-table').length,
      })),
    );
    expect(shown.length).toBeGreaterThan(4);
    expect(shown.some((f) => f.severity === 'low')).toBe(true);
    for (const f of shown) {
      expect(f.open).toBe(f.severity !== 'low' && f.severity !== 'info');
      expect(f.rawOpen).toBe(false);
    }
    expect(shown.filter((f) => f.tables > 0).length).toBeGreaterThan(2);
    // The promotion proof of the hotfix, as a table with the record links.
    const bypass = page.locator('article.finding', { has: page.locator('code', { hasText: 'promotion.bypass' }) });
    expect(await bypass.locator('details.evidence[open] table.evidence-table th').allTextContents()).toEqual(['Environment', 'First seen', 'From']);
    expect(await bypass.locator('a[href="https://github.example/acme/payments-api/deployments/prod"]').textContent()).toBe('deployment record');
    // A low finding's evidence is not laid out until opened.
    const low = page.locator('article.sev-border-low').first();
    expect(await low.locator('details.evidence > :not(summary)').first().isVisible()).toBe(false);
    await low.locator('details.evidence > summary').click();
    expect(await low.locator('details.evidence > :not(summary)').first().isVisible()).toBe(true);
    await low.locator('details.evidence > summary').click();
    await page.locator('section[aria-labelledby="findings"]').screenshot({ path: path.join(SHOTS, 'evidence-findings.png') });
    await page.locator('#findings').evaluate((h) => h.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, 'evidence-findings-top.png') });
  });

  it('shows separation of duties per production deployment, and no ✓ on the self-approved hotfix', async () => {
    const table = page.locator('section[aria-labelledby="approvals"] table.approvals');
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toEqual(['Service', 'Environment', 'Version', 'Pull requests (author, reviewers)', 'Approvals', 'Deployed', 'Separation', 'Passed before']);
    const hotfix = table.locator('tbody tr', { hasText: 'payments-api' }).filter({ hasText: '2.4.1' });
    expect(await hotfix.count()).toBe(1);
    const text = (await hotfix.textContent())!;
    expect(text).not.toContain('✓');
    expect(text).toContain('#115 by dana, reviewed by frank');
    expect(text).toContain('self-approved: carol approved their own change (deployed it and approved the deployment)');
    expect(text).toContain('by carol');
    expect(await hotfix.locator('a[href="#finding-approval.self/payments-api/prod"]').count()).toBe(1);
    // No green anywhere in the row: the badge is amber, nothing is styled as approved.
    const green = await hotfix.evaluate((row) => [...row.querySelectorAll('*')].filter((e) => e.classList.contains('appr-met')).length);
    expect(green).toBe(0);
    await page.locator('section[aria-labelledby="approvals"]').screenshot({ path: path.join(SHOTS, 'evidence-approvals.png') });
  });

  it('an environment page says each production deployment and its approval in one row a service; a separate one says so in words, with its ✓', async () => {
    const env = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await env.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
    expect((await env.goto(server.url('/days/2026-03-14/environments/prod/')))?.status()).toBe(200);
    // One table: no second approvals table repeats the services.
    expect(await env.locator('table.approvals').count()).toBe(0);
    const rows = env.locator('table.vs tbody tr');
    expect(await rows.count()).toBe(await env.locator('table.vs tbody th[scope="row"]').count());
    const auth = rows.filter({ hasText: 'auth-service' });
    expect(await auth.locator('.badge').textContent()).toBe('✓ separate');
    expect(await auth.locator('td').last().textContent()).toBe('✓ separate 1 of 1 · bob');
    const hotfix = rows.filter({ hasText: '2.4.1' });
    expect(await hotfix.textContent()).not.toContain('✓');
    expect(await hotfix.textContent()).toContain('self-approved: carol approved their own change (deployed it and approved the deployment)');
    await env.locator('section[aria-labelledby="matrix"]').screenshot({ path: path.join(SHOTS, 'evidence-approvals-environment.png') });
    await env.close();
  });

  it("an environment page's row links its change page, which holds the approvers, times, deployer, path and verdict", async () => {
    const env = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await env.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
    await env.goto(server.url('/days/2026-03-14/environments/prod/'));
    const hotfix = env.locator('table.vs tbody tr').filter({ hasText: '2.4.1' });
    // The service's own page from its name; the change's evidence page from the running version, once.
    const links = (await hotfix.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).filter((h) => h?.startsWith('/changes/'));
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^\/changes\/payments-api\.prod\.\d{8}T\d{6}Z\.[0-9a-f]{10}\/$/);
    await hotfix.locator('a[href^="/changes/"]').click();
    await expect.poll(() => env.url()).toBe(server.url(links[0]!));
    const facts = Object.fromEntries(
      await env.locator('dl.change-facts > div').evaluateAll((divs) => divs.map((d) => [d.querySelector('dt')!.textContent!, d.querySelector('dd')!.textContent!])),
    ) as Record<string, string>;
    expect(facts['Version']).toBe('2.4.1');
    expect(facts['Approvals']).toMatch(/^carol approved the deployment \(own change\), \d{4}-\d\d-\d\d \d\d:\d\d UTC — (at the deployment|\d+ min (before|after) the deployment)/);
    expect(facts['Approvals counted']).toBe('0 of 1 required, by someone other than the deployer (carol)');
    expect(facts['Deployed by']).toBe('carol');
    expect(facts['Deployed at']).toMatch(/^2026-03-1\d \d\d:\d\d UTC$/);
    expect(facts['Separation of duties']).toBe('self-approved (self)');
    expect(facts['Verdict']).toContain('self-approved: carol approved their own change (deployed it and approved the deployment) [approval.self/payments-api/prod]');
    expect(facts['Previous environment']).toBe('staging');
    expect(facts['Promotion path']).toBeTruthy();
    expect(facts['Environment']).toBe('prod (production)');
    await env.close();
  });

  it('an environment page at 390 px: no sideways scroll, and its compact tables fit the phone whole', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
    await phone.goto(server.url('/days/2026-03-14/environments/prod/'));
    await phone.screenshot({ path: path.join(SHOTS, 'environment-phone.png'), fullPage: true });
    expect(await phone.evaluate(() => document.scrollingElement!.scrollWidth)).toBe(390);
    // The one versions-and-approvals table fits the phone whole: nothing to scroll, even inside its wrapper.
    const overflow = await phone.locator('table.vs, table.approvals').evaluateAll((ts) => ts.map((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth));
    expect(overflow).toEqual([0]);
    await phone.close();
  });

  it('an environment page prints on A4: nothing wider than the paper, every compact row and its verdict on it', async () => {
    const paper = await browser.newPage({ viewport: { width: A4_CONTENT_PX, height: 1100 } });
    await paper.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
    await paper.goto(server.url('/days/2026-03-14/environments/prod/'));
    // Each cell of each row: a row's cells print side by side, so the PDF's text runs cell by cell.
    // Screen-reader words (.sr) are not drawn, so not printed.
    const rows = await paper.locator('table.vs tbody tr > *').evaluateAll((cells) =>
      cells.map((c) => {
        const copy = c.cloneNode(true) as Element;
        copy.querySelectorAll('.sr').forEach((e) => e.remove());
        return copy.textContent ?? '';
      }),
    );
    expect(rows.length).toBeGreaterThan(8);
    await paper.emulateMedia({ media: 'print', colorScheme: 'light' });
    expect(await paper.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(A4_CONTENT_PX);
    const pdf = path.join(SHOTS, 'print-environment.pdf');
    await writeFile(pdf, await paper.pdf({ format: 'A4', printBackground: false }));
    expect(execFileSync('/usr/bin/pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/Page size:\s+595\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    const squash = (text: string) => text.replace(/\s+/g, '');
    const printed = squash(execFileSync('/usr/bin/pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' }));
    expect(rows.filter((r) => !printed.includes(squash(r)))).toEqual([]);
    await paper.close();
  });

  it('keeps low findings short whatever their evidence: where the changes start, and how tall the findings are', async () => {
    const figures = await page.evaluate(() => ({
      page: document.documentElement.scrollHeight,
      findings: document.querySelector('section[aria-labelledby="findings"]')!.getBoundingClientRect().height,
      changesAt: document.querySelector('#changes')!.getBoundingClientRect().top + window.scrollY,
      lowTallest: Math.max(...[...document.querySelectorAll('article.sev-border-low, article.sev-border-info')].map((a) => a.getBoundingClientRect().height)),
    }));
    // Before this change the same page was 10,521 px, its findings 7,963 px, the changes at 8,839 px.
    console.log(`day page ${Math.round(figures.page)} px; findings ${Math.round(figures.findings)} px; changes start at ${Math.round(figures.changesAt)} px; tallest low finding ${Math.round(figures.lowTallest)} px`);
    // A collapsed low finding is its heading, resolution and ids: a few lines, whatever its evidence holds.
    expect(figures.lowTallest).toBeLessThan(400);
  });
});
