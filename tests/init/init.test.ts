/**
 * `release-ledger init`: the templates (pure functions, checked for content),
 * the all-or-nothing writer, and the CLI command over real temp folders.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { load as parse } from 'js-yaml';
import { exampleInventory, schemaReference, starterConfig, workflow } from '../../src/init/index.ts';
import { loadConfig } from '../../src/model/load-config.ts';
import { runCli } from '../helpers/cli.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
  id?: string;
}
interface Workflow {
  on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: Record<string, unknown> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; needs?: string | string[]; environment?: { name: string }; outputs?: Record<string, string>; strategy?: unknown }>;
}

describe('templates', () => {
  it('points the modeline at the JSON Schema for each way of using the package', () => {
    expect(schemaReference({ mode: 'package', configDir: '' })).toBe('./node_modules/release-ledger/schema/config.schema.json');
    expect(schemaReference({ mode: 'package', configDir: 'ops/ledger' })).toBe('../../node_modules/release-ledger/schema/config.schema.json');
    expect(schemaReference({ mode: 'clone', configDir: '.' })).toBe('./schema/config.schema.json');
    expect(starterConfig({ mode: 'clone', configDir: '' }).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/config.schema.json');
  });

  it('writes a starter config that loads with loadConfig and reads the example inventory', async () => {
    for (const mode of ['package', 'clone'] as const) {
      await writeFile(path.join(dir, 'release-ledger.config.yaml'), starterConfig({ mode, configDir: '' }));
      const loaded = await loadConfig(path.join(dir, 'release-ledger.config.yaml'));
      expect(loaded.config.environments.map((e) => e.name)).toEqual(['dev', 'qa', 'staging', 'prod']);
      expect(loaded.config.sources.inventory).toMatchObject({ type: 'file', path: 'inventory.yaml' });
      expect(loaded.snapshotsDir).toBe(path.join(dir, 'content', 'snapshots'));
    }
    const inventory = parse(exampleInventory()) as { deployments: { service: string; environment: string }[] };
    expect(inventory.deployments.map((d) => `${d.service}@${d.environment}`)).toEqual(['example-api@dev', 'example-api@qa', 'example-api@staging', 'example-api@prod']);
  });

  it('writes a starter config that the shipped JSON Schema accepts (what the editor checks)', async () => {
    const schema = JSON.parse(await readFile(path.join(REPO, 'schema', 'config.schema.json'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    delete schema.$schema;
    const validate = ajv.compile(schema);
    const ok = validate(parse(starterConfig({ mode: 'package', configDir: '' })));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('writes a nightly + on-demand workflow that commits, verifies, builds and deploys, in that order', () => {
    const text = workflow({ mode: 'package', configDir: '' });
    const wf = parse(text) as Workflow;
    expect(wf.on.schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(Object.keys(wf.on.workflow_dispatch.inputs)).toEqual(['at']);
    expect(wf.concurrency).toEqual({ group: 'release-ledger', 'cancel-in-progress': false });
    expect(wf.permissions).toEqual({ contents: 'write', pages: 'write', 'id-token': 'write' });

    const steps = wf.jobs.ledger!.steps;
    expect(steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.name)).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'Install',
      'actions/cache',
      'actions/cache',
      'Collect',
      'Commit the snapshot',
      'Verify the hash chain',
      'Build the site',
      'Check the site fits GitHub Pages',
      'actions/upload-pages-artifact',
    ]);
    expect(steps[0]!.with).toEqual({ 'fetch-depth': 0 });
    expect(steps[1]!.with).toEqual({ 'node-version': 24, cache: 'npm' });
    expect(steps[2]!.run).toBe('npm ci');
    expect(steps[3]!.with!.path).toBe('.ledger-cache');
    expect(steps[4]!.name).toBe('Cache the site and its incremental-build cache');
    // The site output and its incremental-build cache (src/site/build.ts defaultCacheDir) are kept between runs.
    expect(String(steps[4]!.with!.path).trim().split('\n')).toEqual(['dist', '.dist-cache']);

    const collect = steps[5]!.run!;
    expect(collect).toContain('npx --no-install release-ledger collect --config release-ledger.config.yaml --fail-on high');
    expect(collect).toMatch(/0\|3\|4\) exit 0/);
    const commit = steps[6]!.run!;
    expect(commit).toContain('git commit --signoff');
    expect(commit).toContain('git pull --rebase');
    expect(commit).not.toMatch(/--force|push -f|\+HEAD/);
    expect(steps[6]!.env!.GIT_AUTHOR_NAME).toBe('github-actions[bot]');
    expect(steps[7]!.run).toBe('npx --no-install release-ledger verify --config release-ledger.config.yaml ${CHECKPOINT:+--checkpoint "$CHECKPOINT"}');
    // Scheduled nights verify from the cached checkpoint; runs started by hand verify everything.
    expect(steps[7]!.env!.CHECKPOINT).toBe("${{ github.event_name == 'schedule' && '.ledger-cache/verified-head' || '' }}");
    expect(steps[8]!.run).toBe('npx --no-install release-ledger build --config release-ledger.config.yaml --out dist');
    // The site is measured against GitHub Pages' 1 GB before it is uploaded (run in tests/workflow).
    expect(steps[9]!.run).toContain('tar --dereference --hard-dereference -cf - -C dist . | wc -c');
    expect(steps[10]!.with).toEqual({ path: 'dist' });

    const deploy = wf.jobs.deploy!;
    expect(deploy.needs).toBe('ledger');
    expect(deploy.environment!.name).toBe('github-pages');
    expect(deploy.steps[0]!.uses).toMatch(/^actions\/deploy-pages@/);
    expect(deploy.steps[1]!.env!.COLLECT_EXIT).toBe('${{ needs.ledger.outputs.collect-exit }}');
    expect(deploy.steps[1]!.run).toContain('exit 4');
  });

  it('keeps every ${{ }} expression out of run: scripts (they stay plain shell)', () => {
    for (const shards of [1, 4]) {
      const wf = parse(workflow({ mode: 'clone', configDir: 'ledger', shards })) as Workflow;
      for (const job of Object.values(wf.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
    }
  });

  it('with shards, collects in a matrix job per shard at one planned time, and merges before the same commit, verify, build and deploy', () => {
    const single = parse(workflow({ mode: 'package', configDir: 'ops' })) as Workflow;
    const wf = parse(workflow({ mode: 'package', configDir: 'ops', shards: 4 })) as Workflow;
    expect(Object.keys(wf.jobs)).toEqual(['plan', 'collect', 'ledger', 'deploy']);
    const names = (job: string) => wf.jobs[job]!.steps.map((s) => s.name);
    expect(names('collect')).toEqual(['Checkout', 'Setup Node', 'Install', 'Cache GitHub ETags', 'Collect a shard', 'Upload the shard']);
    const collect = wf.jobs.collect!.steps.find((s) => s.name === 'Collect a shard')!;
    expect(collect.run).toBe('npx --no-install release-ledger collect --config ops/release-ledger.config.yaml --shard "$SHARD/4" --at "$AT"');
    expect(collect.env).toMatchObject({ AT: '${{ needs.plan.outputs.at }}', SHARD: '${{ matrix.shard }}' });
    // Each shard's ETag cache is its own.
    expect(wf.jobs.collect!.steps.find((s) => s.name === 'Cache GitHub ETags')!.with!.key).toBe('release-ledger-etags-shard-${{ matrix.shard }}-of-4-${{ github.run_id }}');
    // What a shard uploads is where the ledger job downloads it, and where merge reads it: beside the snapshots.
    const upload = wf.jobs.collect!.steps.find((s) => s.name === 'Upload the shard')!;
    const download = wf.jobs.ledger!.steps.find((s) => s.name === 'Download the shards')!;
    expect(upload.with).toMatchObject({ name: 'release-ledger-shard-${{ matrix.shard }}', path: 'ops/content/shards/', 'if-no-files-found': 'error' });
    expect(download.with).toEqual({ pattern: 'release-ledger-shard-*', 'merge-multiple': true, path: 'ops/content/shards/' });
    const merge = wf.jobs.ledger!.steps.find((s) => s.name === 'Merge the shards')!;
    expect(merge.id).toBe('collect');
    expect(merge.run).toContain('npx --no-install release-ledger merge --config ops/release-ledger.config.yaml --at "$AT" --shards 4 --fail-on high > "$RUNNER_TEMP/collect.txt"');
    // From the commit on, the ledger job is the single-job workflow's, step for step, and the deploy job is the same.
    const from = (steps: Workflow['jobs'][string]['steps']) => steps.slice(steps.findIndex((s) => s.name === 'Commit the snapshot'));
    expect(from(wf.jobs.ledger!.steps)).toEqual(from(single.jobs.ledger!.steps));
    expect(wf.jobs.deploy).toEqual(single.jobs.deploy);
    expect(wf.jobs.ledger!.steps.find((s) => s.name === 'Checkout')!.with).toEqual({ 'fetch-depth': 0 });
  });

  it('points a workflow at a config in a subfolder, and uses npm run in a clone', () => {
    const wf = parse(workflow({ mode: 'clone', configDir: 'ops/ledger/' })) as Workflow;
    const steps = wf.jobs.ledger!.steps;
    expect(steps.find((s) => s.name === 'Verify the hash chain')!.run).toContain('npm run --silent release-ledger -- verify --config ops/ledger/release-ledger.config.yaml ');
    expect(steps.find((s) => s.name === 'Verify the hash chain')!.env!.CHECKPOINT).toContain("'ops/ledger/.ledger-cache/verified-head'");
    expect(steps.find((s) => s.name === 'Commit the snapshot')!.run).toContain('git add -- ops/ledger/content/snapshots');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-pages-artifact'))!.with).toEqual({ path: 'ops/ledger/dist' });
  });
});

describe('release-ledger init', () => {
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env: {} });

  it('writes the config, the inventory and the workflow; a collect over them works', async () => {
    const run = await cli('init');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote release-ledger.config.yaml\nwrote inventory.yaml\nwrote .github/workflows/release-ledger.yml\n');
    const config = await readFile(path.join(dir, 'release-ledger.config.yaml'), 'utf8');
    // Not inside a clone of release-ledger: the package layout.
    expect(config.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/release-ledger/schema/config.schema.json');
    const collect = await cli('collect', '--at', '2026-01-08T02:00:00Z');
    expect(collect.code, collect.stderr).toBe(0);
    expect(collect.stdout).toMatch(/^content\/snapshots\/2026-01-08T020000Z\.json [0-9a-f]{64} — 4 deployments/);
  });

  it('refuses to overwrite any existing file without --force (exit 2, nothing written)', async () => {
    await writeFile(path.join(dir, 'inventory.yaml'), 'mine\n');
    const run = await cli('init');
    expect(run.code).toBe(2);
    expect(run.stderr.replaceAll(dir, '<dir>')).toMatchInlineSnapshot(`
      "release-ledger: <dir>/inventory.yaml already exists; run "release-ledger init --force" to overwrite (nothing written)
      "
    `);
    await expect(stat(path.join(dir, 'release-ledger.config.yaml'))).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(dir, '.github'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(dir, 'inventory.yaml'), 'utf8')).toBe('mine\n');

    const forced = await cli('init', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'inventory.yaml'), 'utf8')).toBe(exampleInventory());
  });

  it('puts the workflow at the git root and the config in --dir', async () => {
    await mkdir(path.join(dir, '.git'));
    const run = await cli('init', '--dir', 'ops/ledger');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote ops/ledger/release-ledger.config.yaml\nwrote ops/ledger/inventory.yaml\nwrote .github/workflows/release-ledger.yml\n');
    const wf = await readFile(path.join(dir, '.github', 'workflows', 'release-ledger.yml'), 'utf8');
    expect(wf).toContain('verify --config ops/ledger/release-ledger.config.yaml');
    const config = await readFile(path.join(dir, 'ops', 'ledger', 'release-ledger.config.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/release-ledger/schema/config.schema.json');
  });

  it('uses the clone layout inside a clone of this repository', async () => {
    await mkdir(path.join(dir, '.git'));
    await mkdir(path.join(dir, 'schema'));
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'schema', 'config.schema.json'), '{}');
    await writeFile(path.join(dir, 'bin', 'release-ledger.mjs'), '');
    expect((await cli('init')).code).toBe(0);
    expect((await readFile(path.join(dir, 'release-ledger.config.yaml'), 'utf8')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/config.schema.json');
    expect(await readFile(path.join(dir, '.github', 'workflows', 'release-ledger.yml'), 'utf8')).toContain('npm run --silent release-ledger -- collect');
  });

  it('writes the sharded workflow with --shards, and refuses a count a matrix cannot run', async () => {
    const run = await cli('init', '--shards', '6');
    expect(run.code, run.stderr).toBe(0);
    const wf = parse(await readFile(path.join(dir, '.github', 'workflows', 'release-ledger.yml'), 'utf8')) as Workflow;
    expect(wf.jobs.collect!.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3, 4, 5, 6] } });
    for (const bad of ['0', '257', '2.5', 'many']) {
      const refused = await cli('init', '--force', '--shards', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`release-ledger: --shards must be a whole number from 1 to 256, the jobs of one GitHub Actions matrix (got "${bad}")\n`);
    }
  });

  it('refuses --config (init writes the config)', async () => {
    const run = await cli('init', '--config', 'x.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "release-ledger: unknown option --config for "init"; see release-ledger init --help
      "
    `);
  });
});
