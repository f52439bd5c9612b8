/**
 * Config extraction on real charts (issue 20, item 5). Fixtures written here,
 * modelled on documented public layouts: a chart's values with a `config:`
 * key among its settings (as podinfo's chart has), and an app folder holding
 * a Deployment and a CronJob side by side.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import { extractConfigValues } from '../../collectors/gitops/index.ts';
import type { ConfigInput, Evidence, GitOpsSourceConfig } from '../../src/model/index.ts';
import { configSchema, redactConfigs, redactValue } from '../../src/model/index.ts';
import { ALICE, makeGitRepo, type GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

// A chart's defaults in the shape of a well-known demo chart: `config:` is one setting among many.
const CHART_VALUES = `replicaCount: 1
logLevel: info
image:
  repository: ghcr.io/acme/podinfo
  tag: 6.9.1
config:
  path: ""
  name: ""
hpa:
  enabled: false
  maxReplicas: 10
redis:
  enabled: false
  repository: redis
serviceAccount:
  enabled: false
  imagePullSecrets: []
imagePullSecrets: []
resources:
  requests:
    cpu: 1m
    memory: 16Mi
`;

const workload = (kind: 'Deployment' | 'CronJob', name: string, image: string, env: Record<string, string>) => {
  const container = `- name: ${name}\n  image: ${image}\n  env:\n${Object.entries(env).map(([k, v]) => `    - name: ${k}\n      value: "${v}"\n`).join('')}`;
  const indent = (text: string, n: number) => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
  const pod = `template:\n  spec:\n    containers:\n${indent(container, 6)}`;
  const spec = kind === 'CronJob' ? `schedule: "0 3 * * *"\njobTemplate:\n  spec:\n${indent(pod, 4)}` : `replicas: 2\n${pod}`;
  return `apiVersion: ${kind === 'CronJob' ? 'batch/v1' : 'apps/v1'}\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${indent(spec, 2)}`;
};

describe('config extraction on real charts', () => {
  let repo: GitRepo;
  let evidence: Evidence;
  let input: ConfigInput;
  beforeAll(async () => {
    repo = await makeGitRepo([
      {
        files: {
          'charts/podinfo/values.yaml': CHART_VALUES,
          // Alphabetically first: a CronJob running an older build of the same image, and one running a tool image.
          'apps/checkout/cronjob.yaml': workload('CronJob', 'checkout-cleanup', 'ghcr.io/acme/checkout:1.3', { MODE: 'cleanup' }),
          'apps/checkout/deployment.yaml': workload('Deployment', 'checkout', 'ghcr.io/acme/checkout:1.4', { LOG_LEVEL: 'info' }),
          'apps/billing/cronjob.yaml': workload('CronJob', 'invoice-sweep', 'bitnami/kubectl:1.29', { SWEEP: 'nightly' }),
          'apps/billing/deployment.yaml': workload('Deployment', 'billing', 'ghcr.io/acme/payments-billing:2.0', { CURRENCY: 'EUR' }),
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
    ]);
    input = {
      name: 'Acme',
      environments: [{ name: 'prod', production: true }],
      sources: {
        charts: { type: 'gitops', path: repo.dir, files: ['charts/{service}/values.yaml'], configFiles: ['charts/{service}/values.yaml'] },
        apps: { type: 'gitops', path: repo.dir, files: ['apps/{service}/*.yaml'], configFiles: ['apps/{service}/*.yaml'] },
      },
      services: [
        { name: 'podinfo', sources: ['charts'] },
        { name: 'checkout', sources: ['apps'] },
        { name: 'billing', sources: ['apps'] },
      ],
    };
    const ctx = (name: string) => sourceContext<GitOpsSourceConfig>(input, name, { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') });
    const [charts, apps] = [await collectGitOps(ctx('charts')), await collectGitOps(ctx('apps'))];
    evidence = { ...apps, declared: [...charts.declared, ...apps.declared], configs: [...charts.configs, ...apps.configs], gaps: [...charts.gaps, ...apps.gaps] };
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it("a top-level config: key does not take over a chart's values", () => {
    expect(evidence.gaps).toEqual([]);
    const podinfo = evidence.configs.find((c) => c.service === 'podinfo')!;
    expect(podinfo.values).toMatchObject({
      'config.name': '',
      'config.path': '',
      'hpa.enabled': false,
      'hpa.maxReplicas': 10,
      'redis.enabled': false,
      'resources.requests.cpu': '1m',
      replicaCount: 1,
      imagePullSecrets: '[]',
    });
    // A file dedicated to config still reads config: alone.
    expect(extractConfigValues('config:\n  LOG_LEVEL: debug\n', 'config.yaml', 'x')).toEqual({ ok: true, values: { LOG_LEVEL: 'debug' } });
  });

  it('imagePullSecrets: [] is stored as it is, not hashed; a value there is still redacted', () => {
    const podinfo = evidence.configs.find((c) => c.service === 'podinfo')!;
    const [stored] = redactConfigs([podinfo], configSchema.parse(input), null);
    expect(stored!.values['imagePullSecrets']).toBe('[]');
    expect(stored!.values['serviceAccount.imagePullSecrets']).toBe('[]');
    expect(redactValue('podinfo', 'existingSecret', null, ['*secret*'], null)).toBeNull();
    expect(redactValue('podinfo', 'imagePullSecrets', '[{"name":"ghcr"}]', ['*secret*'], null)).toEqual({ redacted: true });
    expect(redactValue('podinfo', 'DB_PASSWORD', '', ['*password*'], null)).toEqual({ redacted: true });
  });

  it('the workload named like the service wins over a CronJob in the first file, for the version and for config', () => {
    const declared = Object.fromEntries(evidence.declared.map((d) => [d.service, d]));
    expect(declared['checkout']).toMatchObject({ version: '1.4', file: 'apps/checkout/deployment.yaml' });
    expect(declared['billing']).toMatchObject({ version: '2.0', image: 'ghcr.io/acme/payments-billing:2.0', file: 'apps/billing/deployment.yaml' });
    const config = Object.fromEntries(evidence.configs.map((c) => [c.service, c.values]));
    expect(config['checkout']).toEqual({ LOG_LEVEL: 'info' });
    expect(config['billing']).toEqual({ CURRENCY: 'EUR' });
  });
});
