/**
 * The compacted pages (issue 23) read in Chromium still say what their
 * snapshot says: each compare page of the fixture's last day names every
 * service that differs and every one running the same build in both, and
 * every config key that differs; the service page gives each environment's
 * running version and status of each dependency and each environment's
 * value of each config key; the day page's matrix shows ⚠ exactly where a
 * drift.runtime finding stands and ≠ exactly where a drift.version one does,
 * and each cell's status in words for screen readers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { CELL_STATUS_LABEL, compareEnvironments, environmentGraph, neighbourhood } from '../../src/views/index.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { FIXTURE_ENVIRONMENTS, writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

const DAY = '2026-03-14';
let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let snapshots: Snapshot[];

/** The last snapshot of a day: what that day's pages show. */
const lastOf = (date: string) => snapshots.filter((s) => s.takenAt.startsWith(date)).at(-1)!;

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(server.url(url));
  expect(response?.status(), url).toBe(200);
  return page;
}

/** A table's body rows as cell texts, a `colspan` cell repeated over the columns it spans. */
const rowsOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((tables) =>
    tables.flatMap((t) => [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].flatMap((c) => Array<string>((c as HTMLTableCellElement).colSpan).fill(c.textContent ?? '')))),
  );

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-compact-'));
  snapshots = await writeSiteFixture(path.join(work, 'snapshots'));
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('compacted pages still say everything', () => {
  it('each compare page in force names every differing service, every service of the same build and every differing config key', async () => {
    const day = await open(`/days/${DAY}/`);
    const links = [...new Set(await day.locator('a[href*="/compare/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!)))];
    await day.close();
    // Four environments: five pairs, not dev...staging (src/views/compare.ts `comparePairs`).
    expect(links.length).toBe(5);
    for (const link of links) {
      const [, date, pair] = /\/days\/([^/]+)\/compare\/([^/]+)\//.exec(link)!;
      const [a, b] = pair!.split('...') as [string, string];
      const cmp = compareEnvironments(lastOf(date!), a, b);
      const page = await open(link);
      const section = page.locator('section[aria-labelledby="versions"]');
      expect((await rowsOf(page, 'section[aria-labelledby="versions"] table')).map((r) => r[0]), link).toEqual(cmp.diff.services.filter((x) => x.status !== 'same').map((x) => x.service));
      const same = cmp.diff.services.filter((x) => x.status === 'same');
      const sameText = same.length > 0 ? await section.locator('p.same').textContent() : '';
      for (const x of same) expect(sameText, link).toContain(`${x.service} (${x.a!.version})`);
      const configText = (await page.locator('section[aria-labelledby="configs"]').textContent()) ?? '';
      for (const c of cmp.diff.configs) {
        expect(configText, link).toContain(c.key);
        // Named, or said by "all" / "all but" (then never among the ones left out).
        if (!configText.includes(c.service)) expect(configText).toMatch(/in all \d+ services/);
      }
      await page.close();
    }
  });

  it('the service page gives each environment its dependency versions and statuses, and its config values', async () => {
    const s = lastOf(DAY);
    const page = await open(`/days/${DAY}/services/payments-api/`);
    const models = FIXTURE_ENVIRONMENTS.map((e) => neighbourhood(environmentGraph(s, e), 'payments-api'));
    const heads = await page.locator('section[aria-labelledby="deps"] thead th').allTextContents();
    expect(heads).toEqual(['From', 'To', 'Accepted range', ...FIXTURE_ENVIRONMENTS]);
    const rows = await rowsOf(page, 'section[aria-labelledby="deps"] table');
    expect(rows.length).toBe(models[0]!.edges.length);
    const status = { ok: '✓ met', incompatible: '✗ not met', unknown: '? unknown' };
    models[0]!.edges.forEach((edge, i) => {
      expect(rows[i]!.slice(0, 3)).toEqual([edge.from, edge.to, edge.range]);
      models.forEach((m, j) => expect(rows[i]![3 + j], `${edge.from} → ${edge.to} in ${m.environment}`).toBe(`${m.edges[i]!.running ?? '—'} ${status[m.edges[i]!.status]}`));
    });
    // Configuration: each environment's value of each key, once for all where they agree, else in that environment's column.
    const same = new Map((await rowsOf(page, 'section[aria-labelledby="config"] h3:has-text("The same in") + .table-wrap table')).map(([k, v]) => [k!, v!]));
    const differTable = 'section[aria-labelledby="config"] h3:has-text("Different by environment") + .table-wrap table.cfg';
    const differ = await rowsOf(page, differTable);
    const columns = (await page.locator(`${differTable} thead th`).allTextContents()).slice(1);
    const records = s.configs.filter((c) => c.service === 'payments-api');
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) {
      for (const [key, v] of Object.entries(r.values)) {
        const shown = v !== null && typeof v === 'object' ? /^\((redacted|secret)/ : new RegExp(`^${JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
        const cell = same.get(key) ?? differ.find((row) => row[0] === key)?.[1 + columns.indexOf(r.environment)];
        expect(cell, `${key} in ${r.environment}`).toMatch(shown);
      }
    }
    await page.close();
  });

  it('the day page matrix: ⚠ exactly where drift.runtime stands, ≠ exactly where drift.version does, each cell its status in words', async () => {
    const s = lastOf(DAY);
    const page = await open(`/days/${DAY}/`);
    const cells = await page.locator('table.matrix').first().evaluate((table) => {
      const environments = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.querySelector('a')?.textContent?.trim() ?? '');
      return [...table.querySelectorAll('tbody tr')].flatMap((tr) => {
        const service = tr.querySelector('th a')?.textContent?.trim() ?? '';
        return [...tr.querySelectorAll('td')].map((td, i) => ({ service, environment: environments[i]!, text: td.textContent ?? '', status: td.className, words: td.querySelector('.sr')?.textContent ?? '' }));
      });
    });
    expect(cells.length).toBe(s.services.filter((x) => x.kind === 'service').length * FIXTURE_ENVIRONMENTS.length);
    const has = (rule: string, c: { service: string; environment: string }) => s.findings.some((f) => f.rule === rule && f.service === c.service && f.environment === c.environment);
    expect(cells.filter((c) => c.text.includes('⚠') !== has('drift.runtime', c))).toEqual([]);
    expect(cells.filter((c) => c.text.includes('≠') !== has('drift.version', c))).toEqual([]);
    // More than one status shows, so the words are checked against more than one label.
    expect(new Set(cells.map((c) => c.status)).size).toBeGreaterThan(1);
    // A ✓ cell (most of them) has no class and its mark is read aloud as it is, the caption saying what it means (issue 23).
    for (const c of cells) expect(c.words).toBe(c.status === '' ? '' : ` (${CELL_STATUS_LABEL[c.status as keyof typeof CELL_STATUS_LABEL].text})`);
    expect(cells.filter((c) => c.status === '').length).toBeGreaterThan(0);
    expect(cells.filter((c) => (c.status === '') !== c.text.startsWith('✓'))).toEqual([]);
    await page.close();
  });
});
