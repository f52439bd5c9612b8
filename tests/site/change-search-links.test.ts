/**
 * "Where is my change?" links each answer to the change page of the
 * deployment it names (docs/site.md "Where is my change?"), from a real build
 * of the fixture ledger:
 *
 * - `/changes/services/NAME.json`, which the `/changes/` search shows, gives
 *   each environment cell that names a deployment with a change page that
 *   page's address (base path included), and every such address is a built
 *   page showing that deployment: its service, version, environment and time;
 * - the service pages' static table (readable without JavaScript) links the
 *   same cells to the same pages;
 * - a deployment without a change page (an environment requiring no
 *   approvals), and a cell naming no deployment, link nothing.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { changeOfDeployment, type ChangeEntry } from '../../src/site/audit-index.ts';
import { prWhereDeployment, prWhereText, type ServiceDetail } from '../../src/views/index.ts';
import { FIXTURE_SERVICES, writeSiteFixture } from '../helpers/site-fixture.ts';

let work: string;
const out = () => path.join(work, 'site');
const details = new Map<string, ServiceDetail>();

/** The built file an address inside the site resolves to. */
const fileOf = (address: string) => path.join(out(), decodeURIComponent(address), 'index.html');

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-change-links-'));
  await writeSiteFixture(path.join(work, 'ledger'));
  await buildSite({ snapshotsDir: path.join(work, 'ledger'), outDir: out(), logLevel: 'error' });
  for (const name of (await readdir(path.join(out(), 'changes', 'services'))).filter((f) => f.endsWith('.json'))) {
    const detail = JSON.parse(await readFile(path.join(out(), 'changes', 'services', name), 'utf8')) as ServiceDetail;
    details.set(detail.service, detail);
  }
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the search\'s answers link their change pages', () => {
  it('every linked cell reaches a built change page of the deployment its words name', async () => {
    let links = 0;
    for (const service of FIXTURE_SERVICES) {
      const detail = details.get(service)!;
      for (const [number, pr] of Object.entries(detail.prs)) {
        for (const [environment, address] of Object.entries(pr.changes ?? {})) {
          links++;
          const where = { service, number, environment, address };
          expect(address, JSON.stringify(where)).toMatch(/^\/changes\/[A-Za-z0-9._-]+\.\d{8}T\d{6}Z\.[0-9a-f]{10}\/$/);
          expect(existsSync(fileOf(address)), JSON.stringify(where)).toBe(true);
          const page = await readFile(fileOf(address), 'utf8');
          const deployment = prWhereDeployment(pr.now[environment], pr.environments[environment])!;
          const last = pr.environments[environment]!.at(-1)!;
          // Present: the deployment that brought it (its version); removed: the one that took it out.
          if (deployment.at === last.since) expect(page, JSON.stringify(where)).toContain(`<h1>${service} ${last.version} in ${environment}</h1>`);
          else expect(page, JSON.stringify(where)).toContain(`in ${environment}</h1>`);
          expect(page, JSON.stringify(where)).toContain(`<dt>Deployed at</dt><dd>${deployment.at.slice(0, 10)} ${deployment.at.slice(11, 16)} UTC</dd>`);
        }
      }
    }
    // payments-api #101 and #102 (2.4.0) and #115 (2.4.1) in prod: every prod cell that names a deployment (below).
    expect(links).toBe(3);
    // The hotfix PAY-99 (#115) reached prod with payments-api 2.4.1: its cell opens that change, which names it.
    const hotfix = details.get('payments-api')!.prs['115']!;
    expect(prWhereText(hotfix.now['prod'], hotfix.environments['prod']).text).toBe('✓ since 2026-03-12 22:30 UTC (2.4.1)');
    const page = await readFile(fileOf(hotfix.changes!['prod']!), 'utf8');
    expect(page).toContain('<h1>payments-api 2.4.1 in prod</h1>');
    expect(page).toContain('#115 PAY-99 hotfix: double charge');
  });

  it('links no cell whose deployment has no change page, and no cell naming no deployment', () => {
    let unlinked = 0;
    for (const detail of details.values()) {
      for (const pr of Object.values(detail.prs)) {
        for (const environment of Object.keys(pr.now)) {
          const deployment = prWhereDeployment(pr.now[environment], pr.environments[environment]);
          if (!deployment) expect(pr.changes?.[environment]).toBeUndefined();
          // The fixture's environments other than prod require no approvals: no change pages there; every prod deployment has one.
          if (environment !== 'prod') expect(pr.changes?.[environment]).toBeUndefined();
          else if (deployment) expect(pr.changes?.[environment]).toBeDefined();
          if (!pr.changes?.[environment]) unlinked++;
        }
      }
    }
    expect(unlinked).toBeGreaterThan(10);
  });

  it('the service pages\' static tables link the same cells to the same pages, escaped, without JavaScript', async () => {
    let checked = 0;
    for (const service of FIXTURE_SERVICES) {
      const html = await readFile(path.join(out(), 'services', service, 'index.html'), 'utf8');
      const section = html.slice(html.indexOf('id="prs"'));
      const linked = [...section.matchAll(/<a href="(\/changes\/[^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1]!, m[2]!] as const);
      const expected = Object.values(details.get(service)!.prs).flatMap((pr) =>
        Object.entries(pr.changes ?? {}).map(([environment, address]) => [address, prWhereText(pr.now[environment], pr.environments[environment]).text] as const),
      );
      expect(new Set(linked.map(([a, t]) => `${a} ${t}`))).toEqual(new Set(expected.map(([a, t]) => `${a} ${t}`)));
      for (const [address] of linked) expect(existsSync(fileOf(address)), address).toBe(true);
      checked += linked.length;
    }
    expect(checked).toBe(3);
  });
});

describe('changeOfDeployment', () => {
  const entry = (id: string, deployedAt: string, snapshot = '2026-03-13T020000Z'): ChangeEntry => ({ id, deployedAt, snapshot, production: true });

  it('finds the one change of a deployment by service, environment, time and recording snapshot', () => {
    const find = changeOfDeployment([entry('pay.prod.20260312T223000Z.0123456789', '2026-03-12T22:30:00Z'), entry('pay.prod.20260311T103000Z.abcdefabcd', '2026-03-11T10:30:00Z')]);
    expect(find('pay', 'prod', '2026-03-12T22:30:00Z', '2026-03-13T020000Z')).toBe('pay.prod.20260312T223000Z.0123456789');
    expect(find('pay', 'prod', '2026-03-12T22:30:00Z', '2026-03-14T020000Z')).toBeNull();
    expect(find('pay', 'staging', '2026-03-12T22:30:00Z', '2026-03-13T020000Z')).toBeNull();
    expect(find('pa', 'y.prod', '2026-03-12T22:30:00Z', '2026-03-13T020000Z')).toBeNull();
  });

  it('links nothing when names with dots leave two changes it could be', () => {
    const at = '2026-03-12T22:30:00Z';
    const find = changeOfDeployment([entry('a.b.c.20260312T223000Z.0123456789', at), entry('a.b.c.20260312T223000Z.9876543210', at)]);
    expect(find('a.b', 'c', at, '2026-03-13T020000Z')).toBeNull();
    expect(find('a', 'b.c', at, '2026-03-13T020000Z')).toBeNull();
  });
});
