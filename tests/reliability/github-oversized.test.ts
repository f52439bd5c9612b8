/**
 * Case "a 50 MB answer" for the GitHub source (issue 27 item 5; docs/guarantees.md,
 * "Bounded input"). A spawned `collect` reads the local GitHub server through
 * the lying proxy (`github-hostile-proxy.ts`), which answers two questions
 * with 50 MB: one environment's variables list (with a `Content-Length`) and
 * the GraphQL repository query of one repository (streamed, no length). Each
 * answer is cancelled at the 16 MiB cap on one GitHub response and is a gap
 * for exactly what was asked (compared with a clean run); peak RSS of the
 * collect is measured by /usr/bin/time -v, as in adversarial-yaml.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, INPUT_LIMITS } from '../../src/model/input-limits.ts';
import type { Snapshot } from '../../src/model/snapshot.ts';
import { ENVIRONMENTS, buildOrg } from '../fixtures/github/org.ts';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts';
import { startHostileProxy, type HostileProxy, type HostileRule } from './github-hostile-proxy.ts';
import { recordFigure, REPO_ROOT, useTempRoot } from './world.ts';

const REPOS = 4;
const AT = '2026-03-14T02:00:00Z';
const MB = 1_000_000;
/** Peak RSS a collect may reach with 50 MB answers: the 16 MiB cap read twice over, well below what parsing 50 MB costs. */
const RSS_TARGET_MB = 400;
const TOKEN = `ghp_${'T0kenForTheOversizedCase'.padEnd(36, 'x')}`;
const tempRoot = useTempRoot('github-oversized');

/** About `bytes` of JSON shaped like GitHub's answer: many small records (parsing them is what costs memory). */
function hugeJson(bytes: number, wrap: (items: string) => string): Buffer {
  const item = (i: number) => `{"name":"V${i}","value":"${'v'.repeat(40)}","created_at":"2026-03-01T00:00:00Z","updated_at":"2026-03-01T00:00:00Z"}`;
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const text = item(i);
    items.push(text);
    size += text.length + 1;
  }
  return Buffer.from(wrap(items.join(',')));
}

async function writeConfig(dir: string, baseUrl: string): Promise<void> {
  const config = {
    name: 'Acme',
    environments: ENVIRONMENTS.map((e) => ({ name: e.ledger, production: e.ledger === 'prod' })),
    sources: { github: { type: 'github', baseUrl, environments: { prod: 'production' } } },
    services: Array.from({ length: REPOS }, (_, i) => `svc-${String(i).padStart(3, '0')}`).map((name) => ({ name, repo: `acme/${name}`, sources: ['github'] })),
  };
  await writeFile(path.join(dir, 'release-ledger.config.yaml'), JSON.stringify(config, null, 2));
}

/** Exit code, peak RSS (MB) and stderr of a spawned `collect` in a fresh folder, and the snapshot it wrote. */
async function collect(proxy: HostileProxy): Promise<{ code: number; rssMb: number; stderr: string; snapshot: Snapshot | null }> {
  const dir = await tempRoot();
  await writeConfig(dir, proxy.baseUrl);
  const bin = path.join(REPO_ROOT, 'bin', 'release-ledger.mjs');
  const args = ['collect', '--config', 'release-ledger.config.yaml', '--at', AT, '--quiet'];
  // /usr/bin/time -v reports the child's peak; without it, node reports its own on exit.
  const timed = existsSync('/usr/bin/time');
  const onExit = 'process.on("exit",()=>process.stderr.write("Maximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n"))';
  const command = timed ? '/usr/bin/time' : process.execPath;
  const argv = timed ? ['-v', process.execPath, bin, ...args] : ['--import', `data:text/javascript,${encodeURIComponent(onExit)}`, bin, ...args];
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const child = spawn(command, argv, { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', GITHUB_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stderr: err }));
  });
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  const folder = path.join(dir, 'content', 'snapshots');
  const files = existsSync(folder) ? (await readdir(folder)).filter((f) => f.endsWith('.json')).sort() : [];
  const snapshot = files.length > 0 ? (JSON.parse(await readFile(path.join(folder, files.at(-1)!), 'utf8')) as Snapshot) : null;
  return { code, rssMb: Math.round(kb / 1024), stderr: stderr.split('\n').filter((l) => l.startsWith('release-ledger')).join('\n'), snapshot };
}

