#!/usr/bin/env node
// `npm run demo`: builds the demo ledger of Acme Payments (examples/acme/)
// with the real CLI, one `collect --at <day>T22:30:00Z` per simulated night,
// then verifies it, builds the site and serves it.
//
//   npm run demo -- [--no-serve] [--days N] [--dir DIR] [--no-build] [--port P] [--spawn]
//
// The demo ledger is regenerated from scratch every time: this script deletes
// examples/acme/content/snapshots/ first. That is only right for a demo whose
// history is simulated; a real ledger is append-only and never rewritten.
//
// No network and no real token are needed. Before each night this script
// moves the deterministic simulation (examples/acme/generate.ts) to that night
// and feeds the same facts to every source the config names, all real:
//  - github: a GitHub-compatible server on 127.0.0.1:47010
//    (examples/servers/github-server.ts) serving that night's organisation;
//    the collector reaches it through Octokit with a made-up token;
//  - runtime: the version endpoints, on 127.0.0.1:47011
//    (examples/servers/runtime-server.ts), answering what actually runs;
//  - gitops: a real git repository in .work/gitops, given that day's commits
//    (named authors, simulated times) with `git fast-import`;
//  - inventory: the YAML inventory of the two legacy services;
//  - kubernetes: one Kubernetes-API-compatible server per environment, on
//    127.0.0.1:47013-47016 (examples/servers/kube-server.ts, HTTPS with the
//    test certificate, which the config's caFile names), serving that night's
//    Deployments, ReplicaSets and pods (examples/acme/kubernetes-world.ts);
//  - argocd: an Argo-CD-compatible server on 127.0.0.1:47012
//    (examples/servers/argocd-server.ts) serving that night's applications.
//    Each server accepts one made-up token, passed in the variable the config
//    names and never printed.
// A taken port falls back to a free one; the night's config copy then names it.
// The GitHub ETag cache (.ledger-cache/) is kept from night to night, as in
// CI, so an unchanged repository costs 304s.
//
// Each night's collect calls the CLI's main() in this process, with the same
// arguments bin/release-ledger.mjs would get: a Node start per night would
// double the demo's time (CI gives it 4 minutes). `--spawn` runs a process
// per night instead; verify and build always run as separate processes.
//
// Plain JavaScript so `node scripts/demo.mjs` runs without a build step; tsx
// (already a dependency, used by bin/release-ledger.mjs too) loads the generator.
import { requireNode } from '../bin/require-node.mjs';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

requireNode();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'release-ledger.mjs');
const example = path.join(root, 'examples', 'acme');
const CONFIG_NAME = 'release-ledger.config.yaml';
const DAY_CONFIG_NAME = 'release-ledger.config.demo-day.yaml';
/** collect's acceptable exit codes: ok, written with gaps, open finding at --fail-on (not used here, harmless). */
const COLLECT_OK = new Set([0, 3, 4]);

const USAGE = `usage: node scripts/demo.mjs [--no-serve] [--days N] [--dir DIR] [--no-build] [--port P] [--spawn]
  --no-serve   build the ledger and the site, do not serve it (also when CI=true)
  --days N     only the first N days of the simulation (quick runs)
  --dir DIR    build the demo in DIR instead of examples/acme (the config is copied there)
  --no-build   skip the site build (and serving)
  --port P     port for serving the site (default 4321)
  --spawn      run each night's collect as its own \`node bin/release-ledger.mjs collect\` process,
               exactly as CI would (slower: a Node start per night). By default the nights call
               the CLI's main() in this process with the same arguments; verify and build are
               always separate processes.
  --in-process accepted for compatibility; it is the default
`;

