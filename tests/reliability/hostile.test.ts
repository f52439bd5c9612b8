/**
 * Case 6 — hostile strings. Generated strings made of HTML, script tags,
 * event handlers, `javascript:` URLs, path traversal, control characters, RTL
 * overrides and very long text go into every name and free-text field of the
 * config and the inventory, then through collect -> build -> Chromium.
 *
 * - Names that become URLs and file paths (services, environments, sources)
 *   are refused by the config schema: one line, exit 2, nothing written.
 * - Everything else is data: collect writes only its snapshot, inside the
 *   ledger folder; the build writes only inside its output folder.
 * - Every built page opened in Chromium stays inert: no dialog, no injected
 *   script runs (`window.__pwned` stays unset), no `javascript:` link.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { serveStatic } from '../helpers/static-server.ts';
import { siteBuilder } from './site.ts';
import { baseInventory, commitOf, recordFigure, SEED, treeState, useTempRoot, writeWorld } from './world.ts';

const tempRoot = useTempRoot('hostile');
const FRAGMENTS = [
  '<script>window.__pwned=1;alert(1)</script>',
  '<img src=x onerror="window.__pwned=1;alert(2)">',
  '"><svg onload=window.__pwned=1>',
  "'><iframe src=javascript:window.__pwned=1>",
  'javascript:window.__pwned=1//',
  '../../x',
  '..\\..\\x',
  '/etc/passwd',
  '\u202Egnp.exe',
  '\u0000\u0007\u001b[31m\u007f',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '</textarea></title><style>*{display:none}</style>',
  'L'.repeat(3000),
];
const hostileArb = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));
const HOSTILE_NAMES = ['../../x', '..', 'a/b', '<script>x</script>', 'x\u202Ey', 'con\u0000', `${'n'.repeat(300)}`, 'javascript:alert(1)'];

describe('hostile strings', () => {
  it('names that reach URLs or paths are refused by the config schema; nothing is written', async ({ task }) => {
    const root = await tempRoot();
    let refused = 0;
    const problems: string[] = [];
    for (const [index, name] of HOSTILE_NAMES.entries()) {
      for (const where of ['service', 'environment', 'source'] as const) {
        const dir = path.join(root, `${where}-${index}`, 'ledger');
        const configFile = await writeWorld(dir, {
          services: where === 'service' ? ['ok', name] : ['ok'],
          inventory: baseInventory(['ok']),
          ...(where === 'source' ? { sources: { [name]: { type: 'http' } } } : {}),
          ...(where === 'environment' ? { extra: { environments: [{ name: 'dev' }, { name }] } } : {}),
        });
        const before = await treeState(path.dirname(dir));
        const run = await runCli(['collect', '--config', configFile, '--at', '2026-03-14T02:00:00Z'], { cwd: dir });
        const after = await treeState(path.dirname(dir));
        const oneLine = run.stderr.trim().split('\n').length === 1;
        if (run.code === 2 && oneLine && JSON.stringify(before) === JSON.stringify(after)) refused++;
        else problems.push(`${where} named ${JSON.stringify(name)}: exit ${run.code}, ${run.stderr.trim()}`);
      }
    }
    const runs = HOSTILE_NAMES.length * 3;
    recordFigure(task, {
      case: '6a hostile names (service/env/source)',
      runs,
      result: `${refused}/${runs} refused with one line, nothing written`,
      target: 'refused; no file written',
      pass: refused === runs,
    });
    expect(problems).toEqual([]);
  });

  it('hostile strings in every free-text field stay data: files only in the ledger and output folders, inert in Chromium', async ({ task }) => {
    const strings = fc.sample(hostileArb, { seed: SEED, numRuns: 40 });
    let n = 0;
    const h = () => strings[n++ % strings.length]!;
    const services = ['api', 'web', 'core'];
    const base = await tempRoot();
    const dir = path.join(base, 'a', 'b', 'ledger');
    const inventory = baseInventory(services);
    const deployments = (inventory.deployments as Record<string, unknown>[]).map((d) => ({
      ...d,
      version: h(),
      deployedBy: h(),
      url: 'javascript:window.__pwned=1',
      ref: h(),
      status: h(),
      components: { [h()]: h() },
      approvals: [{ by: h(), at: '2026-03-01T10:00:00Z', state: 'approved', comment: h(), url: 'javascript:window.__pwned=1' }],
    }));
    const configFile = await writeWorld(dir, {
      services,
      inventory: {
        deployments,
        configs: services.map((service) => ({ service, environment: 'prod', values: { [h()]: h(), LOG: h() }, changedBy: h() })),
        observed: services.map((service) => ({ service, environment: 'prod', version: h(), commit: h(), url: '../../x' })),
        branches: services.map((service) => ({ service, name: `release/${h()}`, aheadBy: 2, behindBy: 1, lastCommitAt: '2026-03-01T10:00:00Z' })),
        changes: services.map((service) => ({
          service,
          environment: 'prod',
          commit: commitOf(`${service}-1.0.0`),
          version: h(),
          deployedAt: '2026-03-01T10:00:00Z',
          pullRequests: [{ number: 7, title: h(), author: h(), mergedBy: h(), reviewers: [h()], branch: h(), url: 'javascript:window.__pwned=1' }],
          tickets: [h()],
        })),
      },
      serviceExtra: () => ({ owner: h().slice(0, 100), description: h().slice(0, 500) }),
      extra: {
        name: h().slice(0, 200),
        exceptions: [{ rule: 'drift.version', service: 'api', environment: 'qa', reason: h(), approvedBy: h(), expires: '2099-12-31' }],
      },
    });
    const before = await treeState(base);
    const run = await runCli(['collect', '--config', configFile, '--at', '2026-03-14T02:00:00Z'], { cwd: dir });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code, run.stderr).toBeLessThanOrEqual(4);
    const snapshotsDir = path.join(dir, 'content/snapshots');
    const outDir = path.join(dir, 'dist');

    const build = await siteBuilder();
    let buildError: string | undefined;
    if (build) await build({ snapshotsDir, outDir }).catch((error: Error) => (buildError = error.message.split('\n')[0]));
    const after = await treeState(base);
    const written = Object.keys(after).filter((file) => before[file] === undefined);
    const outside = written.filter((file) => !file.startsWith('a/b/ledger/content/snapshots/') && !file.startsWith('a/b/ledger/dist/'));

    // Every page in Chromium.
    const pages = written.filter((file) => file.startsWith('a/b/ledger/dist/') && file.endsWith('.html'));
    let inert = 0;
    const live: string[] = [];
    if (build && !buildError && pages.length) {
      const server = await serveStatic(outDir);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        let dialogs = 0;
        page.on('dialog', (dialog) => {
          dialogs++;
          void dialog.dismiss();
        });
        for (const file of pages) {
          const url = server.url(`/${path.relative('a/b/ledger/dist', file).split(path.sep).join('/')}`);
          const before = dialogs;
          await page.goto(url, { waitUntil: 'load' });
          await page.waitForTimeout(50);
          const pwned = await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned !== undefined);
          const jsLinks = await page.evaluate(() => [...document.querySelectorAll('a[href], area[href], iframe[src]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? a.getAttribute('src') ?? '')).length);
          if (!pwned && dialogs === before && jsLinks === 0) inert++;
          else live.push(`${file}: ${pwned ? 'script ran; ' : ''}${dialogs - before} dialogs; ${jsLinks} javascript: links`);
        }
      } finally {
        await browser.close();
        await server.close();
      }
    }

    recordFigure(task, {
      case: '6b hostile strings: collect -> build -> Chromium',
      runs: pages.length,
      result: `${outside.length} files outside ledger/output; ${build && !buildError ? `${inert}/${pages.length} pages inert` : `site not built (${buildError ?? 'no builder'})`}`,
      target: 'no file outside; rendered inert in Chromium',
      pass: outside.length === 0 && build !== undefined && buildError === undefined && pages.length > 0 && inert === pages.length,
      detail: `${strings.length} generated hostile strings in ${n} fields; ${written.length} files written`,
    });
    expect(outside).toEqual([]);
    expect(buildError).toBeUndefined();
    expect(live.slice(0, 10)).toEqual([]);
    expect(pages.length).toBeGreaterThan(0);
  }, 300_000);
});