const gapKey = (g: { service?: string; environment?: string; evidence: string }) => `${g.service}/${g.environment ?? '-'}/${g.evidence}`;

describe('a 50 MB answer from GitHub', () => {
  let server: GitHubServer;
  let proxy: HostileProxy;
  beforeAll(async () => {
    server = await startGitHubServer(buildOrg({ repos: REPOS, commits: 6 }));
    proxy = await startHostileProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  it(`is cancelled at the ${formatBytes(INPUT_LIMITS.githubResponseBytes)} cap: a gap for exactly what was asked, peak RSS bounded`, { timeout: 120_000 }, async ({ task }) => {
    proxy.rules = [];
    const clean = await collect(proxy);
    expect(clean.snapshot, clean.stderr).not.toBeNull();

    const variables = hugeJson(50 * MB, (items) => `{"total_count":1,"variables":[${items}]}`);
    const repository = hugeJson(50 * MB, (items) => `{"data":{"r0":{"nameWithOwner":"acme/svc-002","junk":[${items}]}}}`);
    const rules: HostileRule[] = [
      { label: 'variables', match: (r) => r.method === 'GET' && r.path.startsWith('/repos/acme/svc-001/environments/staging/variables'), answer: () => ({ status: 200, body: variables }) },
      { label: 'repository', match: (r) => r.graphql?.includes('name: "svc-002") {\n    nameWithOwner') === true, answer: () => ({ status: 200, body: repository, chunked: true }) },
    ];
    proxy.rules = rules;
    proxy.hits = [];
    const hostile = await collect(proxy);
    const cleanGaps = new Set(clean.snapshot!.gaps.map(gapKey));
    const newGaps = (hostile.snapshot?.gaps ?? []).filter((g) => !cleanGaps.has(gapKey(g)));
    const capNamed = newGaps.filter((g) => g.reason.includes(`larger than the ${formatBytes(INPUT_LIMITS.githubResponseBytes)} cap on one GitHub response`));
    // Everything of the other cells as in the clean run.
    const others = (s: Snapshot | null) => JSON.stringify((s?.deployments ?? []).filter((d) => d.service !== 'svc-002').map(({ promotion: _, ...d }) => d));
    const expected = ['svc-001/staging/config', 'svc-002/-/all'];
    const pass =
      hostile.snapshot !== null &&
      JSON.stringify(newGaps.map(gapKey).sort()) === JSON.stringify(expected) &&
      capNamed.length === newGaps.length &&
      others(hostile.snapshot) === others(clean.snapshot) &&
      hostile.rssMb < RSS_TARGET_MB;
    recordFigure(task, {
      case: 'github: 50 MB answers',
      runs: 2,
      result: `peak RSS ${hostile.rssMb} MB with two 50 MB answers (clean run ${clean.rssMb} MB); new gaps: ${newGaps.map(gapKey).sort().join(', ') || 'none'}`,
      target: `each answer cancelled at the ${formatBytes(INPUT_LIMITS.githubResponseBytes)} cap and a gap for exactly what was asked; peak RSS < ${RSS_TARGET_MB} MB`,
      pass,
      detail: `a 50 MB variables list (Content-Length given) and a 50 MB GraphQL repository answer (chunked, no length), ${proxy.hits.length} oversized answers sent (retries and batch halves included); measured by ${existsSync('/usr/bin/time') ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS'}`,
    });
    expect(hostile.snapshot, hostile.stderr).not.toBeNull();
    expect(newGaps.map(gapKey).sort()).toEqual(expected);
    expect(capNamed).toHaveLength(newGaps.length);
    expect(others(hostile.snapshot)).toBe(others(clean.snapshot));
    expect(hostile.stderr).not.toContain(TOKEN);
    expect(hostile.rssMb).toBeLessThan(RSS_TARGET_MB);
  });
});
