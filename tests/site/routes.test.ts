/**
 * The route table (src/views/routes.ts) holds, per route, the URL builder
 * and the output files of its render group. They must agree: a page a link
 * points to is the file the incremental build groups under that route's key,
 * and a ledger-wide page is never taken for a keyed one.
 */
import { describe, expect, it } from 'vitest';
import { renderGroupOf, ROUTES } from '../../src/views/routes.ts';
import { paths } from '../../src/views/links.ts';

const fileOf = (url: string) => `${url.replace(/^\//, '').replace(/#.*$/, '')}${url.endsWith('/') ? 'index.html' : ''}`;
const DATE = '2026-03-14';
const ID = '2026-03-14T020000Z';
// Names as they are allowed (NAME_PATTERN): dots, dashes, underscores, and `...` (compare then uses `A/B`).
const NAMES = ['web', 'payments-api', 'ledger.core', 'a...b', 'x_y'];

describe('the route table', () => {
  it('groups each keyed page under its own route\'s key', () => {
    for (const name of NAMES) {
      expect(renderGroupOf(fileOf(paths.day(DATE)))).toBe(`day/${DATE}`);
      expect(renderGroupOf(fileOf(paths.dayNext(DATE)))).toBe(`next/${DATE}`);
      expect(renderGroupOf(fileOf(paths.dayService(DATE, name)))).toBe(`sub/${DATE}`);
      expect(renderGroupOf(fileOf(paths.dayEnvironment(DATE, name)))).toBe(`sub/${DATE}`);
      expect(renderGroupOf(fileOf(paths.compare(DATE, name, 'prod')))).toBe(`compare/${DATE}`);
      expect(renderGroupOf(fileOf(paths.compare(DATE, 'qa', name)))).toBe(`compare/${DATE}`);
      expect(renderGroupOf(fileOf(paths.service(name)))).toBe(`services/${encodeURIComponent(name)}`);
    }
    expect(renderGroupOf(fileOf(paths.snapshot(ID, 'gzip')))).toBe(`snapshots/${ID}`);
    expect(renderGroupOf(fileOf(paths.snapshot(ID, 'json')))).toBe(`snapshots/${ID}`);
    expect(renderGroupOf(`services/web/revisions.json`)).toBe('services/web');
    expect(renderGroupOf(`changes/services/web.json`)).toBe('services/web');
  });

  it('leaves every ledger-wide page to be rendered on every build', () => {
    for (const name of ['home', 'changes', 'changesIndex', 'stats', 'releases', 'snapshots', 'snapshotsIndex'] as const) {
      expect(ROUTES[name].group, name).toBeUndefined();
      expect(renderGroupOf(fileOf(paths[name]())), name).toBe('always');
    }
    expect(renderGroupOf(fileOf(paths.release('wallet-payouts')))).toBe('always');
    expect(renderGroupOf('404.html')).toBe('always');
  });

  it('gives every route a path builder in `paths`', () => {
    expect(Object.keys(paths).sort()).toEqual(Object.keys(ROUTES).sort());
  });
});
