/**
 * The gitops source against real git repositories made in temp folders, with
 * dated commits by several authors, for Helm, Kustomize and plain layouts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import type { ConfigInput, GitOpsSourceConfig } from '../../src/model/index.ts';
import { snapshotSchema } from '../../src/model/index.ts';
import { ALICE, BOB, CAROL, makeGitRepo } from '../helpers/git-repo.ts';
import type { GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/gitops/${name}`, import.meta.url), 'utf8');
const ENV = { PATH: process.env['PATH'] };
const DIGEST = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

const helmValues = (tag: string, logLevel = 'info') =>
  `image:\n  repository: ghcr.io/acme/payments-api\n  tag: "${tag}"\nenv:\n  LOG_LEVEL: ${logLevel}\n  REPLICAS: 2\n  DB_PASSWORD: hunter2\n`;

function config(gitops: Record<string, unknown>, services: string[]): ConfigInput {
  return {
    name: 'Acme',
    environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod', production: true }],
    sources: { declared: { type: 'gitops', ...gitops } as never },
    services: services.map((name) => ({ name, sources: ['declared'] })),
  };
}

async function collect(repoDir: string, gitops: Record<string, unknown>, services: string[], progress: string[] = []) {
  // Relative to the config folder, as users write it.
  const configDir = join(repoDir, '..');
  return collectGitOps(
    sourceContext<GitOpsSourceConfig>(config({ path: relative(configDir, repoDir), ...gitops }, services), 'declared', { configDir, env: ENV, progress }),
  );
}

describe('collectGitOps: Helm layout', () => {
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await makeGitRepo([
      {
        files: {
          'environments/staging/payments-api/values.yaml': helmValues('2.4.0'),
          'environments/production/payments-api/values.yaml': helmValues('2.3.9'),
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
        message: 'payments-api: initial values',
      },
      {
        files: { 'environments/staging/payments-api/values.yaml': helmValues('2.4.1') },
        author: BOB,
        date: '2026-03-05T09:30:00+01:00',
        message: 'payments-api 2.4.1 to staging',
      },
      {
        // A manual config change in prod, by someone else, with no image change.
        files: { 'environments/production/payments-api/values.yaml': helmValues('2.3.9', 'debug') },
        author: CAROL,
        date: '2026-03-10T16:45:00Z',
        message: 'prod: debug logging',
      },
    ]);
    // Uncommitted edits must not count: the source reads the commit.
    await repo.writeWorkTree('environments/staging/payments-api/values.yaml', helmValues('9.9.9'));
  });
  afterAll(() => repo.cleanup());

  it('declares image tags per environment with the commit, the last author and time, and config values', async () => {
    const progress: string[] = [];
    const evidence = await collect(
      repo.dir,
      { environments: { prod: 'production' }, configFiles: ['environments/{environment}/{service}/values.yaml'] },
      ['payments-api'],
      progress,
    );
    const head = repo.shas[2]!;
    expect(evidence.declared).toEqual([
      {
        service: 'payments-api',
        environment: 'prod',
        version: '2.3.9',
        image: 'ghcr.io/acme/payments-api:2.3.9',
        file: 'environments/production/payments-api/values.yaml',
        revision: head,
        changedBy: 'Carol Example',
        changedAt: '2026-03-10T16:45:00.000Z',
        source: 'declared',
      },
      {
        service: 'payments-api',
        environment: 'staging',
        version: '2.4.1',
        image: 'ghcr.io/acme/payments-api:2.4.1',
        file: 'environments/staging/payments-api/values.yaml',
        revision: head,
        changedBy: 'Bob Example',
        changedAt: '2026-03-05T08:30:00.000Z',
        source: 'declared',
      },
    ]);
    expect(evidence.configs).toEqual([
      {
        service: 'payments-api',
        environment: 'prod',
        source: 'declared',
        values: { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'debug', REPLICAS: 2 },
        origin: 'environments/production/payments-api/values.yaml',
        revision: head,
        changedBy: 'Carol Example',
        changedAt: '2026-03-10T16:45:00.000Z',
      },
      {
        service: 'payments-api',
        environment: 'staging',
        source: 'declared',
        values: { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info', REPLICAS: 2 },
        origin: 'environments/staging/payments-api/values.yaml',
        revision: head,
        changedBy: 'Bob Example',
        changedAt: '2026-03-05T08:30:00.000Z',
      },
    ]);
    // dev has no file: a gap for exactly dev, for both kinds of evidence.
    expect(evidence.gaps.map((g) => `${g.service}/${g.environment} [${g.evidence}] ${g.reason.replace(head.slice(0, 12), 'HEAD')}`)).toEqual([
      'payments-api/dev [config] no file at HEAD matches environments/dev/payments-api/values.yaml',
      'payments-api/dev [declared] no file at HEAD matches environments/dev/payments-api/values.yaml',
    ]);
    expect(() => snapshotSchema.shape.declared.parse(evidence.declared)).not.toThrow();
    expect(() => snapshotSchema.shape.configs.parse(evidence.configs)).not.toThrow();
    expect(progress[0]).toMatch(/^declared: read \S+ at [0-9a-f]{12}: 2 declared image\(s\), 2 config record\(s\), 2 gap\(s\)$/);
  });

  it('reads at `ref` when one is set', async () => {
    await repo.git('tag', 'before-debug', repo.shas[1]!);
    const evidence = await collect(repo.dir, { ref: 'before-debug', environments: { prod: 'production' }, configFiles: ['environments/{environment}/{service}/values.yaml'] }, ['payments-api']);
    expect(evidence.declared.map((d) => [d.environment, d.version, d.revision, d.changedBy])).toEqual([
      ['prod', '2.3.9', repo.shas[1], 'Alice Example'],
      ['staging', '2.4.1', repo.shas[1], 'Bob Example'],
    ]);
    expect(evidence.configs.find((c) => c.environment === 'prod')?.values['LOG_LEVEL']).toBe('info');
  });
});

describe('collectGitOps: Kustomize layout (one overlay per environment, shared by services)', () => {
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await makeGitRepo([
      { files: { 'overlays/prod/kustomization.yaml': fixture('kustomization.yaml'), 'base/kustomization.yaml': 'resources: [deployment.yaml]\n' }, author: ALICE, date: '2026-02-01T08:00:00Z' },
      {
        files: { 'overlays/staging/kustomization.yaml': fixture('kustomization.yaml').replace('newTag: 1.8.0', 'newTag: 1.9.0-rc.1') },
        author: BOB,
        date: '2026-02-02T08:00:00Z',
      },
    ]);
  });
  afterAll(() => repo.cleanup());

  it('matches each service by image name, and does not guess in a shared file', async () => {
    const evidence = await collect(repo.dir, { files: ['overlays/{environment}/kustomization.yaml'] }, ['ledger-api', 'payments-api', 'billing']);
    expect(evidence.declared.map((d) => [d.service, d.environment, d.version, d.image, d.artifact ?? null, d.changedBy])).toEqual([
      ['ledger-api', 'prod', '1.8.0', 'registry.acme.example/acme/ledger-api:1.8.0', null, 'Alice Example'],
      ['ledger-api', 'staging', '1.9.0-rc.1', 'registry.acme.example/acme/ledger-api:1.9.0-rc.1', null, 'Bob Example'],
      [
        'payments-api',
        'prod',
        '2.4.2',
        'acme/payments-api:2.4.2@sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
        'sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
        'Alice Example',
      ],
      [
        'payments-api',
        'staging',
        '2.4.2',
        'acme/payments-api:2.4.2@sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
        'sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
        'Bob Example',
      ],
    ]);
    expect(evidence.gaps.filter((g) => g.service === 'billing' && g.environment === 'prod').map((g) => g.reason)).toEqual([
      // The fixture's base names a deployment.yaml it does not hold: the overlay is not fully resolved, and its own images: do not name billing.
      'overlays/prod/kustomization.yaml: the overlay is not fully resolved: base/deployment.yaml: no kustomization.yaml; overlays/prod/kustomization.yaml: no image named "billing" (the file is shared, so the first image is not assumed to be this service\'s)',
    ]);
    expect(evidence.gaps.map((g) => `${g.service}/${g.environment}`)).toEqual(['billing/dev', 'billing/prod', 'billing/staging', 'ledger-api/dev', 'payments-api/dev']);
  });
});

describe('collectGitOps: plain manifests with a glob, in a subfolder of a larger repository', () => {
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await makeGitRepo([
      {
        files: {
          'README.md': '# platform\n',
          'deploy/apps/notifier/prod/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: notifier }\n',
          'deploy/apps/notifier/prod/workload.yaml': fixture('deployment.yaml'),
          'deploy/apps/notifier/dev/workload.yaml': fixture('deployment.yaml').replace('3.2.0@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9', '3.3.0'),
          'deploy/apps/notifier/staging/workload.yaml': 'kind: Deployment\nspec: [broken\n',
        },
        author: CAROL,
        date: '2026-01-15T12:00:00Z',
      },
    ]);
  });
  afterAll(() => repo.cleanup());

  it('picks the service container across documents and turns bad YAML into a gap', async () => {
    const evidence = await collect(join(repo.dir, 'deploy'), { files: ['apps/{service}/{environment}/*.yaml'] }, ['notifier']);
    expect(evidence.declared.map((d) => [d.environment, d.version, d.image, d.artifact ?? null, d.file])).toEqual([
      ['dev', '3.3.0', 'localhost:5000/acme/notifier:3.3.0', null, 'apps/notifier/dev/workload.yaml'],
      [
        'prod',
        '3.2.0',
        'localhost:5000/acme/notifier:3.2.0@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
        'sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
        'apps/notifier/prod/workload.yaml',
      ],
    ]);
    // Dated through `git log --relative` from the subfolder.
    expect(evidence.declared.map((d) => [d.changedBy, d.changedAt])).toEqual(Array(2).fill(['Carol Example', '2026-01-15T12:00:00.000Z']));
    expect(evidence.gaps.map((g) => `${g.environment} [${g.evidence}] ${g.reason}`)).toMatchInlineSnapshot(`
      [
        "staging [declared] apps/notifier/staging/workload.yaml: unparsable YAML at line 2: this flow list ([) is never closed; add the closing ]",
      ]
    `);
  });
});

describe('collectGitOps: failures become gaps', () => {
  let scratch: string;
  let repo: GitRepo;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ledger-gitops-'));
    repo = await makeGitRepo([
      { files: { 'environments/prod/api/values.yaml': 'replicas: 2\n', 'environments/staging/api/values.yaml': 'image: "Bad/Ref"\n' }, author: ALICE, date: '2026-03-01T00:00:00Z' },
    ]);
  });
  afterAll(async () => {
    await repo.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  const reasons = (evidence: Awaited<ReturnType<typeof collect>>) => evidence.gaps.map((g) => `${g.service}/${g.environment} [${g.evidence}] ${g.reason}`);

  it('a missing repository, a folder that is not a repository, an empty one, and an unknown ref', async () => {
    expect(reasons(await collect(join(scratch, 'nope'), {}, ['api']))[0]).toBe(
      'api/dev [all] GitOps repository "nope" not found; clone it there or fix sources.declared.path',
    );
    expect(reasons(await collect(scratch, {}, ['api']))[0]).toMatch(/^api\/dev \[all\] GitOps repository "\.\.\/\S+" is not a git repository$|^api\/dev \[all\] GitOps repository "ledger-gitops-\S+" is not a git repository$/);
    const empty = await makeGitRepo();
    try {
      expect(reasons(await collect(empty.dir, {}, ['api']))).toHaveLength(3);
      expect(reasons(await collect(empty.dir, {}, ['api']))[0]).toMatch(/has no commit at ref "HEAD" \(empty repository\?\)$/);
    } finally {
      await empty.cleanup();
    }
    expect(reasons(await collect(repo.dir, { ref: 'release/none' }, ['api']))[0]).toMatch(/has no commit at ref "release\/none"$/);
    expect(reasons(await collect(repo.dir, { ref: '--output=/tmp/x' }, ['api']))[0]).toMatch(/ref "--output=\/tmp\/x" is not a valid git ref$/);
  });

  it('a file with no image, and an invalid image reference, for exactly that cell', async () => {
    const evidence = await collect(repo.dir, {}, ['api']);
    const head = repo.shas[0]!.slice(0, 12);
    expect(reasons(evidence).map((r) => r.replace(head, 'HEAD'))).toMatchInlineSnapshot(`
      [
        "api/dev [declared] no file at HEAD matches environments/dev/api/values.yaml",
        "api/prod [declared] environments/prod/api/values.yaml: no image found (looked for Kustomize images:, containers[].image in workloads, Helm image: under "api" or at the top level, Flux HelmRelease and Argo CD Application values, images and exact chart versions)",
        "api/staging [declared] environments/staging/api/values.yaml: image reference "Bad/Ref" is not valid",
      ]
    `);
  });

  it('patterns cannot leave the repository', async () => {
    const evidence = await collect(repo.dir, { files: ['../{service}/values.yaml'] }, ['api']);
    expect(reasons(evidence)[0]).toBe(
      'api/dev [declared] pattern "../{service}/values.yaml" gives "../api/values.yaml", which is not a plain relative path inside the repository',
    );
    const mapped = await collect(repo.dir, { environments: { prod: '../../etc' } }, ['api']);
    expect(reasons(mapped).find((r) => r.startsWith('api/prod'))).toBe('api/prod [declared] environment "../../etc" cannot be used in a path (letters, digits, ".", "_", "-")');
  });

  it('repo mode (through the GitHub API) with no token is a clear gap (the rest of repo mode: github-mode.test.ts)', async () => {
    const input: ConfigInput = {
      name: 'Acme',
      environments: [{ name: 'prod' }],
      sources: { gh: { type: 'github' }, declared: { type: 'gitops', repo: 'acme/gitops', github: 'gh' } },
      services: [{ name: 'api', sources: ['declared'] }],
    };
    const evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'declared', { env: ENV }));
    expect(reasons(evidence)).toEqual([
      'api/prod [all] no GitHub token: set GITHUB_TOKEN (read by GitHub source "gh") to a token with read-only Contents and Metadata permissions on acme/gitops, or configure a GitHub App there',
    ]);
  });
});

it('keeps the digest from a Helm image map', async () => {
  const repo = await makeGitRepo([
    { files: { 'environments/prod/payments-api/values.yaml': fixture('helm-values.yaml') }, author: BOB, date: '2026-03-02T00:00:00Z' },
  ]);
  try {
    const evidence = await collect(repo.dir, {}, ['payments-api']);
    expect(evidence.declared).toMatchObject([{ environment: 'prod', version: '2.4.1', artifact: DIGEST, image: `registry.acme.example:5000/acme/payments-api:2.4.1@${DIGEST}` }]);
  } finally {
    await repo.cleanup();
  }
});
