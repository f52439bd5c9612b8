/**
 * `init --publish s3|rsync` (src/init/publish.ts): the workflow's shape, and
 * its object-store step run by bash over a built-looking site with a stand-in
 * `aws` that follows `aws s3 sync`'s documented rules (every file included,
 * then `--exclude`/`--include` in order, the last match wins, `*` crossing
 * `/`; `--delete` removes destination files the filters leave in; only new
 * or different files are copied). Two nights: what each file is served with,
 * that unchanged files are not uploaded again, and what is deleted.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { load as parse } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '../../src/init/index.ts';
import { GZIP_TYPE, IMMUTABLE, SHORT } from '../../src/init/publish.ts';
import { runCli } from '../helpers/cli.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

const run = promisify(execFile);

// The stand-in: `aws s3 sync|cp SRC s3://bucket/KEY [flags]` onto $FAKE_S3/KEY, each object's
// Cache-Control in $FAKE_S3.meta.json, each upload logged in $FAKE_S3.log.
const FAKE_AWS = String.raw`#!/usr/bin/env node
const fs = require('node:fs'); const path = require('node:path');
const [, , service, verb, ...rest] = process.argv;
if (service !== 's3' || !['sync', 'cp'].includes(verb)) { console.error('fake aws: ' + process.argv.slice(2).join(' ')); process.exit(2); }
const positional = [];
const root = process.env.FAKE_S3; const metaFile = root + '.meta.json'; const log = root + '.log';
const meta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : {};
const typesFile = root + '.types.json'; const types = fs.existsSync(typesFile) ? JSON.parse(fs.readFileSync(typesFile, 'utf8')) : {};
const filters = []; let cache = null, type = null, del = false, sizeOnly = false;
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a === '--exclude' || a === '--include') filters.push([a, rest[++i]]);
  else if (a === '--cache-control') cache = rest[++i];
  else if (a === '--content-type') type = rest[++i];
  else if (a === '--delete') del = true; else if (a === '--size-only') sizeOnly = true;
  else if (a === '--recursive' || a === '--only-show-errors') {} else if (a === '--endpoint-url') i++;
  else if (a.startsWith('--')) { console.error('fake aws: unknown ' + a); process.exit(2); }
  else positional.push(a);
}
const [src, dst] = positional;
if (positional.length !== 2 || !dst.startsWith('s3://bucket')) { console.error('fake aws: want SRC s3://bucket/KEY'); process.exit(2); }
const re = (p) => new RegExp('^' + p.replace(/[.+^$()|[\]{}\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
const keep = (rel) => { let ok = true; for (const [kind, p] of filters) if (re(p).test(rel)) ok = kind === '--include'; return ok; };
const key = dst.replace(/^s3:\/\/bucket\/?/, ''); const out = path.join(root, key);
const walk = (dir) => fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')) : [];
const source = walk(src).filter(keep);
for (const rel of source) {
  const from = path.join(src, rel), to = path.join(out, rel), k = path.posix.join(key, rel);
  const same = verb === 'sync' && fs.existsSync(to) && fs.statSync(to).size === fs.statSync(from).size && (sizeOnly || fs.readFileSync(to).equals(fs.readFileSync(from)));
  if (same) continue;
  fs.mkdirSync(path.dirname(to), { recursive: true }); fs.copyFileSync(from, to);
  meta[k] = cache; if (type) types[k] = type; else delete types[k]; fs.appendFileSync(log, k + '\n');
}
if (del) { const have = new Set(source); for (const rel of walk(out).filter(keep)) if (!have.has(rel)) { fs.rmSync(path.join(out, rel)); delete meta[path.posix.join(key, rel)]; } }
fs.writeFileSync(metaFile, JSON.stringify(meta)); fs.writeFileSync(typesFile, JSON.stringify(types));
`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'rl-publish-'));
  await mkdir(path.join(work, 'bin'));
  await writeFile(path.join(work, 'bin', 'aws'), FAKE_AWS);
  await chmod(path.join(work, 'bin', 'aws'), 0o755);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function site(files: Record<string, string>): Promise<void> {
  await rm(path.join(work, 'dist'), { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(work, 'dist', file)), { recursive: true });
    await writeFile(path.join(work, 'dist', file), text);
  }
}

async function publish(script: string): Promise<{ meta: Record<string, string>; uploaded: string[] }> {
  await rm(path.join(work, 's3.log'), { force: true });
  await run('bash', ['-c', script], { cwd: work, env: { PATH: `${path.join(work, 'bin')}:${process.env.PATH}`, FAKE_S3: path.join(work, 's3'), BUCKET: 's3://bucket', S3_ENDPOINT: '' } });
  const uploaded = (await readFile(path.join(work, 's3.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).sort();
  return { meta: JSON.parse(await readFile(path.join(work, 's3.meta.json'), 'utf8')) as Record<string, string>, uploaded };
}

describe('init --publish', () => {
  it('s3 and rsync publish from the ledger job: no GitHub Pages permission, step or job; the gate runs last', () => {
    for (const target of ['s3', 'rsync'] as const) {
      for (const shards of [1, 3]) {
        const text = workflow({ mode: 'package', configDir: '', publish: target, shards });
        const wf = parse(text) as Workflow;
        expect(wf.permissions).toEqual({ contents: 'write' });
        expect(Object.keys(wf.jobs)).not.toContain('deploy');
        expect(text).not.toMatch(/deploy-pages|upload-pages-artifact|Settings → Pages/);
        const steps = wf.jobs.ledger!.steps;
        expect(steps.slice(-3).map((s) => s.name)).toEqual(['Build the site', target === 's3' ? 'Publish to the object store' : 'Publish with rsync', 'Fail on findings at or above high']);
        expect(steps.at(-1)!.env).toEqual({ COLLECT_EXIT: '${{ steps.collect.outputs.code }}' });
        for (const job of Object.values(wf.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
      }
    }
    const pages = parse(workflow({ mode: 'package', configDir: '' })) as Workflow;
    expect(Object.keys(pages.jobs)).toContain('deploy');
    expect(pages.jobs.ledger!.steps.at(-1)!.uses).toMatch(/^actions\/upload-pages-artifact@/);
  });

  it('rsync sends only what changed, never deletes content-hashed assets, and pins the host key', () => {
    const wf = parse(workflow({ mode: 'package', configDir: '', publish: 'rsync' })) as Workflow;
    const script = wf.jobs.ledger!.steps.find((s) => s.name === 'Publish with rsync')!.run!;
    expect(script).toContain('StrictHostKeyChecking=yes');
    expect(script).toContain("rsync -rlt --delay-updates --delete --exclude '/_astro/'");
    expect(script).not.toMatch(/--checksum|--ignore-times|-I /);
  });

  it('s3: immutable for assets, snapshot copies and past days; the newest day short, immutable the night after; only changes uploaded; stale pages deleted', async () => {
    const wf = parse(workflow({ mode: 'package', configDir: '', publish: 's3' })) as Workflow;
    const script = wf.jobs.ledger!.steps.find((s) => s.name === 'Publish to the object store')!.run!;
    const night1 = {
      'index.html': 'home 1',
      '404.html': 'not found',
      '_astro/site.abc.css': 'css',
      'snapshots/index.html': 'list 1',
      'snapshots/index.json': '[1]',
      'snapshots/2026-03-13T020000Z.json': '{"a":1}',
      'days/2026-03-13/index.html': 'day 13',
      'days/2026-03-13/next/index.html': 'newest',
      'days/2026-03-13/environments/prod/index.html': 'prod 13',
      'services/api/index.html': 'history 1',
    };
    await site(night1);
    const first = await publish(script);
    expect(first.uploaded).toEqual(Object.keys(night1).sort());
    expect(first.meta).toEqual({
      'index.html': SHORT,
      '404.html': SHORT,
      '_astro/site.abc.css': IMMUTABLE,
      'snapshots/index.html': SHORT,
      'snapshots/index.json': SHORT,
      'snapshots/2026-03-13T020000Z.json': IMMUTABLE,
      // The newest day may still get another snapshot.
      'days/2026-03-13/index.html': SHORT,
      'days/2026-03-13/next/index.html': SHORT,
      'days/2026-03-13/environments/prod/index.html': SHORT,
      'services/api/index.html': SHORT,
    });

    // The next night: a new day; day 13's next/ changes; a new generator's CSS; a page that no longer belongs.
    const { '_astro/site.abc.css': _old, 'days/2026-03-13/environments/prod/index.html': _gone, ...kept } = night1;
    await site({
      ...kept,
      'index.html': 'home 2',
      '_astro/site.def.css': 'css 2',
      'snapshots/index.json': '[1,2]',
      'snapshots/2026-03-14T020000Z.json': '{"a":2}',
      'days/2026-03-13/next/index.html': 'to 14',
      'days/2026-03-14/index.html': 'day 14',
      'days/2026-03-14/next/index.html': 'newest',
      'days/2026-03-14/services/api/index.html': 'api 14',
    });
    const second = await publish(script);
    // Unchanged files are not uploaded again; day 13 (now past) once more, to be marked immutable.
    expect(second.uploaded).toEqual(
      [
        '_astro/site.def.css',
        'days/2026-03-13/index.html',
        'days/2026-03-13/next/index.html',
        'days/2026-03-14/index.html',
        'days/2026-03-14/next/index.html',
        'days/2026-03-14/services/api/index.html',
        'index.html',
        'snapshots/2026-03-14T020000Z.json',
        'snapshots/index.json',
      ].sort(),
    );
    expect(second.meta).toEqual({
      'index.html': SHORT,
      '404.html': SHORT,
      // The old asset stays for pages cached before; the new one is immutable too.
      '_astro/site.abc.css': IMMUTABLE,
      '_astro/site.def.css': IMMUTABLE,
      'snapshots/index.html': SHORT,
      'snapshots/index.json': SHORT,
      'snapshots/2026-03-13T020000Z.json': IMMUTABLE,
      'snapshots/2026-03-14T020000Z.json': IMMUTABLE,
      'days/2026-03-13/index.html': IMMUTABLE,
      'days/2026-03-13/next/index.html': SHORT,
      'days/2026-03-14/index.html': SHORT,
      'days/2026-03-14/next/index.html': SHORT,
      'days/2026-03-14/services/api/index.html': SHORT,
      'services/api/index.html': SHORT,
    });
  }, 60_000);

  it('s3: a gzip snapshot copy is immutable and served as application/gzip (no other file gets a type), and not uploaded again', async () => {
    const wf = parse(workflow({ mode: 'package', configDir: '', publish: 's3' })) as Workflow;
    const script = wf.jobs.ledger!.steps.find((s) => s.name === 'Publish to the object store')!.run!;
    expect(script).not.toMatch(/content-encoding/i);
    await rm(path.join(work, 's3'), { recursive: true, force: true });
    await rm(path.join(work, 's3.meta.json'), { force: true });
    await rm(path.join(work, 's3.types.json'), { force: true });
    const night = {
      'index.html': 'home',
      'snapshots/index.html': 'list',
      'snapshots/index.json': '[1]',
      'snapshots/2026-03-13T020000Z.json.gz': '\u001f\u008bgzip bytes',
      'days/2026-03-13/index.html': 'day 13',
    };
    await site(night);
    const first = await publish(script);
    expect(first.uploaded).toEqual(Object.keys(night).sort());
    expect(first.meta['snapshots/2026-03-13T020000Z.json.gz']).toBe(IMMUTABLE);
    expect(first.meta['snapshots/index.json']).toBe(SHORT);
    expect(JSON.parse(await readFile(path.join(work, 's3.types.json'), 'utf8'))).toEqual({ 'snapshots/2026-03-13T020000Z.json.gz': GZIP_TYPE });
    const again = await publish(script);
    expect(again.uploaded).not.toContain('snapshots/2026-03-13T020000Z.json.gz');
    expect(again.meta['snapshots/2026-03-13T020000Z.json.gz']).toBe(IMMUTABLE);
  }, 60_000);

  it('the CLI refuses an unknown target in one line and writes nothing', async () => {
    const dir = path.join(work, 'cli');
    await mkdir(dir, { recursive: true });
    const r = await runCli(['init', '--dir', dir, '--publish', 'ftp'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['release-ledger: --publish must be one of pages, s3, rsync (got "ftp")']);
    const ok = await runCli(['init', '--dir', dir, '--publish', 's3'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(await readFile(path.join(dir, '.github', 'workflows', 'release-ledger.yml'), 'utf8')).toContain('aws s3 "$@"');
  });
});
