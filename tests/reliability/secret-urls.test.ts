/**
 * Case 2b — no credentials in stored URLs or connection strings (issue 17).
 * 1,000 generated secret-bearing URLs and connection strings (userinfo
 * passwords, JDBC, Go MySQL DSN, ADO.NET, MongoDB/Redis/AMQP/Postgres URIs,
 * signed URLs, `?access_token=`) are placed in every field that stores a URL
 * or a value: config values, services' `versionUrl`, `deployments[].url`,
 * `approvals[].url`, pull requests' `url`, `observed[].url`, history `url`
 * (promotion evidence and carried sightings), and the free text of approval
 * comments and pull-request titles. They go through the real pipeline (an
 * inventory file -> `collect`, the CLI in-process -> `content/`, then the
 * site build); none of their credentials may appear in clear anywhere.
 *
 * Case 3 — redaction is linear: generated values of 1, 4 and 10 MB in the
 * shapes that made it backtrack complete; the figure is their MB/s, and a
 * 1,000,000-character value (which did not finish in 200 s) goes through the
 * real collect.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSnapshot, snapshotIdFor } from '../../src/ledger/index.ts';
import { redactUrl } from '../../src/model/redact-url.ts';
import { looksLikeSecretValue } from '../../src/model/redact.ts';
import { ADVERSARIAL_SHAPES, MB } from '../helpers/adversarial-values.ts';
import { runCli } from '../helpers/cli.ts';
import { findNeedles, readTree, type TextFile } from './leaks.ts';
import { siteBuilder } from './site.ts';
import { baseInventory, commitOf, ENVIRONMENTS, recordFigure, SEED, useTempRoot, writeInventory, writeWorld } from './world.ts';

const RUNS = 1000;
const SERVICES = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
const tempRoot = useTempRoot('secret-urls');

interface Secret {
  kind: string;
  value: string;
  /** Whether it is a URL (and so may sit in `versionUrl`). */
  url: boolean;
  /** The credentials: none may appear in clear. */
  parts: string[];
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Random text with many distinct characters (fast-check otherwise likes "AAAAAAAA", which is not distinctive). */
const str = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max }).filter((s) => new Set(s).size >= Math.min(8, Math.floor(s.length / 2)) && /[0-9]/.test(s) && /[a-z]/i.test(s));
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const PASSWORD = `${BASE62}-_.~!*`;
const HOSTS = ['db.prod.internal', '10.0.3.17', 'cache.acme.example:6380', 'mq.acme.example:5671', 'payments.acme.example'];

const secretArb: fc.Arbitrary<Secret> = fc.oneof(
  fc
    .record({ scheme: fc.constantFrom('postgres', 'postgresql', 'mysql', 'mongodb+srv', 'amqps', 'https', 'http'), user: str(LOWER, 8, 12), password: str(PASSWORD, 10, 24), host: fc.constantFrom(...HOSTS) })
    .map(({ scheme, user, password, host }) => ({ kind: 'URI with userinfo', value: `${scheme}://${user}:${password}@${host}/app?sslmode=require`, url: true, parts: [password, `${user}:`] })),
  fc
    .record({ password: str(PASSWORD, 10, 24), host: fc.constantFrom(...HOSTS) })
    .map(({ password, host }) => ({ kind: 'Redis URI, password only', value: `redis://:${password}@${host}/0`, url: true, parts: [password] })),
  fc
    .record({ user: str(LOWER, 8, 12), a: str(BASE62, 5, 10), b: str(BASE62, 8, 14), token: str(BASE62, 16, 32) })
    .map(({ user, a, b, token }) => ({ kind: 'userinfo with "@" and a token', value: `http://${user}:${a}@${b}@payments.acme.example/v?access_token=${token}`, url: true, parts: [`${a}@${b}`, `${a}%40${b}`, token, `${user}:`] })),
  fc
    .record({ signature: hex(64), key: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: 16, maxLength: 16 }) })
    .map(({ signature, key }) => ({
      kind: 'S3 presigned URL',
      value: `https://bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA${key}%2F20260301%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260301T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`,
      url: true,
      parts: [signature, `AKIA${key}`],
    })),
  str(`${BASE62}%`, 24, 44).map((sig) => ({ kind: 'Azure SAS URL', value: `https://acme.blob.core.windows.net/c/b.zip?sv=2022-11-02&ss=b&sp=r&se=2026-04-01&sig=${sig}`, url: true, parts: [sig] })),
  hex(128).map((sig) => ({ kind: 'GCS signed URL', value: `https://storage.googleapis.com/acme/b.zip?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900&X-Goog-Signature=${sig}`, url: true, parts: [sig] })),
  fc
    .record({ name: fc.constantFrom('token', 'access_token', 'api_key', 'key', 'secret', 'password', 'auth'), value: str(BASE62, 10, 32) })
    .map(({ name, value }) => ({ kind: 'credential query parameter', value: `https://ci.acme.example/deploys/42?env=prod&${name}=${value}`, url: true, parts: [value] })),
  str(BASE62, 16, 32).map((token) => ({ kind: 'token in fragment', value: `https://app.acme.example/callback#access_token=${token}&state=x1`, url: true, parts: [token] })),
  fc
    .record({ user: str(LOWER, 8, 12), password: str(PASSWORD, 10, 24) })
    .map(({ user, password }) => ({ kind: 'JDBC URL', value: `jdbc:postgresql://db.prod.internal:5432/orders?user=${user}&password=${password}&ssl=true`, url: true, parts: [password] })),
  str(PASSWORD, 10, 24).map((password) => ({ kind: 'JDBC SQL Server', value: `jdbc:sqlserver://sql.acme.example:1433;databaseName=orders;user=app;password=${password};encrypt=true`, url: false, parts: [password] })),
  fc
    .record({ user: str(LOWER, 8, 12), password: str(PASSWORD, 10, 24) })
    .map(({ user, password }) => ({ kind: 'Go MySQL DSN', value: `${user}:${password}@tcp(db.prod.internal:3306)/orders?parseTime=true`, url: false, parts: [password, `${user}:`] })),
  str(`${BASE62}!#%^*-`, 10, 24).map((password) => ({
    kind: 'ADO.NET',
    value: `Server=tcp:sql.acme.example,1433;Initial Catalog=orders;User ID=app;Password=${password};Encrypt=True`,
    url: false,
    parts: [password],
  })),
);

