/**
 * Case 17.6 — every name the config schema accepts builds and links. Service
 * and environment names are generated from the schema's own grammar
 * (`NAME_PATTERN` in src/model/config.ts, through fast-check's
 * `stringMatching`), together with the names that broke the site before
 * (`qa.`, `x...y`: `compare/qa....prod` was split on `...`) and names that
 * look like the site's own path parts (`next`, `index.html`, `revisions.json`).
 * Each world goes through the real CLI collect and the real incremental build
 * on two nights (the second reuses the first's pages); then every
 * `href`/`src` of every built page is resolved as a browser resolves it
 * (WHATWG `URL` against the page's address) and fetched from a static server
 * on 127.0.0.1: each one must answer 200, and each environment, compare and
 * service page must exist at the address `paths` gives it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAME_PATTERN } from '../../src/model/config.ts';
import { comparePairs, compareSeparator, paths, revisionOn } from '../../src/views/index.ts';
import { runCli } from '../helpers/cli.ts';
import { serveStatic } from '../helpers/static-server.ts';
import { buildSite } from '../../src/site/build.ts';
import { commitOf, recordFigure, SEED, useTempRoot, writeInventory, writeWorld } from './world.ts';

const tempRoot = useTempRoot('names');
const WORLDS = 4;
const PER_WORLD = 6;
/** Names that broke the site or that look like the site's own path parts; the first worlds start with them. */
const EDGE = ['qa.', 'x...y', 'x', 'y...prod', 'prod', 'a..', 'next', 'index.html', 'revisions.json', 'Z'.repeat(100), '0', 'a_-.'];

/** World `w`'s environment and service names: the edge names in both roles in the first two worlds, then generated ones (distinct in each world). */
function worldNames(generated: string[], w: number): { environments: string[]; services: string[] } {
  if (w === 0) return { environments: EDGE.slice(0, 6), services: EDGE.slice(6) };
  if (w === 1) return { environments: EDGE.slice(6), services: EDGE.slice(0, 6) };
  const unique = [...new Set(generated.slice((w - 2) * PER_WORLD * 4))];
  return { environments: unique.slice(0, PER_WORLD), services: unique.slice(PER_WORLD, PER_WORLD * 2) };
}

/** Every service in every environment; on night 1 the first environment moves to a new version, so the second day differs. */
function inventory(environments: string[], services: string[], night: number) {
  return {
    deployments: services.flatMap((service) =>
      environments.map((environment, e) => {
        const version = `1.${night === 1 && e === 0 ? 2 : e % 2}.0`;
        return { service, environment, version, commit: commitOf(`${service}-${version}`), deployedAt: night === 1 && e === 0 ? '2026-03-13T10:00:00Z' : '2026-03-01T10:00:00Z', deployedBy: 'alice' };
      }),
    ),
  };
}

/** Every `href="…"`/`src="…"` in a page (attribute values are HTML-escaped). */
function linksIn(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&').replaceAll('&#38;', '&').replaceAll('&quot;', '"'));
}

