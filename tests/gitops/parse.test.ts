import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandPattern, extractConfigValues, extractImage, formatImageRef, parseImageRef, selectFiles } from '../../collectors/gitops/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/gitops/${name}`, import.meta.url), 'utf8');
const SHA = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { registry: null, repository: 'nginx', name: 'nginx', tag: null, digest: null }],
    ['acme/api:1.2.3', { registry: null, repository: 'acme/api', name: 'api', tag: '1.2.3', digest: null }],
    ['localhost:5000/team/api:v2', { registry: 'localhost:5000', repository: 'team/api', name: 'api', tag: 'v2', digest: null }],
    ['registry.acme.example:5000/acme/api', { registry: 'registry.acme.example:5000', repository: 'acme/api', name: 'api', tag: null, digest: null }],
    [`ghcr.io/acme/api@${SHA}`, { registry: 'ghcr.io', repository: 'acme/api', name: 'api', tag: null, digest: SHA }],
    [`ghcr.io/acme/api:2.4.1@${SHA}`, { registry: 'ghcr.io', repository: 'acme/api', name: 'api', tag: '2.4.1', digest: SHA }],
    ['[::1]:5000/api:1', { registry: '[::1]:5000', repository: 'api', name: 'api', tag: '1', digest: null }],
  ])('parses %s', (input, expected) => {
    expect(parseImageRef(input)).toEqual(expected);
    expect(formatImageRef(parseImageRef(input)!)).toBe(input);
  });

  it.each(['', 'Acme/API:1', 'acme/api:', 'acme/api@sha256:xyz', 'acme//api', 'acme/api:1 2', 'acme/api:-bad'])('rejects %j', (input) => {
    expect(parseImageRef(input)).toBeNull();
  });
});

describe('extractImage', () => {
  it('reads Helm values with an image map (registry with port, quoted tag, digest)', () => {
    expect(extractImage(fixture('helm-values.yaml'), 'environments/prod/payments-api/values.yaml', 'payments-api')).toEqual({
      ok: true,
      found: { image: `registry.acme.example:5000/acme/payments-api:2.4.1@${SHA}`, tag: '2.4.1', digest: SHA, layout: 'helm' },
    });
  });

  it('reads Helm values under the service key and keeps tags like 2.10 as text', () => {
    const text = fixture('helm-umbrella-values.yaml');
    expect(extractImage(text, 'values.yaml', 'ledger-api')).toMatchObject({ ok: true, found: { image: 'ghcr.io/acme/ledger-api:2.10', tag: '2.10' } });
    expect(extractImage(text, 'values.yaml', 'notifier')).toMatchObject({ ok: true, found: { image: 'ghcr.io/acme/notifier:1.0.3', tag: '1.0.3' } });
  });

  it('reads Kustomize images, matching the service by image name', () => {
    const text = fixture('kustomization.yaml');
    expect(extractImage(text, 'overlays/prod/kustomization.yaml', 'ledger-api')).toEqual({
      ok: true,
      found: { image: 'registry.acme.example/acme/ledger-api:1.8.0', tag: '1.8.0', digest: null, layout: 'kustomize' },
    });
    expect(extractImage(text, 'overlays/prod/kustomization.yaml', 'payments-api')).toMatchObject({
      ok: true,
      found: { image: 'acme/payments-api:2.4.2@sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c', tag: '2.4.2' },
    });
    // A shared file must name the service; its own file may fall back to the first image.
    expect(extractImage(text, 'k.yaml', 'billing', { fallbackToFirst: false })).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "k.yaml: no image named "billing" (the file is shared, so the first image is not assumed to be this service's)",
      }
    `);
    expect(extractImage(text, 'k.yaml', 'billing')).toMatchObject({ ok: true, found: { tag: '1.8.0' } });
  });

  it('reads plain multi-document manifests, picking the container named like the service', () => {
    expect(extractImage(fixture('deployment.yaml'), 'apps/notifier/prod.yaml', 'notifier')).toEqual({
      ok: true,
      found: {
        image: 'localhost:5000/acme/notifier:3.2.0@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
        tag: '3.2.0',
        digest: 'sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
        layout: 'manifest',
      },
    });
    // No container matches: the first one.
    expect(extractImage(fixture('deployment.yaml'), 'apps/x.yaml', 'other')).toMatchObject({ ok: true, found: { image: 'envoyproxy/envoy:v1.31.0' } });
    const cron = 'kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: acme/job@' + SHA + '\n';
    expect(extractImage(cron, 'cron.yaml', 'job')).toMatchObject({ ok: true, found: { tag: null, digest: SHA, image: `acme/job@${SHA}` } });
  });

  it('explains what is wrong', () => {
    expect(extractImage('replicas: 2\n', 'values.yaml', 'api')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "values.yaml: no image found (looked for Kustomize images:, containers[].image in workloads, Helm image: under "api" or at the top level)",
      }
    `);
    expect(extractImage('image:\n  repository: acme/api\n   tag: 1\n', 'values.yaml', 'api')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "values.yaml: unparsable YAML at line 3: bad indentation of a mapping entry",
      }
    `);
    expect(extractImage('image: "Acme/API:1.0"\n', 'values.yaml', 'api')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "values.yaml: image reference "Acme/API:1.0" is not valid",
      }
    `);
    expect(extractImage('image: { repository: acme/api, digest: "md5:zz" }\n', 'values.yaml', 'api')).toMatchObject({ ok: false });
  });
});

