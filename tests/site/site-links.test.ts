/** The link walker the site tests use (tests/helpers/site-links.ts) finds a missing page, and only that. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { siteLinks } from '../helpers/site-links.ts';

it('reports internal links without a file, under a base, and skips external ones and anchors', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'site-links-'));
  try {
    await mkdir(path.join(dir, 'days', '2026-03-10'), { recursive: true });
    await writeFile(path.join(dir, 'days', '2026-03-10', 'index.html'), '<a href="/ledger/">home</a> <a href="../2026-03-11/">gone</a> <a href="#x">x</a> <a href="https://example.com/">out</a> <img src="/ledger/a%20b.svg">');
    await writeFile(path.join(dir, 'index.html'), '<a href="/ledger/days/2026-03-10/">day</a> <a href="/ledger/days/2026-03-10/environments/prod/">env</a>');
    await writeFile(path.join(dir, 'a b.svg'), '<svg/>');
    const { checked, broken } = await siteLinks(dir, '/ledger/');
    expect(checked).toBe(5);
    expect(broken.sort((a, b) => (a.href < b.href ? -1 : 1))).toEqual([
      { page: path.join('days', '2026-03-10', 'index.html'), href: '../2026-03-11/' },
      { page: 'index.html', href: '/ledger/days/2026-03-10/environments/prod/' },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
