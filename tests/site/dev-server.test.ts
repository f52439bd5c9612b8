/**
 * `devSite()` (astro dev over a ledger) serves pages and mermaid's browser
 * build like the built site. It runs in a child process, as `release-ledger
 * dev` does, without vitest's variables: with `VITEST` set, Astro's dev
 * middleware answers every page with 404.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERMAID_ENTRY } from '../../src/site/mermaid-assets.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';

let work: string;
let child: ChildProcess;
const server = { url: '' };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-dev-'));
  await writeSiteFixture(path.join(work, 'snapshots'));
  const script = `const { devSite } = await import(${JSON.stringify(path.resolve('src/site/dev.ts'))}); const s = await devSite({ snapshotsDir: ${JSON.stringify(path.join(work, 'snapshots'))}, port: 0 }); console.log(s.url);`;
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!/^http:\/\/\S+\/$/m.test(out)) await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => { throw new Error(`dev server exited: ${out}`); })]);
  server.url = /^(http:\/\/\S+\/)$/m.exec(out)![1]!;
}, 120_000);

afterAll(async () => {
  child?.kill();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('devSite', () => {
  it('serves a day page whose graph points at mermaid, and mermaid with its chunks as JavaScript', async () => {
    const page = await (await fetch(new URL('days/2026-03-14/', server.url))).text();
    expect(page).toContain(`data-mermaid="${MERMAID_ENTRY}"`);
    const entry = await fetch(new URL(MERMAID_ENTRY.slice(1), server.url));
    expect(entry.status).toBe(200);
    expect(entry.headers.get('content-type')).toMatch(/^text\/javascript/);
    const chunk = /from"\.\/(chunks\/mermaid\.esm\.min\/[^"]+\.mjs)"/.exec(await entry.text())?.[1];
    expect(chunk).toBeDefined();
    expect((await fetch(new URL(path.posix.join(path.posix.dirname(MERMAID_ENTRY.slice(1)), chunk!), server.url))).status).toBe(200);
    expect((await fetch(new URL(path.posix.join(path.posix.dirname(MERMAID_ENTRY.slice(1)), 'chunks/../../package.json'), server.url))).status).not.toBe(200);
  });
});
