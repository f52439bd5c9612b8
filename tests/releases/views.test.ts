/** The release views and their HTML over a small ledger written through the real rules and chain (tests/releases/ledger.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/snapshot.ts';
import { buildLedgerIndex, releaseNamed, releasesInFlight, releasesListHtml, releasesOverview, releaseTimeline, releaseTimelineHtml, releaseView } from '../../src/views/index.ts';
import { day } from './world.ts';
import { writeReleaseLedger } from './ledger.ts';

let dir: string;
let snaps: Snapshot[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-release-views-'));
  snaps = await writeReleaseLedger(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const on = (n: number) => snaps[n - 2]!;
const states = (s: Snapshot, name: string) => Object.fromEntries(releaseView(s, name)!.states.map((x) => [x.environment, x.state]));

describe('release views', () => {
  it('the declared release lands cleanly: qa on day 3, prod on day 4, superseded in qa once api 1.2.0 arrives', () => {
    expect(states(on(2), 'checkout')).toEqual({ dev: 'not-started', qa: 'not-started', prod: 'not-started' });
    expect(states(on(3), 'checkout')).toEqual({ dev: 'not-started', qa: 'complete', prod: 'not-started' });
    expect(states(on(4), 'checkout')).toEqual({ dev: 'not-started', qa: 'complete', prod: 'complete' });
    expect(states(on(5), 'checkout')).toEqual({ dev: 'superseded', qa: 'superseded', prod: 'complete' });
    expect(snaps.flatMap((s) => s.findings.filter((f) => f.rule === 'release.partial' && f.evidence['release'] === 'checkout'))).toEqual([]);
  });

  it('the lagging ticket: partial in qa from day 5, the finding opens on day 7 and is gone on day 10', () => {
    expect(states(on(5), 'PAY-7')).toEqual({ dev: 'complete', qa: 'partial', prod: 'not-started' });
    const open = snaps.map((s) => [s.id.slice(0, 10), s.findings.filter((f) => f.rule === 'release.partial').map((f) => f.id)]);
    expect(open).toEqual([
      ['2026-03-02', []],
      ['2026-03-03', []],
      ['2026-03-04', []],
      ['2026-03-05', []],
      ['2026-03-06', []],
      ['2026-03-07', ['release.partial/web/qa/PAY-7']],
      ['2026-03-08', ['release.partial/web/qa/PAY-7']],
      ['2026-03-09', ['release.partial/web/qa/PAY-7']],
      ['2026-03-10', []],
    ]);
    expect(states(on(10), 'PAY-7')).toEqual({ dev: 'complete', qa: 'complete', prod: 'not-started' });
  });

  it('the oversized production deployment is release.mixed-scope from day 7 on', () => {
    expect(on(7).findings.filter((f) => f.rule === 'release.mixed-scope').map((f) => [f.service, f.environment, f.evidence['units']])).toEqual([['mobile', 'prod', 7]]);
    expect(on(6).findings.filter((f) => f.rule === 'release.mixed-scope')).toEqual([]);
  });

  it('overview, blast radius and day page lists', () => {
    const s = on(6);
    expect(releasesOverview(s).map((r) => [r.name, r.kind, r.owner])).toEqual([
      ['checkout', 'declared', 'team-payments'],
      ['PAY-7', 'found', null],
    ]);
    const view = releaseView(s, 'checkout')!;
    // mobile depends on api, a component; web and api are components themselves.
    expect(view.blastRadius.map((r) => [r.environment, r.dependents.map((d) => `${d.service} via ${d.via}`)])).toEqual([
      ['dev', ['mobile via api']],
      ['qa', ['mobile via api']],
      ['prod', ['mobile via api']],
    ]);
    expect(releasesInFlight(s)).toMatchObject({ partial: [{ name: 'PAY-7' }], inFlight: [] });
    expect(releasesInFlight(on(3))).toMatchObject({ partial: [], inFlight: [{ name: 'checkout' }] });
  });

  it('the timeline from the cross-day index agrees with each day’s snapshot (no gaps in this ledger)', () => {
    const index = buildLedgerIndex(snaps);
    const release = releaseNamed(on(10), 'PAY-7')!;
    const timeline = releaseTimeline(index, release);
    expect(timeline.map((d) => d.date)).toEqual(snaps.map((s) => s.id.slice(0, 10)));
    // Before day 5 no snapshot knew the ticket: nothing had arrived.
    for (const [i, d] of timeline.entries())
      expect(Object.fromEntries(d.states.map((x) => [x.environment, x.state]))).toEqual(i < 3 ? { dev: 'not-started', qa: 'not-started', prod: 'not-started' } : states(snaps[i]!, 'PAY-7'));
    expect(timeline[5]!.states.find((x) => x.environment === 'qa')!.missing).toEqual([{ service: 'web', running: '1.1.0' }]);
    const table = releaseTimelineHtml(timeline, (p) => p).value;
    expect(table).toContain('<a href="/days/2026-03-07/">2026-03-07</a>');
    expect(table).toContain('<div data-component="web">✗ web 1.1.0</div>');
    expect(table).toContain('<div class="muted" data-component="api">✓ api 1.2.0</div>');
    expect(day(7)).toBe('2026-03-07T02:00:00Z');
  });

  it('list HTML escapes what it shows and says when there is nothing', () => {
    const list = releasesListHtml(releasesOverview(on(6)), ['dev', 'qa', 'prod'], (p) => `/base${p}`, 'caption').value;
    expect(list).toContain('<a href="/base/releases/checkout/">checkout</a>');
    expect(list).toContain('data-state="partial"');
    expect(releasesListHtml([], [], (p) => p, 'c').value).toContain('No releases');
    const hostile = releasesListHtml([{ name: '<b>x', kind: 'declared', owner: '"o"', planned: null, components: [], states: [], openFindings: 0 }], [], (p) => p, 'c').value;
    expect(hostile).not.toContain('<b>x');
    expect(hostile).toContain('&lt;b&gt;x');
  });
});

describe('the day page section', () => {
  it('says so when the snapshot predates release tracking, rather than "none partial"', async () => {
    const { releasesInFlightHtml } = await import('../../src/views/index.ts');
    expect(releasesInFlightHtml({ inFlight: [], partial: [] }, (p) => p, false).value).toContain('before the ledger recorded releases');
    expect(releasesInFlightHtml({ inFlight: [], partial: [] }, (p) => p).value).toContain('No release is partial or in flight this day');
  });
});

describe('names without a page', () => {
  it('a ticket key a custom pattern found that is not a URL-safe name is listed without a link (no page is built for it)', async () => {
    const { releasesListHtml, hasReleasePage } = await import('../../src/views/index.ts');
    expect([hasReleasePage('PAY-7'), hasReleasePage('JIRA/12'), hasReleasePage('#12')]).toEqual([true, false, false]);
    const list = releasesListHtml([{ name: 'JIRA/12', kind: 'found', owner: null, planned: null, components: [], states: [], openFindings: 0 }], [], (p) => p, 'c').value;
    expect(list).toContain('JIRA/12');
    expect(list).not.toContain('href="/releases/');
  });
});
