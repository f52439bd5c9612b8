/** Building the same ledger twice gives byte-identical output, hashed asset names included. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';

let work: string;

async function digest(dir: string): Promise<Record<string, string>> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const out: Record<string, string> = {};
  for (const f of files) {
    const full = path.join(f.parentPath, f.name);
    out[path.relative(dir, full)] = createHash('sha256').update(await readFile(full)).digest('hex');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-determinism-'));
  await writeSiteFixture(path.join(work, 'snapshots'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('determinism', () => {
  it('builds byte-identical output twice, with the raw snapshots gzipped exactly', async () => {
    const snapshots = path.join(work, 'snapshots');
    const first = await buildSite({ snapshotsDir: snapshots, outDir: path.join(work, 'a'), logLevel: 'error' });
    const second = await buildSite({ snapshotsDir: snapshots, outDir: path.join(work, 'b'), logLevel: 'error' });
    expect(second.pages).toBe(first.pages);
    const a = await digest(path.join(work, 'a'));
    const b = await digest(path.join(work, 'b'));
    expect(Object.keys(a).length).toBeGreaterThan(80);
    expect(b).toEqual(a);
    // The download is a gzip of the ledger file (config `site.snapshotCopies`, default): gunzip gives it
    // byte for byte, so an auditor's sha256sum of it matches the ledger.
    for (const id of await readdir(snapshots)) {
      expect(gunzipSync(await readFile(path.join(work, 'a', 'snapshots', `${id}.gz`)))).toEqual(await readFile(path.join(snapshots, id)));
    }
    // No build time anywhere: the output names only ledger times.
    const home = await readFile(path.join(work, 'a', 'index.html'), 'utf8');
    expect(home).not.toMatch(new RegExp(new Date().toISOString().slice(0, 10)));
  }, 600_000);
});
