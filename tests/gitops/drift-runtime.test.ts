/**
 * End to end: what the http source observes and what the gitops source
 * declares, against a deployment record, make `drift.runtime` fire where they
 * disagree, and only there. The deployment record stands for any source
 * (github, file); the other two come from a real server and a real git repo.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import { collectHttp } from '../../collectors/http/source.ts';
import type { ConfigInput, Evidence, GitOpsSourceConfig, HttpSourceConfig } from '../../src/model/index.ts';
import { configSchema, emptyEvidence, snapshotSchema } from '../../src/model/index.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { ALICE, BOB, makeGitRepo } from '../helpers/git-repo.ts';
import type { GitRepo } from '../helpers/git-repo.ts';
import { json, startHttpServer } from '../helpers/http-server.ts';
import type { TestServer } from '../helpers/http-server.ts';
import { NOW, sourceContext } from '../helpers/runtime-context.ts';

const X = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b'; // recorded as deployed
const Y = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d'; // actually running in prod
const A = '60303ae22b998861bce3b28f33eec1be758a213c';
const values = (tag: string) => `image:\n  repository: ghcr.io/acme/payments-api\n  tag: "${tag}"\n`;

describe('drift.runtime from the http and gitops sources', () => {
  let server: TestServer;
  let repo: GitRepo;
  let input: ConfigInput;
  beforeAll(async () => {
    server = await startHttpServer({
      '/dev/version': json({ version: '2.5.0', commit: A }),
      '/staging/version': json({ version: '2.4.1', commit: X.slice(0, 7) }),
      '/prod/version': json({ version: '2.4.0', commit: Y }),
    });
    repo = await makeGitRepo([
      {
        files: {
          'envs/dev/payments-api/values.yaml': values('2.6.0'), // declared ahead of what was deployed
          'envs/staging/payments-api/values.yaml': values('2.4.1'),
          'envs/prod/payments-api/values.yaml': values('2.4.1'),
        },
        author: ALICE,
        date: '2026-03-10T10:00:00Z',
      },
      { files: { 'envs/dev/payments-api/values.yaml': values('2.6.0') + '# bump\n' }, author: BOB, date: '2026-03-12T10:00:00Z' },
    ]);
    input = {
      name: 'Acme',
      environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod', production: true }],
      sources: {
        runtime: { type: 'http', timeoutMs: 2000 },
        declared: { type: 'gitops', path: repo.dir, files: ['envs/{environment}/{service}/values.yaml'] },
      },
      services: [{ name: 'payments-api', sources: ['runtime', 'declared'], versionUrl: { '*': server.url('/{environment}/version') } }],
      policies: { rules: { 'source.gap': { enabled: false } } },
    };
  });
  afterAll(async () => {
    await server.close();
    await repo.cleanup();
  });

  it('fires for prod (observed commit Y, deployed X) and dev (declared 2.6.0, deployed 2.5.0), not for staging', async () => {
    const observed = await collectHttp(sourceContext<HttpSourceConfig>(input, 'runtime'));
    const declared = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'declared', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
    expect(observed.gaps).toEqual([]);
    expect(declared.gaps).toEqual([]);
    const deployment = (environment: string, version: string, commit: string) => ({
      service: 'payments-api',
      environment,
      version,
      commit,
      deployedAt: '2026-03-11T09:00:00Z',
      deployedBy: 'alice',
      source: 'record',
      approvals: [],
    });
    const recorded: Evidence = {
      ...emptyEvidence(),
      deployments: [deployment('dev', '2.5.0', A), deployment('staging', '2.4.1', X), deployment('prod', '2.4.1', X)],
    };
    const snapshot = assembleSnapshot({
      config: configSchema.parse(input),
      outcomes: [
        { name: 'record', type: 'file', evidence: recorded },
        { name: 'runtime', type: 'http', evidence: observed },
        { name: 'declared', type: 'gitops', evidence: declared },
      ],
      id: '2026-03-14T020000Z',
      takenAt: NOW.toISOString().replace('.000Z', 'Z'),
      previous: null,
      generator: { name: 'release-ledger', version: '0.0.0-test' },
      secretKey: null,
    });
    expect(() => snapshotSchema.parse(snapshot)).not.toThrow();
    const runtime = snapshot.findings.filter((f) => f.rule === 'drift.runtime');
    expect(runtime.map((f) => [f.environment, f.evidence['mismatches']])).toEqual([
      ['dev', ['observed (runtime) version 2.5.0 is not declared (declared) version 2.6.0', 'declared (declared) version 2.6.0 is not deployed version 2.5.0']],
      [
        'prod',
        [
          'observed (runtime) commit 1a2b3c4 is not deployed commit 9f86d08',
          'observed (runtime) version 2.4.0 is not declared (declared) version 2.4.1',
        ],
      ],
    ]);
    // The finding carries the evidence from both sources: the URL asked and the GitOps commit read.
    const prod = runtime.find((f) => f.environment === 'prod')!;
    expect(prod.evidence['observed']).toEqual([{ version: '2.4.0', commit: Y, at: NOW.toISOString(), source: 'runtime', url: server.url('/prod/version') }]);
    expect(prod.evidence['declared']).toEqual([
      { version: '2.4.1', image: 'ghcr.io/acme/payments-api:2.4.1', file: 'envs/prod/payments-api/values.yaml', revision: repo.shas[1], source: 'declared' },
    ]);
  });
});
