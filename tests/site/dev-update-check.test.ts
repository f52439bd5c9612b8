/**
 * Issue 27 item 6: `dev` must not ask the npm registry for a newer Astro at
 * start. The real entry point runs in a child process whose environment has
 * no CI variables (on CI Astro skips the check by itself, which would make
 * this test pass for the wrong reason); a preload asks Astro's own
 * `shouldCheckForUpdates` with preferences that allow a check (never checked
 * before, `checkUpdates` on) once the CLI is done. Without the entry point the
 * same question answers yes, so the test can fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'release-ledger.mjs');
const UPDATE_CHECK = pathToFileURL(path.join(ROOT, 'node_modules', 'astro', 'dist', 'core', 'dev', 'update-check.js')).href;

let dir: string;
let preload: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-update-check-'));
  preload = path.join(dir, 'ask-astro.mjs');
  await writeFile(
    preload,
    `let asked = false;
process.on('beforeExit', async () => {
  if (asked) return;
  asked = true;
  const { shouldCheckForUpdates } = await import(${JSON.stringify(UPDATE_CHECK)});
  const preferences = { get: async (key) => (key === '_variables.lastUpdateCheck' ? 0 : true) };
  process.stderr.write('astro would check for updates: ' + (await shouldCheckForUpdates(preferences)) + '\\n');
});
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A clean environment: no CI variables (ci-info), no Astro variables. */
const cleanEnv = () => ({ PATH: process.env.PATH ?? '', HOME: dir });

describe('dev and the npm registry', () => {
  it("the CLI entry switches off Astro's update check", () => {
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, '--version'], { encoding: 'utf8', env: cleanEnv(), cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('astro would check for updates: false');
  });

  it('without the entry point, the same process would check (the control)', () => {
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, '-e', ''], { encoding: 'utf8', env: cleanEnv(), cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('astro would check for updates: true');
  });
});