/** Where a secret is placed: every field of the inventory and config that stores a URL or a value. */
const FIELDS = ['config value', 'versionUrl', 'deployment url', 'approval url', 'pull request url', 'observed url', 'history url', 'approval comment', 'pull request title'] as const;
type Field = (typeof FIELDS)[number];

interface Placed extends Secret {
  field: Field;
  service: string;
  environment: string;
}

/** Round-robin over the fields; fields with one slot per service/environment fill up, and only URLs go in `versionUrl`. */
function place(secrets: Secret[]): Placed[] {
  const slots = new Map<Field, number>();
  const capacity: Partial<Record<Field, number>> = { versionUrl: SERVICES.length * (ENVIRONMENTS.length + 1), 'deployment url': SERVICES.length * ENVIRONMENTS.length, 'observed url': SERVICES.length * ENVIRONMENTS.length };
  return secrets.map((secret, i) => {
    let field: Field = FIELDS[i % FIELDS.length]!;
    if ((field === 'versionUrl' && !secret.url) || (capacity[field] !== undefined && (slots.get(field) ?? 0) >= capacity[field]!)) field = 'approval url';
    const n = slots.get(field) ?? 0;
    slots.set(field, n + 1);
    const slotted = field === 'versionUrl' || field === 'deployment url' || field === 'observed url';
    const k = slotted ? n : i;
    const envs = field === 'versionUrl' ? [...ENVIRONMENTS, '*'] : ENVIRONMENTS;
    return { ...secret, field, service: SERVICES[k % SERVICES.length]!, environment: envs[Math.floor(k / SERVICES.length) % envs.length]! };
  });
}