describe('names the schema accepts', () => {
  it('build, and every link of every page resolves', async ({ task }) => {
    const generated = fc.sample(fc.stringMatching(NAME_PATTERN), { seed: SEED, numRuns: WORLDS * PER_WORLD * 4 });
    expect(generated.every((name) => NAME_PATTERN.test(name))).toBe(true);
    const problems: string[] = [];
    let links = 0;
    let pagesChecked = 0;
    let built = 0;
    let names = 0;
    for (let w = 0; w < WORLDS; w++) {
      const { environments, services } = worldNames(generated, w);
      names += environments.length + services.length;
      const dir = path.join(await tempRoot(), 'ledger');
      const configFile = await writeWorld(dir, {
        services,
        inventory: inventory(environments, services, 0),
        extra: { environments: environments.map((name, e) => ({ name, production: e === environments.length - 1 })) },
      });
      const outDir = path.join(dir, 'dist');
      // Two nights, each collect followed by an incremental build (as the CLI builds): the second reuses the first's pages.
      let failed: string | undefined;
      for (const [night, at] of ['2026-03-13T02:00:00Z', '2026-03-14T02:00:00Z'].entries()) {
        if (night === 1) await writeInventory(dir, inventory(environments, services, 1));
        const run = await runCli(['collect', '--config', configFile, '--at', at], { cwd: dir });
        if (run.code !== 0 && run.code !== 3 && run.code !== 4) {
          failed = `collect exit ${run.code}: ${run.stderr.trim()}`;
          break;
        }
        failed = await buildSite({ snapshotsDir: path.join(dir, 'content/snapshots'), outDir, siteName: 'Names Org', logLevel: 'error', incremental: true }).then(
          () => undefined,
          (error: Error) => `build failed: ${error.message}`,
        );
        if (failed !== undefined) break;
      }
      if (failed !== undefined) {
        problems.push(`world ${w} (${[...environments, ...services].join(', ')}): ${failed}`);
        continue;
      }
      built++;
      const server = await serveStatic(outDir);
      try {
        const status = new Map<string, number>();
        const fetchStatus = async (url: string) => {
          if (!status.has(url)) status.set(url, (await fetch(url)).status);
          return status.get(url)!;
        };
        // The pages each name must have, where `paths` puts them: an environment's and a pair's page in
        // force each day (written on their revision days only, src/views/revisions.ts; the first day is one).
        const revisions = (await (await fetch(server.url(paths.environmentRevisions()))).json()) as Record<'environments' | 'compare', Record<string, { days: string[] }>>;
        const inForce = (kind: 'environments' | 'compare', name: string, date: string) => revisionOn(revisions[kind][name]?.days ?? [], date) ?? date;
        const expected = ['2026-03-13', '2026-03-14'].flatMap((date) => [
          ...environments.map((e) => paths.dayEnvironment(inForce('environments', e, date), e)),
          ...comparePairs(environments, environments.slice(-1)).map(([a, b]) => paths.compare(inForce('compare', `${a}${compareSeparator(a, b)}${b}`, date), a, b)),
        ]);
        expect(revisions.environments[environments[0]!]?.days[0]).toBe('2026-03-13');
        expected.push(...services.map((s) => paths.service(s)));
        for (const page of expected) if ((await fetchStatus(server.url(page))) !== 200) problems.push(`world ${w}: no page at ${page}`);
        // Every link of every built page, resolved as a browser resolves it.
        const files = (await readdir(outDir, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile() && e.name.endsWith('.html'))
          .map((e) => path.relative(outDir, path.join(e.parentPath, e.name)))
          .sort();
        for (const file of files) {
          const relative = file.split(path.sep).join('/');
          const pageUrl = server.url(`/${relative.endsWith('index.html') ? relative.slice(0, -'index.html'.length) : relative}`);
          pagesChecked++;
          for (const link of linksIn(await readFile(path.join(outDir, file), 'utf8'))) {
            const target = new URL(link, pageUrl);
            if (target.origin !== new URL(pageUrl).origin) continue;
            target.hash = '';
            links++;
            const code = await fetchStatus(target.href);
            if (code !== 200) problems.push(`world ${w}: ${relative} links to ${link}: ${code}`);
          }
        }
      } finally {
        await server.close();
      }
    }
    recordFigure(task, {
      case: '17.6 schema names: collect -> build -> every link',
      runs: names,
      result: `${built}/${WORLDS} sites built; ${problems.length} broken of ${links} links on ${pagesChecked} pages`,
      target: 'every accepted name builds; 0 broken links',
      pass: built === WORLDS && problems.length === 0 && links > 0,
      detail: `${WORLDS} worlds of ${PER_WORLD} environments + ${PER_WORLD} services, two nights each (incremental build); names from NAME_PATTERN plus ${EDGE.length} edge names`,
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(built).toBe(WORLDS);
    expect(links).toBeGreaterThan(0);
  }, 300_000);
});