describe('extractConfigValues', () => {
  it('reads env: maps from Helm values, keeping YAML types', () => {
    expect(extractConfigValues(fixture('helm-values.yaml'), 'values.yaml', 'payments-api')).toEqual({
      ok: true,
      values: { DB_PASSWORD: 's3cr3t', FEATURE_NEW_CHECKOUT: false, LOG_LEVEL: 'info', REPLICAS: 6 },
    });
  });

  it('reads config: under the service key, flattening nested maps', () => {
    expect(extractConfigValues(fixture('helm-umbrella-values.yaml'), 'values.yaml', 'ledger-api')).toEqual({
      ok: true,
      values: { LOG_LEVEL: 'debug', 'db.pool': 10 },
    });
  });

  it('reads a workload container env list, skipping valueFrom, and ConfigMap data', () => {
    expect(extractConfigValues(fixture('deployment.yaml'), 'prod.yaml', 'notifier')).toEqual({ ok: true, values: { QUEUE: 'notifications', RETRIES: '5' } });
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata:\n  LOG_LEVEL: info\n  TIMEOUT: "30"\n';
    expect(extractConfigValues(configMap, 'cm.yaml', 'x')).toEqual({ ok: true, values: { LOG_LEVEL: 'info', TIMEOUT: '30' } });
  });

  it('reads plain maps, .env and .properties files', () => {
    expect(extractConfigValues('LOG_LEVEL: info\nlimits:\n  cpu: 2\nhosts: [a, b]\n', 'c.yaml', 'x')).toEqual({
      ok: true,
      values: { LOG_LEVEL: 'info', hosts: '["a","b"]', 'limits.cpu': 2 },
    });
    expect(extractConfigValues(fixture('app.env'), 'prod/app.env', 'x')).toEqual({
      ok: true,
      values: { CACHE_TTL: '60', GREETING: 'hello # not a comment', LOG_LEVEL: 'warn', REPLICAS: '3' },
    });
    expect(extractConfigValues('# c\n! c\na.b=1\nc: two words\n', 'app.properties', 'x')).toEqual({ ok: true, values: { 'a.b': '1', c: 'two words' } });
    expect(extractConfigValues('just text\n', 'x.env', 'x')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "x.env: line 1 is not KEY=value",
      }
    `);
    expect(extractConfigValues('- a\n- b\n', 'list.yaml', 'x')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "list.yaml: not a map of config values",
      }
    `);
  });
});

describe('expandPattern / selectFiles', () => {
  const tree = new Set(['environments/prod/api/values.yaml', 'apps/api/prod/deploy.yaml', 'apps/api/prod/svc.yaml', 'apps/api/qa/deploy.yaml']);

  it('substitutes names and matches globs against the tree only', () => {
    const plain = expandPattern('environments/{environment}/{service}/values.yaml', { environment: 'prod', service: 'api' });
    expect(plain).toEqual({ ok: true, path: 'environments/prod/api/values.yaml', glob: false });
    expect(selectFiles(plain as { path: string; glob: boolean }, tree)).toEqual(['environments/prod/api/values.yaml']);
    const glob = expandPattern('apps/{service}/{environment}/*.yaml', { environment: 'prod', service: 'api' });
    expect(selectFiles(glob as { path: string; glob: boolean }, tree)).toEqual(['apps/api/prod/deploy.yaml', 'apps/api/prod/svc.yaml']);
  });

  it('refuses paths that could leave the repository and unknown placeholders', () => {
    const reasons = [
      expandPattern('../{service}/values.yaml', { environment: 'prod', service: 'api' }),
      expandPattern('/etc/{service}', { environment: 'prod', service: 'api' }),
      expandPattern('envs/{environment}/values.yaml', { environment: '../../etc', service: 'api' }),
      expandPattern('envs/{env}/values.yaml', { environment: 'prod', service: 'api' }),
      expandPattern('envs\\{environment}', { environment: 'prod', service: 'api' }),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toMatchInlineSnapshot(`
      [
        "pattern "../{service}/values.yaml" gives "../api/values.yaml", which is not a plain relative path inside the repository",
        "pattern "/etc/{service}" gives "/etc/api", which is not a plain relative path inside the repository",
        "environment "../../etc" cannot be used in a path (letters, digits, ".", "_", "-")",
        "pattern "envs/{env}/values.yaml" has an unknown placeholder {env}; use {environment} or {service}",
        "pattern "envs\\{environment}" gives "envs\\prod", which is not a plain relative path inside the repository",
      ]
    `);
  });
});
