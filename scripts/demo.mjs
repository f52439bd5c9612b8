#!/usr/bin/env node
// `npm run demo`: builds the demo ledger of Acme Payments (examples/acme/)
// with the real CLI, one `collect --at <day>T02:00:00Z` per simulated night,
// then verifies it, builds the site and serves it.
//
//   npm run demo -- [--no-serve] [--days N] [--dir DIR] [--no-build] [--port P] [--in-process]
//
// The demo ledger is regenerated from scratch every time: this script deletes
// examples/acme/content/snapshots/ first. That is only right for a demo whose
// history is simulated; a real ledger is append-only and never rewritten.
// No network and no token are needed: the only source is the `file` source
// reading examples/acme/inventory/, which this script fills night by night
// from the deterministic simulation in examples/acme/generate.ts.
//
// Plain JavaScript so `node scripts/demo.mjs` runs without a build step; tsx
// (already a dependency, used by bin/release-ledger.mjs too) loads the generator.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`the demo needs Node.js 22.12 or newer (this is ${process.version}); install a current Node from https://nodejs.org and run it again.\n`);
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'release-ledger.mjs');
const example = path.join(root, 'examples', 'acme');
const CONFIG_NAME = 'release-ledger.config.yaml';
const DAY_CONFIG_NAME = 'release-ledger.config.demo-day.yaml';
/** collect's acceptable exit codes: ok, written with gaps, open finding at --fail-on (not used here, harmless). */
const COLLECT_OK = new Set([0, 3, 4]);

const USAGE = `usage: node scripts/demo.mjs [--no-serve] [--days N] [--dir DIR] [--no-build] [--port P] [--in-process]
  --no-serve   build the ledger and the site, do not serve it (also when CI=true)
  --days N     only the first N days of the simulation (quick runs)
  --dir DIR    build the demo in DIR instead of examples/acme (the config is copied there)
  --no-build   skip the site build (and serving)
  --port P     port for serving the site (default 4321)
  --in-process call the CLI's main() in this process instead of spawning bin/release-ledger.mjs
               per night (same code and arguments, about five times faster; used by the tests)
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
const snapshotsDir = path.join(dir, 'content', 'snapshots');
const distDir = path.join(dir, 'dist');
const shown = (file) => path.relative(process.cwd(), file) || '.';
const log = (line) => process.stderr.write(`${line}\n`);

const { register } = await import('tsx/esm/api');
register();
const { generateDemo, inventoryFiles, configForDay } = await import('../examples/acme/generate.ts');

/** Runs the real CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
function runCli(args) {
  return options['in-process'] ? runCliInProcess(args) : runCliChild(args);
}

/**
 * As a child process: exactly what a user or CI runs. With `stream`, the
 * child's progress (stderr) is shown as it comes, for the long site build.
 */
function runCliChild(args, { stream = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const { main } = await import('../collectors/cli.ts');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: { ...process.env, NO_COLOR: '1' },
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

const demo = generateDemo(days === undefined ? {} : { days });
const configText = await readFile(configFile, 'utf8');
log(`demo: ${demo.days.length} nights of Acme Payments into ${shown(snapshotsDir)}`);

let gapNights = 0;
for (const [i, day] of demo.days.entries()) {
  await rm(inventoryDir, { recursive: true, force: true });
  await mkdir(inventoryDir, { recursive: true });
  for (const [name, text] of Object.entries(inventoryFiles(day))) await writeFile(path.join(inventoryDir, name), text);
  // The config as it stood that night (an expired exception is deleted partway through).
  const dayText = configForDay(configText, day.date, demo.cleanups);
  let config = configFile;
  if (dayText !== configText) {
    await writeFile(dayConfigFile, dayText);
    config = dayConfigFile;
  }
  const result = await runCli(['collect', '--config', config, '--at', day.at]);
  if (!COLLECT_OK.has(result.code)) fail(`collect --at ${day.at} exited with ${result.code}`, result.stderr);
  if (result.code === 3) gapNights++;
  const summary = result.stdout.trim().split('\n').at(-1)?.replace(/^.*?—\s*/, '') ?? '';
  log(`day ${String(i + 1).padStart(2)}/${demo.days.length} ${day.date}  ${summary}${result.code === 3 ? ' (gaps)' : ''}  [${seconds()} s]`);
}
await rm(dayConfigFile, { force: true });

const verified = await runCli(['verify', '--config', configFile]);
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
