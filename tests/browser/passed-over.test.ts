/**
 * Passed-over deployments on a built site, in Chromium: the fixture ledger
 * with a deployment outside prod's branch policy (its ref a script tag, a
 * right-to-left override and a long branch name; its finding from the real
 * rule, open the first night only) and one for a transient environment in
 * qa. The day's prod and qa environment pages and payments-api's day page
 * show them, with the finding while it stands and after it closed; days without
 * records show no section; at 390 px no page scrolls sideways, and printed
 * at A4 width nothing is wider than the paper.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendSnapshot } from '../../src/ledger/store.ts';
import type { PassedOver, Snapshot } from '../../src/model/index.ts';
import { evaluateRules } from '../../src/rules/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { findingAnchor } from '../../src/views/index.ts';
import { A4_CONTENT_PX, brokenWords, launchChromium, widerThan } from '../helpers/chromium.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';
import { commitFor } from '../helpers/snapshot-builder.ts';
import { serveStatic } from '../helpers/static-server.ts';

const SHOTS = path.resolve('test-results/screenshots');
const PHONE = { width: 390, height: 844 };
const RLO = '\u202e';
const REF = `feature/<script>window.__pwned=1</script>${RLO}exe.txt-PAY-4711-statement-preview-with-a-long-branch-name`;

const RECORDS: PassedOver[] = [
  {
    service: 'payments-api',
    environment: 'prod',
    source: 'github',
    deploymentId: 880011,
    ref: REF,
    refType: 'branch',
    commit: commitFor('payments-api-preview'),
    createdBy: `preview-bot${RLO}nimda`,
    createdAt: '2026-03-12T20:00:00Z',
    kind: 'outside-branch-policy',
    reason: `its branch ${REF} is outside the environment's deployment branch policy (main, release/*)`,
    branchPolicy: ['main', 'release/*'],
    url: 'https://github.example/acme/payments-api/actions/runs/880011',
  },
  {
    service: 'payments-api',
    environment: 'qa',
    source: 'github',
    deploymentId: 880012,
    ref: 'preview/pr-110',
    refType: 'branch',
    commit: commitFor('payments-api-pr-110'),
    createdBy: 'preview-bot',
    createdAt: '2026-03-12T21:00:00Z',
    kind: 'transient-environment',
    reason: 'it was made for a transient environment (transient_environment: true)',
  },
];
/** The fixture's snapshots that carry the records: 2026-03-13 and 2026-03-14 (takenAt 02:00Z). */
const WITH = new Set(['2026-03-13', '2026-03-14']);

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let findingId: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-passed-over-'));
  let previous: Snapshot['previous'] = null;
  let before: Snapshot | null = null;
  for (const s of fixtureSnapshots()) {
    const day = s.takenAt.slice(0, 10);
    let snapshot: Snapshot = { ...s, previous };
    if (WITH.has(day)) {
      snapshot = { ...snapshot, passedOver: RECORDS };
      // The finding as collect makes it: the real rule over the night, its since from the night before.
      const { findings: _f, ...draft } = snapshot;
      const own = evaluateRules({ draft, previous: before }).filter((f) => f.rule === 'deployment.outside-branch-policy');
      // It fires the night the deployment is first recorded; the next night what runs in prod is newer and it closes (rules/deployment.ts).
      expect([day, own.length]).toEqual([day, day === '2026-03-13' ? 1 : 0]);
      if (own[0]) findingId = own[0].id;
      snapshot = { ...snapshot, findings: [...snapshot.findings, ...own] };
    }
    const { sha256 } = await appendSnapshot(path.join(work, 'snapshots'), snapshot);
    previous = { id: snapshot.id, sha256 };
    before = snapshot;
  }
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const page = (p: string) => readFile(path.join(work, 'dist', p, 'index.html'), 'utf8');

