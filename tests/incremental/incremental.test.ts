/**
 * Incremental site builds: after a day is appended, an incremental build
 * equals a full build byte for byte, and the unchanged day pages were kept
 * (not rendered again) — the test fails if reuse silently stops.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../../scripts/bench-ledger.ts';
import { readSnapshot } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { computeLedgerIndex, generatorFingerprint, ledgerFacts } from '../../src/site/incremental.ts';
import { buildLedgerIndex, compareRevisions, comparePairs, dayComparePath, dayEnvironmentPath, environmentRevisions } from '../../src/views/index.ts';
import { siteLinks } from '../helpers/site-links.ts';
import { treeDigest } from '../helpers/tree-digest.ts';

let work: string;
let all: string[];
let generated: string;
const snapshots = () => path.join(work, 'ledger');

async function mtimes(dir: string): Promise<Map<string, number>> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const out = new Map<string, number>();
  for (const f of files) {
    const full = path.join(f.parentPath, f.name);
    out.set(path.relative(dir, full), (await stat(full)).mtimeMs);
  }
  return out;
}

async function append(id: string): Promise<void> {
  await copyFile(path.join(generated, `${id}.json`), path.join(snapshots(), `${id}.json`));
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-incremental-'));
  // The same seed gives the same first days, so day 6 of a 6-day ledger is "tomorrow" for the 5-day one.
  const result = await generateLedger({ days: 6, services: 5, environments: 3, outDir: path.join(work, 'generated'), seed: 7, direct: true });
  generated = result.snapshotsDir;
  all = result.ids;
  await mkdir(snapshots(), { recursive: true });
  for (const id of all.slice(0, 5)) await append(id);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('incremental build', () => {
  it('after appending a day, reuses the unchanged day pages and equals a full build byte for byte', async () => {
    const out = path.join(work, 'site');
    const cacheDir = path.join(work, 'cache');
    const first = await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    // No cache yet: everything is rendered, every snapshot read.
    expect(first.reused).toBe(0);
    expect(first.rendered).toBe(first.pages);
    expect(first.snapshotsRead).toBe(5);
    const before = await mtimes(out);

    await append(all[5]!);
    const second = await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    // Only the new snapshot is read; most pages are kept.
    expect(second.snapshotsRead).toBe(1);
    expect(second.reused).toBeGreaterThan(second.rendered);
    expect(second.rendered + second.reused).toBe(second.pages);

    const fullOut = path.join(work, 'full');
    const full = await buildSite({ snapshotsDir: snapshots(), outDir: fullOut, logLevel: 'error' });
    expect(second.pages).toBe(full.pages);
    expect(await treeDigest(out)).toEqual(await treeDigest(fullOut));

    // No page of days 1–5 was written again (same mtime): the day pages link `/days/D/next/`, and only
    // day 5's such page, which now leads to day 6, was.
    const after = await mtimes(out);
    const days = all.map((id) => id.slice(0, 10));
    const nextOfDay5 = path.join('days', days[4]!, 'next', 'index.html');
    const kept = [...before.keys()].filter((f) => f !== nextOfDay5 && days.slice(0, 5).some((d) => f.startsWith(path.join('days', d) + path.sep)));
    // Every day has its day page and its services', environments' and compare pairs' revision pages (views/revisions.ts).
    expect(kept.length).toBeGreaterThanOrEqual(5 * 4);
    expect(kept).toContain(path.join('days', days[4]!, 'index.html'));
    for (const f of kept) expect({ f, mtime: after.get(f) }).toEqual({ f, mtime: before.get(f) });
    expect(after.get(nextOfDay5)).not.toBe(before.get(nextOfDay5));
    expect(await readFile(path.join(out, nextOfDay5), 'utf8')).toContain(`<meta http-equiv="refresh" content="0; url=/days/${days[5]}/">`);
    for (const id of all.slice(0, 5)) {
      // The copies are gzip by default (config `site.snapshotCopies`): kept, not written again.
      const copy = path.join('snapshots', `${id}.json.gz`);
      expect(before.get(copy)).toBeDefined();
      expect(after.get(copy)).toBe(before.get(copy));
    }

    // An environment the sixth night did not touch gets no page that day: the day links its page in force,
    // an earlier day's, which was not written again; and every link of the site reaches a file.
    const index = buildLedgerIndex(await Promise.all(all.map((id) => readSnapshot(snapshots(), id))));
    const sixth = index.days.at(-1)!;
    const quiet = sixth.environments.filter((e) => !sixth.revisedEnvironments.includes(e));
    expect(quiet.length).toBeGreaterThan(0);
    const dayHtml = await readFile(path.join(out, 'days', sixth.date, 'index.html'), 'utf8');
    for (const e of quiet) {
      expect(after.has(path.join('days', sixth.date, 'environments', e, 'index.html'))).toBe(false);
      const target = dayEnvironmentPath(environmentRevisions(index.days), sixth.date, e);
      expect(target < `/days/${sixth.date}/`).toBe(true);
      expect(dayHtml).toContain(`href="${target}"`);
      const file = path.join(target.slice(1), 'index.html');
      expect({ file, mtime: after.get(file) }).toEqual({ file, mtime: before.get(file) });
    }
    // The same for a compare pair the night did not touch.
    const revisedPairs = new Set(sixth.revisedCompare.map(([a, b]) => `${a} ${b}`));
    const quietPairs = comparePairs(sixth.environments, sixth.production).filter(([a, b]) => !revisedPairs.has(`${a} ${b}`));
    expect(quietPairs.length).toBeGreaterThan(0);
    for (const [a, b] of quietPairs) {
      expect(after.has(path.join('days', sixth.date, 'compare', `${a}...${b}`, 'index.html'))).toBe(false);
      const target = dayComparePath(compareRevisions(index.days), sixth.date, a, b);
      expect(target < `/days/${sixth.date}/`).toBe(true);
      expect(dayHtml).toContain(`href="${target}"`);
      const file = path.join(target.slice(1), 'index.html');
      expect({ file, mtime: after.get(file) }).toEqual({ file, mtime: before.get(file) });
    }
    const links = await siteLinks(out);
    expect(links.broken).toEqual([]);
    expect(links.checked).toBeGreaterThan(1000);

    // Nothing new: only the cross-day pages are rendered, and the output is still the full build's.
    const third = await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    expect(third.snapshotsRead).toBe(0);
    expect(third.rendered).toBeLessThan(second.rendered);
    // A service's cross-day pages say nothing of "now": a night without news keeps them all.
    const afterThird = await mtimes(out);
    const servicePages = [...after.keys()].filter((f) => f.startsWith(`services${path.sep}`) || f.startsWith(path.join('changes', 'services') + path.sep));
    expect(servicePages.length).toBeGreaterThanOrEqual(3 * 5);
    for (const f of servicePages) expect({ f, mtime: afterThird.get(f) }).toEqual({ f, mtime: after.get(f) });
    expect(await treeDigest(out)).toEqual(await treeDigest(fullOut));

    // Without the cache (a fresh CI runner), it builds everything again.
    await rm(cacheDir, { recursive: true, force: true });
    const cold = await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    expect(cold.reused).toBe(0);
    expect(await treeDigest(out)).toEqual(await treeDigest(fullOut));
  }, 600_000);

  it('resumes the cross-day index from the cached builder state, equal to the one from every snapshot', async () => {
    const cacheDir = path.join(work, 'index-cache');
    const ids = all;
    const dir = path.join(work, 'index-ledger');
    await mkdir(dir, { recursive: true });
    for (const id of ids) await copyFile(path.join(generated, `${id}.json`), path.join(dir, `${id}.json`));
    const fingerprint = await generatorFingerprint({});
    const expected = JSON.parse(JSON.stringify(buildLedgerIndex(await Promise.all(ids.map((id) => readSnapshot(dir, id))))));
    // Cold: from full snapshots, filling the cache with the first five; then resumed for the sixth from the cache.
    const cold = await computeLedgerIndex(dir, await ledgerFacts(dir, ids.slice(0, 5)), cacheDir, fingerprint);
    expect(cold.read).toBe(5);
    const warm = await computeLedgerIndex(dir, await ledgerFacts(dir, ids), cacheDir, fingerprint);
    expect(warm.read).toBe(1);
    expect(JSON.parse(JSON.stringify(warm.index))).toEqual(expected);
    // The per-service digests behind the cross-day pages' keys: only the services the new snapshots touched are
    // digested again, and all equal a fresh computation (resumed here over snapshots that did deploy something).
    const digestCache = path.join(work, 'digest-cache');
    const split = ids.findLastIndex((id) => expected.events.some((e: { snapshot: string }) => e.snapshot === id));
    expect(split).toBeGreaterThan(0);
    await computeLedgerIndex(dir, await ledgerFacts(dir, ids.slice(0, split)), digestCache, fingerprint);
    const resumed = await computeLedgerIndex(dir, await ledgerFacts(dir, ids), digestCache, fingerprint);
    expect(resumed.read).toBe(ids.length - split);
    const fresh = await computeLedgerIndex(dir, await ledgerFacts(dir, ids), null, fingerprint);
    expect([...resumed.serviceDigests].sort()).toEqual([...fresh.serviceDigests].sort());
    expect([...warm.serviceDigests].sort()).toEqual([...fresh.serviceDigests].sort());
    expect(fresh.serviceDigests.size).toBe(expected.services.length);
    expect(expected.events.length).toBeGreaterThan(0);
    expect(expected.pullRequests.length).toBeGreaterThan(0);
  }, 120_000);

  it('reads each snapshot link once, and again only when its file changed', async () => {
    const dir = path.join(work, 'facts-ledger');
    const cacheDir = path.join(work, 'facts-cache');
    await mkdir(dir, { recursive: true });
    for (const id of all) await copyFile(path.join(generated, `${id}.json`), path.join(dir, `${id}.json`));
    const first = await ledgerFacts(dir, all, cacheDir);
    const second = await ledgerFacts(dir, all, cacheDir);
    expect([...second.identity]).toEqual([...first.identity]);
    // A rewritten file (here its link to the second snapshot altered, same size) is read again.
    const file = path.join(dir, `${all[2]}.json`);
    const text = await readFile(file, 'utf8');
    const altered = text.replace(/("previous": \{\s*"id": "[^"]+",\s*"sha256": ")([0-9a-f])/, (_m, head: string, c: string) => head + (c === '0' ? '1' : '0'));
    expect(altered).not.toBe(text);
    await writeFile(file, altered);
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
    const third = await ledgerFacts(dir, all, cacheDir);
    expect(third.identity.get(all[1]!)).not.toBe(first.identity.get(all[1]!));
    for (const id of all.filter((x) => x !== all[1])) expect({ id, identity: third.identity.get(id) }).toEqual({ id, identity: first.identity.get(id) });
  }, 120_000);
});