function world(placed: Placed[]) {
  const inventory = baseInventory(SERVICES) as { deployments: Record<string, unknown>[] } & Record<string, unknown[]>;
  const deployment = (p: Placed) => inventory.deployments.find((d) => d.service === p.service && d.environment === p.environment)!;
  const configs = new Map<string, { service: string; environment: string; values: Record<string, string> }>();
  const changes = new Map<string, { service: string; environment: string; commit: string; version: string; deployedAt: string; pullRequests: unknown[] }>();
  const change = (p: Placed) => {
    const id = `${p.service}/${p.environment}`;
    if (!changes.has(id)) changes.set(id, { service: p.service, environment: p.environment, commit: commitOf(`${p.service}-1.0.0`), version: '1.0.0', deployedAt: '2026-03-01T10:00:00Z', pullRequests: [] });
    return changes.get(id)!;
  };
  const observed: unknown[] = [];
  const history: unknown[] = [];
  const versionUrl = new Map<string, Record<string, string>>();
  placed.forEach((p, i) => {
    switch (p.field) {
      case 'config value': {
        const id = `${p.service}/${p.environment}`;
        if (!configs.has(id)) configs.set(id, { service: p.service, environment: p.environment, values: { LOG_LEVEL: 'info' } });
        configs.get(id)!.values[`SETTING_${i}`] = p.value;
        break;
      }
      case 'versionUrl':
        versionUrl.set(p.service, { ...versionUrl.get(p.service), [p.environment]: p.value });
        break;
      case 'deployment url':
        deployment(p).url = p.value;
        break;
      case 'approval url':
      case 'approval comment':
        (deployment(p).approvals as unknown[]).push({ by: `reviewer-${i}`, at: '2026-03-01T09:00:00Z', state: 'approved', ...(p.field === 'approval url' ? { url: p.value } : { comment: `ok, tested against ${p.value} as asked` }) });
        break;
      case 'pull request url':
      case 'pull request title':
        change(p).pullRequests.push({ number: i + 1, title: p.field === 'pull request title' ? `Point staging at ${p.value}` : `Change ${i}`, author: 'alice', url: p.field === 'pull request url' ? p.value : undefined });
        break;
      case 'observed url':
        observed.push({ service: p.service, environment: p.environment, version: '1.0.0', commit: commitOf(`${p.service}-1.0.0`), at: '2026-03-01T11:00:00Z', url: p.value });
        break;
      case 'history url':
        // The deployed commit, seen earlier: the sighting becomes promotion evidence (one per service/environment is kept).
        history.push({ service: p.service, environment: p.environment, commit: commitOf(`${p.service}-1.0.0`), at: `2026-02-01T10:${String(i % 60).padStart(2, '0')}:00Z`, url: p.value });
        break;
    }
  });
  return {
    inventory: { ...inventory, configs: [...configs.values()], changes: [...changes.values()], observed, history },
    versionUrl: (name: string) => (versionUrl.has(name) ? { versionUrl: versionUrl.get(name) } : {}),
  };
}