let options;
try {
  options = parseArgs({
    options: {
      'no-serve': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      days: { type: 'string' },
      dir: { type: 'string' },
      port: { type: 'string', default: '4321' },
      'in-process': { type: 'boolean', default: false },
      spawn: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  process.stderr.write(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const days = options.days === undefined ? undefined : Number(options.days);
if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
  process.stderr.write(`--days must be a whole number of days, at least 1 (got "${options.days}")\n`);
  process.exit(2);
}
const port = Number(options.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`--port must be a port number (got "${options.port}")\n`);
  process.exit(2);
}

const dir = options.dir ? path.resolve(options.dir) : example;
const configFile = path.join(dir, CONFIG_NAME);
const dayConfigFile = path.join(dir, DAY_CONFIG_NAME);
const inventoryDir = path.join(dir, 'inventory');
const gitopsDir = path.join(dir, '.work', 'gitops');
const cacheDir = path.join(dir, '.ledger-cache');
/** The made-up token the demo's GitHub server accepts (the config's github.tokenEnv names the variable). */
const TOKEN_ENV = 'ACME_DEMO_GITHUB_TOKEN';
const TOKEN = 'acme-demo-token-not-a-secret';
/** Made-up tokens of the Kubernetes and Argo CD servers, by the variable the config's tokenEnv names. */
const KUBE_TOKENS = { dev: 'ACME_DEMO_KUBE_TOKEN_DEV', qa: 'ACME_DEMO_KUBE_TOKEN_QA', staging: 'ACME_DEMO_KUBE_TOKEN_STAGING', prod: 'ACME_DEMO_KUBE_TOKEN_PROD' };
const kubeToken = (env) => `acme-demo-kube-${env}-token-not-a-secret`;
const ARGOCD_TOKEN_ENV = 'ACME_DEMO_ARGOCD_TOKEN';
const ARGOCD_TOKEN = 'acme-demo-argocd-token-not-a-secret';
/** Where the demo copies the compatible servers' CA certificate (the config's caFile). */
const kubeCaFile = path.join(dir, '.work', 'kube-ca.pem');
const snapshotsDir = path.join(dir, 'content', 'snapshots');
const distDir = path.join(dir, 'dist');
const shown = (file) => path.relative(process.cwd(), file) || '.';
const log = (line) => process.stderr.write(`${line}\n`);

// Astro reports telemetry on every build unless told not to; the demo never phones home.
process.env.ASTRO_TELEMETRY_DISABLED ??= '1';
const { register } = await import('tsx/esm/api');
register();
const { generateDemo, inventoryFiles, configForDay, githubScenario, DEMO_PORTS, withPorts, ENVIRONMENTS } = await import('../examples/acme/generate.ts');
const { startGitHubServer } = await import('../examples/servers/github-server.ts');
const { startRuntimeServer } = await import('../examples/servers/runtime-server.ts');
const { startKubeServer, KUBE_CA_FILE } = await import('../examples/servers/kube-server.ts');
const { startArgoServer } = await import('../examples/servers/argocd-server.ts');
const { clusterWorld, argoApplications } = await import('../examples/acme/kubernetes-world.ts');
// A fixed, public demo key: the demo's snapshots are reproducible. Never use a published key for a real ledger.
const DEMO_LEDGER_KEY = 'acme-demo-ledger-key-public-not-secret-0001';
const sourceEnv = {
  ...process.env,
  NO_COLOR: '1',
  [TOKEN_ENV]: TOKEN,
  ...Object.fromEntries(Object.entries(KUBE_TOKENS).map(([env, name]) => [name, kubeToken(env)])),
  [ARGOCD_TOKEN_ENV]: ARGOCD_TOKEN,
  RELEASE_LEDGER_SECRET_KEY: DEMO_LEDGER_KEY,
};

/** Runs the real CLI for one night; resolves with its exit code and output (never rejects on a non-zero exit). */
function runCli(args) {
  return options.spawn ? runCliChild(args) : runCliInProcess(args);
}

/**
 * As a child process: exactly what a user or CI runs. With `stream`, the
 * child's progress (stderr) is shown as it comes, for the long site build.
 */
function runCliChild(args, { stream = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: sourceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => void (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      if (stream) process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve({ code: 1, stdout, stderr: `${stderr}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, stdout, stderr: signal ? `${stderr}killed by ${signal}\n` : stderr }));
  });
}

/** The same entry bin/release-ledger.mjs calls, with the same arguments, without a Node start per night. */
async function runCliInProcess(args) {
  const { main } = await import('../src/cli/index.ts');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: sourceEnv,
    cwd: root,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

function fail(message, output = '') {
  process.stderr.write(`${output.trimEnd() ? `${output.trimEnd()}\n` : ''}demo failed: ${message}\n`);
  process.exit(1);
}

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

if (dir !== example) {
  await mkdir(dir, { recursive: true });
  await copyFile(path.join(example, CONFIG_NAME), configFile);
}
// Regenerated from scratch: see the comment at the top. Never do this to a real ledger.
await rm(snapshotsDir, { recursive: true, force: true });
await mkdir(snapshotsDir, { recursive: true });
await rm(dayConfigFile, { force: true });
// The simulated GitHub restarts at the first night, so yesterday's ETags and facts would describe another world.
await rm(cacheDir, { recursive: true, force: true });
// The demo's own site, regenerated with its ledger (a site from before the build's output marker would be refused).
await rm(distDir, { recursive: true, force: true });

const demo = generateDemo(days === undefined ? {} : { days });
const configText = await readFile(configFile, 'utf8');
log(`demo: ${demo.days.length} nights of Acme Payments into ${shown(snapshotsDir)}`);

const github = await listen((port) => startGitHubServer({ repos: [], tokens: [TOKEN] }, { port }), DEMO_PORTS.github, 'GitHub');
const runtime = await listen((port) => startRuntimeServer({ port }), DEMO_PORTS.runtime, 'version endpoint');
// One Kubernetes-compatible API server per environment (a cluster each), and Argo CD; request logs without bodies (76 nights).
const kube = {};
for (const env of ENVIRONMENTS) {
  kube[env] = await listen((port) => startKubeServer({}, { token: kubeToken(env), port, logBodies: false }), DEMO_PORTS[`kube-${env}`], `Kubernetes (${env})`);
}
const argocd = await listen((port) => startArgoServer([], { token: ARGOCD_TOKEN, port }), DEMO_PORTS.argocd, 'Argo CD');
const ports = { github: portOf(github), runtime: runtime.port, argocd: portOf(argocd), ...Object.fromEntries(ENVIRONMENTS.map((env) => [`kube-${env}`, portOf(kube[env])])) };
log(`servers: GitHub ${github.baseUrl}, version endpoints ${runtime.url}, Argo CD ${argocd.origin}, Kubernetes ${ENVIRONMENTS.map((env) => `${env} ${kube[env].origin}`).join(', ')}, GitOps repository ${shown(gitopsDir)}`);
await initGitOps();
await copyFile(KUBE_CA_FILE, kubeCaFile);

let gapNights = 0;
try {
  for (const [i, day] of demo.days.entries()) {
    // Move every source to that night.
    github.scenario = githubScenario(demo, day.at, TOKEN);
    github.faults = day.githubFaults.map((f) => ({ match: new RegExp(f.pattern), kind: 'status', status: f.status }));
    github.served.clear(); // kept by the tests for OpenAPI checks; the demo does not need it
    runtime.reports = day.runtime;
    for (const env of ENVIRONMENTS) {
      kube[env].setWorld(clusterWorld(day.kubernetes, env));
      kube[env].requests.length = 0;
    }
    argocd.setApplications(argoApplications(day.kubernetes));
    argocd.requests.length = 0;
    await importGitOps(day.gitops, i > 0);
    await rm(inventoryDir, { recursive: true, force: true });
    await mkdir(inventoryDir, { recursive: true });
    for (const [name, text] of Object.entries(inventoryFiles(day))) await writeFile(path.join(inventoryDir, name), text);
    // The config as it stood that night (an expired exception is deleted partway through), naming the servers' ports.
    const dayText = withPorts(configForDay(configText, day.date, demo.cleanups), ports);
    let config = configFile;
    if (dayText !== configText) {
      await writeFile(dayConfigFile, dayText);
      config = dayConfigFile;
    }
    const asked = github.log.length;
    const result = await runCli(['collect', '--config', config, '--at', day.at]);
    if (!COLLECT_OK.has(result.code)) fail(`collect --at ${day.at} exited with ${result.code}`, result.stderr);
    if (result.code === 3) gapNights++;
    const requests = github.log.slice(asked);
    const summary = result.stdout.trim().split('\n').at(-1)?.replace(/^.*?—\s*/, '') ?? '';
    const graphql = requests.filter((r) => r.operation === 'graphql').length;
    const githubLine = `github ${requests.length} requests (${requests.filter((r) => r.status === 304).length} not modified, ${graphql} GraphQL)`;
    const kubeRequests = ENVIRONMENTS.reduce((n, env) => n + kube[env].requests.length, 0);
    log(`day ${String(i + 1).padStart(2)}/${demo.days.length} ${day.date}  ${summary}${result.code === 3 ? ' (gaps)' : ''}; ${githubLine}, ${day.gitops.length} gitops commits, kubernetes ${kubeRequests} requests, argocd ${argocd.requests.length}  [${seconds()} s]`);
  }
} finally {
  await github.close();
  await runtime.close();
  for (const env of ENVIRONMENTS) await kube[env].close();
  await argocd.close();
}
await rm(dayConfigFile, { force: true });
// The work tree of the GitOps repository shows the last night's files (the collector reads commits, not the work tree).
await git(['reset', '--quiet', '--hard']);

// A separate process, as CI runs it: the ledger on disk is all it reads.
const verified = await runCliChild(['verify', '--config', configFile]);
if (verified.code !== 0) fail('verify did not pass on the demo ledger', verified.stderr);
log(`verify: ${verified.stdout.trim()}`);
log(`demo ledger: ${demo.days.length} snapshots, ${gapNights} with gaps, in ${seconds()} s`);

if (options['no-build']) process.exit(0);
// The site build arrives with the Astro site; until then the ledger is the demo.
if (!existsSync(path.join(root, 'src', 'site', 'build.ts'))) {
  log('site: not built (the site build is not available in this checkout yet)');
  process.exit(0);
}
// Always a child process, with its progress shown: Astro's build is long and best kept out of this process.
const built = await runCliChild(['build', '--config', configFile], { stream: true });
if (built.code !== 0) fail('the site build failed (its output is above)');
log(`site: ${built.stdout.trim()} [${seconds()} s]`);

if (options['no-serve'] || process.env.CI === 'true') process.exit(0);
await serve(distDir, port);

/** Starts a server on its fixed demo port, or on a free port when that one is taken. */
async function listen(start, port, what) {
  try {
    return await start(port);
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error;
    const server = await start(0);
    log(`${what} server: port ${port} is taken, using ${portOf(server)} (the night's config copy names it)`);
    return server;
  }
}

/** The port a started server listens on (servers name their address `url` or `origin`). */
function portOf(server) {
  return Number(new URL(typeof server.origin === 'string' ? server.origin : server.url).port);
}

/** git with no system or user config, so a developer's settings (hooks, templates, default branch) cannot leak in. */
function git(args, input) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: gitopsDir, env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => void (stderr += chunk));
    child.on('error', (error) => reject(new Error(`git ${args[0]} could not start: ${error.message} (the demo needs git on PATH)`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args[0]} failed: ${stderr.trim().split('\n')[0]}`))));
    child.stdin.end(input ?? '');
  });
}

/** A fresh GitOps repository (regenerated like the ledger: its history is simulated). */
async function initGitOps() {
  await rm(gitopsDir, { recursive: true, force: true });
  await mkdir(gitopsDir, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main']);
}

/**
 * Appends one night's commits to `main` with one `git fast-import`
 * (https://git-scm.com/docs/git-fast-import): each commit keeps its author and
 * simulated time, and a night costs one process instead of three per commit.
 */
async function importGitOps(commits, continues) {
  if (commits.length === 0) return;
  const parts = [];
  commits.forEach((commit, n) => {
    const when = `${Math.floor(Date.parse(commit.at) / 1000)} +0000`;
    const who = `${commit.author} <${commit.author.replace(/\[bot\]$/, '')}@acme.example>`;
    const message = `${commit.message}\n`;
    parts.push(`commit refs/heads/main\nauthor ${who} ${when}\ncommitter ${who} ${when}\ndata ${Buffer.byteLength(message)}\n${message}`);
    // A new fast-import process continues the branch only when told to.
    if (n === 0 && continues) parts.push('from refs/heads/main^0\n');
    for (const [file, content] of Object.entries(commit.files)) parts.push(`M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
    parts.push('\n');
  });
  await git(['fast-import', '--quiet', '--date-format=raw'], parts.join(''));
}

/** A tiny static server for the built site (no dependencies; the site itself needs no server). */
async function serve(folder, listenPort) {
  const types = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.txt': 'text/plain; charset=utf-8',
    '.xml': 'application/xml',
    '.wasm': 'application/wasm',
  };
  const base = path.resolve(folder);
  const server = http.createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      let file = path.resolve(base, `.${decodeURIComponent(url.pathname)}`);
      // Never serve outside the site folder.
      if (file !== base && !file.startsWith(base + path.sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[path.extname(file).toLowerCase()] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      const notFound = await readFile(path.join(base, '404.html')).catch(() => null);
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(notFound ?? 'not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  process.stdout.write(`Acme Payments demo: http://127.0.0.1:${listenPort}/ (Ctrl-C to stop)\n`);
}
