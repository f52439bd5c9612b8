/**
 * The demo's home page, as CI built it (`npm run demo -- --no-serve` writes
 * examples/acme/dist), read in Chromium: every ⚠ and ≠ a reader sees in the
 * matrix stands on a finding of the head snapshot (drift.runtime,
 * drift.version), and every such finding shows. Issue 18's defect was 47 red
 * ⚠ on cells whose builds were the same. A screenshot is kept in
 * test-results/demo-home.png. Run by `.ci/run` after the demo build
 * (`npm run test:demo-site`), not by `npm test`, which builds no demo site.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';

const DEMO = path.resolve('examples/acme');
const SNAPSHOTS = path.join(DEMO, 'content', 'snapshots');

interface Finding {
  rule: string;
  service: string | null;
  environment: string | null;
  status: string;
}

let browser: Browser;
let cells: { service: string; environment: string; text: string; className: string }[] = [];
let findings: Finding[] = [];

beforeAll(async () => {
  const ids = (await readdir(SNAPSHOTS)).filter((f) => f.endsWith('.json')).sort();
  const head = JSON.parse(await readFile(path.join(SNAPSHOTS, ids.at(-1)!), 'utf8')) as { findings: Finding[] };
  findings = head.findings;
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(path.join(DEMO, 'dist', 'index.html')).href);
  cells = await page.$$eval('table.matrix', (tables) => {
    const table = tables[0]!;
    const environments = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.querySelector('a')?.textContent?.trim() ?? '');
    return [...table.querySelectorAll('tbody tr')].flatMap((tr) => {
      const service = tr.querySelector('th a')?.textContent?.trim() ?? '';
      return [...tr.querySelectorAll('td')].map((td, i) => ({ service, environment: environments[i] ?? '', text: td.textContent ?? '', className: td.className }));
    });
  });
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/demo-home.png', fullPage: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('the demo home page in Chromium', () => {
  it('shows the whole matrix of the head snapshot', () => {
    expect(cells.length).toBeGreaterThan(50);
    expect(new Set(cells.map((c) => c.environment)).size).toBeGreaterThan(2);
  });

  it('shows ⚠ exactly where the head snapshot holds a drift.runtime finding', () => {
    const has = (rule: string, c: { service: string; environment: string }) => findings.some((f) => f.rule === rule && f.service === c.service && f.environment === c.environment);
    const wrong = cells.filter((c) => c.text.includes('⚠') !== has('drift.runtime', c)).map((c) => `${c.service}/${c.environment}: ⚠ ${c.text.includes('⚠')}`);
    expect(wrong).toEqual([]);
  });

  it('shows ≠ exactly where the head snapshot holds a drift.version finding', () => {
    const has = (c: { service: string; environment: string }) => findings.some((f) => f.rule === 'drift.version' && f.service === c.service && f.environment === c.environment);
    const wrong = cells.filter((c) => c.text.includes('≠') !== has(c)).map((c) => `${c.service}/${c.environment}: ≠ ${c.text.includes('≠')}`);
    expect(wrong).toEqual([]);
  });

  it('marks most cells ✓ aligned, as the demo\'s builds mostly are', () => {
    // A ✓ cell carries no class (site.css styles a classless matrix cell as aligned) and says its mark first.
    const aligned = cells.filter((c) => c.className === '' && c.text.trim().startsWith('✓')).length;
    expect(aligned / cells.length).toBeGreaterThan(0.5);
  });
});