describe('passed-over deployments on the built site', () => {
  it('the environment and service day pages show them, escaped and isolated, with the finding linked', async () => {
    const prod = await page('days/2026-03-13/environments/prod');
    const section = /<section aria-labelledby="passed-over">.*?<\/section>/s.exec(prod)?.[0] ?? '';
    expect(section).toContain('<a href="https://github.example/acme/payments-api/actions/runs/880011" rel="nofollow noopener">880011</a>');
    expect(section).toContain('<bdi class="mono">feature/&lt;script&gt;window.__pwned=1&lt;/script&gt;\\u202eexe.txt');
    expect(section).toContain('<bdi class="mono">preview-bot\\u202enimda</bdi>');
    expect(section).toContain(`/days/2026-03-13/#${findingAnchor(findingId)}">finding</a>`);
    expect(section).not.toContain('880012');
    expect(prod).not.toContain(RLO);
    expect(prod).not.toContain('<script>window.__pwned');
    expect(await page('days/2026-03-13/environments/qa')).toContain('made for a transient environment');
    const service = await page('days/2026-03-13/services/payments-api');
    expect(service).toContain(`<a href="#${findingAnchor(findingId)}">finding</a>`);
    expect(service).toContain(`id="${findingAnchor(findingId)}"`);
    expect(service).toMatch(/<td>qa<\/td>.*made for a transient environment/s);
    // The next night the finding is closed: the records still show, without a link.
    const closed = await page('days/2026-03-14/environments/prod');
    expect(closed).toContain('880011</a>');
    expect(closed).toContain('<span class="muted">no finding</span>');
    expect(closed).not.toContain(findingAnchor(findingId));
  });

  it('a page without records has no section', async () => {
    // Revision pages of days and pages without records (the day before; another service and environment the same day).
    const without = (await readdir(path.join(work, 'dist', 'days'), { recursive: true })).filter(
      (f) => f.endsWith('index.html') && /(environments|services)\//.test(f) && !/^2026-03-1[34]\/(environments\/(prod|qa)|services\/payments-api)\//.test(f),
    );
    expect(without.length).toBeGreaterThan(10);
    for (const f of without) expect([f, (await page(path.join('days', path.dirname(f)))).includes('passed-over')]).toEqual([f, false]);
  });

  it('no sideways scroll and no broken word at 390 px, nothing wider than A4 in print, and no injected script runs', async () => {
    for (const p of ['/days/2026-03-13/environments/prod/', '/days/2026-03-13/services/payments-api/']) {
      const tab = await browser.newPage({ viewport: PHONE });
      await tab.goto(server.url(p));
      await tab.locator('#passed-over').scrollIntoViewIfNeeded();
      expect(await tab.locator('#passed-over').isVisible()).toBe(true);
      const { scrollWidth, innerWidth } = await tab.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
      expect({ p, scrollWidth, wider: await widerThan(tab, innerWidth) }).toEqual({ p, scrollWidth: innerWidth, wider: [] });
      expect({ p, broken: await brokenWords(tab, 'section[aria-labelledby="passed-over"] :is(th, td)') }).toEqual({ p, broken: [] });
      expect(await tab.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await tab.setViewportSize({ width: A4_CONTENT_PX, height: 1100 });
      await tab.emulateMedia({ media: 'print', colorScheme: 'light' });
      expect({ p, wider: await widerThan(tab, A4_CONTENT_PX) }).toEqual({ p, wider: [] });
      await tab.emulateMedia({ media: 'screen' });
      await tab.setViewportSize(PHONE);
      await tab.locator('#passed-over').scrollIntoViewIfNeeded();
      await tab.screenshot({ path: path.join(SHOTS, `phone-passed-over-${p.split('/')[3]}.png`) });
      await tab.setViewportSize({ width: 1280, height: 900 });
      await tab.locator('#passed-over').scrollIntoViewIfNeeded();
      await tab.screenshot({ path: path.join(SHOTS, `desktop-passed-over-${p.split('/')[3]}.png`) });
      await tab.close();
    }
  });
});