/** The forms a credential could take in a file: raw, JSON-escaped, HTML-escaped, percent-encoded. */
function needles(secret: Secret): string[] {
  const forms = new Set<string>();
  for (const text of secret.parts) {
    for (const form of [text, encodeURIComponent(text), decodeSafe(text)]) {
      forms.add(form);
      forms.add(JSON.stringify(form).slice(1, -1));
      forms.add(form.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    }
  }
  return [...forms].filter((f) => f.length >= 8);
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Which placed values appear in any file. */
function leaks(placed: Placed[], files: TextFile[]): string[] {
  return findNeedles(placed, needles, files).map(({ owner: p, where }) => `${p.kind} in ${p.field} (${p.service}/${p.environment}) in ${where}`);
}

describe('no credentials in stored URLs and connection strings', () => {
  it(`${RUNS} generated secret-bearing URLs and connection strings in every stored field never appear in clear`, { timeout: 300_000 }, async ({ task }) => {
    const root = await tempRoot();
    const placed = place(fc.sample(secretArb, { seed: SEED, numRuns: RUNS }));
    const { inventory, versionUrl } = world(placed);
    const configFile = await writeWorld(root, { services: SERVICES, inventory, serviceExtra: (name) => versionUrl(name) });
    await writeInventory(root, inventory);
    const at = '2026-03-10T02:00:00Z';
    const run = await runCli(['collect', '--config', configFile, '--at', at], { cwd: root });
    expect(run.code, run.stderr).toBeLessThanOrEqual(4);
    expect(run.stderr).not.toMatch(/internal error/);

    const content = path.join(root, 'content');
    const snapshotsDir = path.join(content, 'snapshots');
    const contentLeaks = leaks(placed, [...(await readTree(content)), { file: 'CLI output', text: `${run.stdout}\n${run.stderr}` }]);

    // Everything placed was stored (not dropped as malformed): config values as markers, URLs with their host.
    const snapshot = await readSnapshot(snapshotsDir, snapshotIdFor(new Date(at)));
    const json = JSON.stringify(snapshot);
    const configs = placed.filter((p) => p.field === 'config value');
    const markers = configs.filter((p) => {
      const record = snapshot!.configs.find((c) => c.service === p.service && c.environment === p.environment);
      return Object.values(record?.values ?? {}).some((v) => v !== null && typeof v === 'object');
    });
    const storedUrls = [
      ...snapshot!.deployments.flatMap((d) => [d.url, ...d.approvals.map((a) => a.url), ...(d.promotion?.path ?? []).map((s) => s.url)]),
      ...snapshot!.changes.flatMap((c) => c.pullRequests.map((pr) => pr.url)),
      ...snapshot!.observed.map((o) => o.url),
      ...snapshot!.services.flatMap((s) => Object.values(s.versionUrl)),
    ].filter((u): u is string => u !== undefined);

    const build = await siteBuilder();
    let siteLeaks: string[] = [];
    let siteNote = 'site builder not available';
    let siteError: string | undefined;
    if (build) {
      const out = path.join(root, 'dist');
      try {
        await build({ snapshotsDir, outDir: out });
        const siteFiles = await readTree(out);
        siteLeaks = leaks(placed, siteFiles);
        siteNote = `site: ${siteFiles.length} files scanned`;
      } catch (error) {
        siteError = (error as Error).message.split('\n')[0];
        siteNote = `site build failed: ${siteError}`;
      }
    }

    const count = (key: (p: Placed) => string) => [...placed.reduce((m, p) => m.set(key(p), (m.get(key(p)) ?? 0) + 1), new Map<string, number>())].map(([k, n]) => `${k} ${n}`).join(', ');
    const clear = contentLeaks.length + siteLeaks.length;
    recordFigure(task, {
      case: '2 secrets: URLs and connection strings in every stored field',
      runs: RUNS,
      result: `${clear} in clear (content ${contentLeaks.length}, site ${build ? siteLeaks.length : 'n/a'}); ${storedUrls.length} URL fields stored, ${markers.length}/${configs.length} config records hold markers`,
      target: '0 in clear under content/ and the built site',
      pass: clear === 0 && build !== undefined && siteError === undefined,
      detail: `fields: ${count((p) => p.field)}; kinds: ${count((p) => p.kind)}; ${siteNote}`,
    });
    expect(contentLeaks.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(siteLeaks.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(markers.length).toBe(configs.length);
    // The records themselves were kept: every placed URL field holds a value, and the hosts are still there.
    expect(storedUrls.length).toBeGreaterThanOrEqual(placed.filter((p) => (p.field.endsWith('url') && p.field !== 'history url') || p.field === 'versionUrl').length);
    expect(json).toContain('bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(build, 'the site builder (src/site/build.ts) must be available').toBeDefined();
    expect(siteError).toBeUndefined();
  });

  it('values up to 10 MB: redaction completes, at a rate that does not fall with size', { timeout: 300_000 }, async ({ task }) => {
    const rates: string[] = [];
    const bySize = new Map<number, { bytes: number; ms: number }>();
    let completed = 0;
    for (const shape of ADVERSARIAL_SHAPES) {
      for (const size of [1, 10]) {
        const value = shape.make(size * MB);
        const start = performance.now();
        const secret = looksLikeSecretValue(value);
        const stored = redactUrl(value);
        const ms = performance.now() - start;
        expect(secret, `${shape.name} ${size} MB`).toBe(shape.secret);
        expect(typeof stored).toBe('string');
        completed++;
        const total = bySize.get(size) ?? { bytes: 0, ms: 0 };
        bySize.set(size, { bytes: total.bytes + 2 * size * MB, ms: total.ms + ms });
        if (size === 10) rates.push(`${shape.name} ${((2 * size) / (ms / 1000)).toFixed(1)}`);
      }
    }
    // The case through the real collect: a 1,000,000-character value did not finish in 200 s.
    const root = await tempRoot();
    const big = ADVERSARIAL_SHAPES.find((s) => s.name === 'hex')!.make(1_000_000);
    const inventory = { ...baseInventory(SERVICES.slice(0, 2)), configs: [{ service: 'svc-0', environment: 'prod', values: { BLOB: big, LINK: `https://${'u:p@'.repeat(250_000)}h/` } }] };
    const configFile = await writeWorld(root, { services: SERVICES.slice(0, 2), inventory });
    const run = await runCli(['collect', '--config', configFile, '--at', '2026-03-10T02:00:00Z'], { cwd: root });
    expect(run.code, run.stderr).toBeLessThanOrEqual(4);
    const mbps = (size: number) => {
      const t = bySize.get(size)!;
      return (t.bytes / MB / (t.ms / 1000)).toFixed(1);
    };
    recordFigure(task, {
      case: '3 redaction: values up to 10 MB',
      runs: completed,
      result: `${completed}/${ADVERSARIAL_SHAPES.length * 2} completed; MB/s at 1 and 10 MB: ${mbps(1)}, ${mbps(10)}; a 1,000,000-character value collected (exit ${run.code})`,
      target: 'every value completes; rate level with size (linear)',
      pass: completed === ADVERSARIAL_SHAPES.length * 2 && run.code <= 4,
      detail: `10 MB MB/s by shape: ${rates.join(', ')}`,
    });
    expect(completed).toBe(ADVERSARIAL_SHAPES.length * 2);
  });
});
