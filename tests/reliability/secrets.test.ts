/**
 * Case 2 — no secrets at rest. 1,000 generated secret-like config values go
 * through the real pipeline: an inventory file -> `collect` (the CLI,
 * in-process) -> `content/`, then the site build. None may appear in clear
 * in any file under `content/` or the built site (nor on the CLI's output),
 * nor may the plain sha256 of any of them (issue 26: an unsalted hash of a
 * low-entropy secret can be guessed offline). A second collect in which
 * every value changed must show a different keyed fingerprint and a config
 * change for every key; a third, with the same values under a rotated ledger
 * key, must claim no change and raise no `config.unrecorded-change`.
 *
 * The policy under test (src/model/redact.ts, docs/guarantees.md):
 * - under a secret-looking key (the default `policies.secretKeys`), ANY value
 *   is redacted — here weak passwords as well as credentials;
 * - under an innocent key, a value is redacted when it looks like a
 *   credential by itself: well-known token prefixes, PEM private keys, JWTs,
 *   URLs and connection strings with a password, random keys of 32+ chars.
 * A value that looks like nothing in particular under an innocent key is
 * stored in clear by design, so it is not generated here.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, readSnapshot, snapshotIdFor } from '../../src/ledger/index.ts';
import { runCli } from '../helpers/cli.ts';
import { findNeedles, readTree, type TextFile } from './leaks.ts';
import { siteBuilder } from './site.ts';
import { baseInventory, ENVIRONMENTS, recordFigure, SEED, useTempRoot, writeInventory, writeWorld } from './world.ts';

const RUNS = 1000;
const SERVICES = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
const tempRoot = useTempRoot('secrets');

interface Secret {
  kind: string;
  value: string;
  /** Distinctive parts that must not appear either (a connection string's password, a PEM body line). */
  parts: string[];
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * Random text from an alphabet. fast-check leans towards degenerate strings
 * ("AAAAAAAAAA", "constructor"), which are neither credentials nor distinctive (they occur
 * in bundled scripts); real generated secrets use many distinct characters.
 */
const str = (alphabet: string, min: number, max: number) =>
  fc
    .string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max })
    // fast-check also likes words such as "constructor" (prototype keys); secrets mix letters and digits.
    .filter((s) => new Set(s).size >= Math.min(8, alphabet.length, Math.floor(s.length / 2)) && (!/\d/.test(alphabet) || (/\d/.test(s) && /[A-Za-z]/.test(s))));
const b64url = (text: string) => Buffer.from(text).toString('base64url');

const prefixed = fc.oneof(
  str(BASE62, 36, 40).map((b) => `ghp_${b}`),
  str(BASE62, 36, 40).map((b) => `ghs_${b}`),
  str(`${BASE62}_`, 60, 82).map((b) => `github_pat_${b}`),
  str(`${BASE62}-`, 24, 48).map((b) => `xoxb-${b}`),
  str(BASE62, 24, 40).map((b) => `sk_live_${b}`),
  str(BASE62, 24, 40).map((b) => `rk_test_${b}`),
  str(`${BASE62}_-`, 40, 60).map((b) => `sk-proj-${b}`),
  str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 16).map((b) => `AKIA${b}`),
  str(`${BASE62}_-`, 35, 35).map((b) => `AIza${b}`),
  str(`${BASE62}_-`, 20, 26).map((b) => `glpat-${b}`),
  str(BASE62, 36, 36).map((b) => `npm_${b}`),
);

const secretArb: fc.Arbitrary<Secret> = fc.oneof(
  prefixed.map((value) => ({ kind: 'prefixed token', value, parts: [] })),
  str(BASE62, 32, 64).map((value) => ({ kind: 'random key', value, parts: [] })),
  str(`${BASE62}+/`, 40, 64).map((value) => ({ kind: 'random key', value: `${value}==`, parts: [] })),
  fc
    .record({ type: fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''), lines: fc.array(str(`${BASE62}+/`, 64, 64), { minLength: 2, maxLength: 6 }) })
    .map(({ type, lines }) => ({
      kind: 'PEM private key',
      value: `-----BEGIN ${type}PRIVATE KEY-----\n${lines.join('\n')}\n-----END ${type}PRIVATE KEY-----\n`,
      parts: [lines[0]!],
    })),
  fc
    .record({ sub: str(BASE62, 6, 12), sig: str(`${BASE62}_-`, 43, 43), iat: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }) })
    .map(({ sub, sig, iat }) => {
      const value = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ sub, iat }))}.${sig}`;
      return { kind: 'JWT', value, parts: [sig] };
    }),
  fc
    .record({
      scheme: fc.constantFrom('postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'amqps', 'https'),
      user: str('abcdefghijklmnopqrstuvwxyz', 3, 10),
      password: str(`${BASE62}-_.~!$*`, 10, 24),
      host: fc.constantFrom('db.prod.internal', '10.0.3.17', 'cache.acme.example', 'mq.acme.example:5671'),
    })
    .map(({ scheme, user, password, host }) => ({
      kind: 'URL with password',
      value: `${scheme}://${user}:${password}@${host}/app?sslmode=require`,
      parts: [password],
    })),
  fc
    .record({ user: str('abcdefghijklmnopqrstuvwxyz', 3, 10), password: str(`${BASE62}!#%^*-`, 10, 24) })
    .map(({ user, password }) => ({
      kind: 'connection string',
      value: `Server=tcp:sql.acme.example,1433;Database=payments;User Id=${user};Password=${password};Encrypt=true`,
      parts: [password],
    })),
  fc
    .record({ word: fc.constantFrom('Summer', 'hunter', 'Winter', 'letmein', 'Passw0rd', 'correct horse'), n: fc.integer({ min: 10, max: 99999 }) })
    .map(({ word, n }) => ({ kind: 'weak password', value: `${word}${n}!`, parts: [] })),
);

const SECRET_KEYS = ['DB_PASSWORD_{i}', 'api_token_{i}', 'svc{i}_secret', 'stripe{i}_api_key', 'PRIVATE_KEY_{i}', 'aws{i}_credentials', 'signing{i}_key', 'db/password{i}', 'client.secret.{i}', 'SMTP_PASSWD_{i}', 'x{i}ApiKey'];
const INNOCENT_KEYS = ['ENDPOINT_{i}', 'setting{i}', 'LOG_CONTEXT_{i}', 'value{i}', 'DATABASE_URL_{i}', 'note_{i}', 'upstream{i}', 'BROKER{i}', 'feature.flag.{i}', 'CERT_BUNDLE_{i}'];

interface Placed extends Secret {
  key: string;
  service: string;
  environment: string;
  secretKey: boolean;
}

/** Places RUNS secrets under keys: weak passwords only under secret-looking keys (the policy's boundary). */
function place(secrets: Secret[], keyChoice: number[]): Placed[] {
  return secrets.map((secret, i) => {
    const secretKey = secret.kind === 'weak password' || keyChoice[i]! % 2 === 0;
    const templates = secretKey ? SECRET_KEYS : INNOCENT_KEYS;
    const key = templates[keyChoice[i]! % templates.length]!.replace('{i}', String(i));
    const record = i % (SERVICES.length * ENVIRONMENTS.length);
    return { ...secret, key, secretKey, service: SERVICES[record % SERVICES.length]!, environment: ENVIRONMENTS[Math.floor(record / SERVICES.length)]! };
  });
}

/** The same secret with one character changed (in its distinctive part when it has one), so it stays the same kind. */
function changedByOne(p: Placed): Placed {
  const swap = (text: string) => {
    const at = text.replace(/[=\s-]+$/, '').length - 1;
    return `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  };
  const part = p.parts[0];
  if (part === undefined) return { ...p, value: swap(p.value) };
  const changed = swap(part);
  return { ...p, value: p.value.replace(part, changed), parts: [changed, ...p.parts.slice(1)] };
}

function inventoryWith(placed: Placed[]) {
  const configs = new Map<string, { service: string; environment: string; values: Record<string, string> }>();
  for (const p of placed) {
    const id = `${p.service}/${p.environment}`;
    if (!configs.has(id)) configs.set(id, { service: p.service, environment: p.environment, values: { LOG_LEVEL: 'info' } });
    configs.get(id)!.values[p.key] = p.value;
  }
  return { ...baseInventory(SERVICES), configs: [...configs.values()] };
}

/** The forms a value could take in a file: raw, JSON-escaped, HTML-escaped. */
function needles(secret: Secret): string[] {
  const forms = new Set<string>();
  for (const text of [secret.value, ...secret.parts]) {
    forms.add(text);
    forms.add(JSON.stringify(text).slice(1, -1));
    forms.add(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    // Its plain sha256, and the 12-character prefix pages used to show: either lets anyone test guesses offline.
    forms.add(createHash('sha256').update(text).digest('hex').slice(0, 12));
  }
  return [...forms].filter((f) => f.length >= 8);
}

/** Which placed values appear in any file. */
function leaks(placed: Placed[], files: TextFile[]): string[] {
  return findNeedles(placed, needles, files).map(({ owner: p, where }) => `${p.kind} under ${p.key} (${p.service}/${p.environment}) in ${where}`);
}

describe('no secrets at rest', () => {
  it(`${RUNS} generated secret-like config values never appear in clear or as a plain hash; keyed fingerprints reveal a change, a key rotation does not`, async ({ task }) => {
    const root = await tempRoot();
    const keyChoice = fc.sample(fc.nat(), { seed: SEED, numRuns: RUNS });
    const first = place(fc.sample(secretArb, { seed: SEED, numRuns: RUNS }), keyChoice);
    // The second collect: every value changed by one character, same key.
    const second = first.map(changedByOne);
    expect(new Set(first.map((p) => p.key)).size).toBe(RUNS);

    const configFile = await writeWorld(root, { services: SERVICES, inventory: inventoryWith(first), extra: { secretKeyEnv: 'RELIABILITY_LEDGER_KEY' } });
    const output: string[] = [];
    const ids: string[] = [];
    const keys = ['reliability-ledger-key-A-0123456789abcdef', 'reliability-ledger-key-A-0123456789abcdef', 'reliability-ledger-key-B-rotated-456789abcdef'];
    for (const [i, placed] of [first, second, second].entries()) {
      await writeInventory(root, inventoryWith(placed));
      const at = `2026-03-1${i}T02:00:00Z`;
      const run = await runCli(['collect', '--config', configFile, '--at', at], { cwd: root, env: { RELIABILITY_LEDGER_KEY: keys[i] } });
      expect(run.code, run.stderr).toBeLessThanOrEqual(4);
      expect(run.stderr).not.toMatch(/internal error/);
      output.push(run.stdout, run.stderr);
      ids.push(snapshotIdFor(new Date(at)));
    }
    const content = path.join(root, 'content');
    const contentFiles = await readTree(content);
    const contentLeaks = leaks([...first, ...second], [...contentFiles, { file: 'CLI output', text: output.join('\n') }]);

    // Hashes still reveal the change: every key's stored sha256 differs, and the diff lists it as a changed secret.
    const snapshotsDir = path.join(content, 'snapshots');
    const [a, b, rotated] = await Promise.all(ids.map((id) => readSnapshot(snapshotsDir, id)));
    const stored = (snapshot: typeof a, p: Placed) =>
      snapshot!.configs.find((c) => c.service === p.service && c.environment === p.environment)?.values[p.key];
    const redactedBoth = first.filter((p) => {
      const x = stored(a, p);
      const y = stored(b, p);
      return typeof x === 'object' && x !== null && 'redacted' in x && typeof y === 'object' && y !== null && 'redacted' in y;
    });
    const hashChanged = first.filter((p) => {
      const x = stored(a, p) as { hmac?: string } | undefined;
      const y = stored(b, p) as { hmac?: string } | undefined;
      return x?.hmac !== undefined && y?.hmac !== undefined && x.hmac !== y.hmac;
    });
    const diff = diffSnapshots(a!, b!);
    const changedKeys = new Set(diff.configs.filter((c) => c.change === 'changed' && c.redacted).map((c) => `${c.service}/${c.environment}/${c.key}`));
    const visible = first.filter((p) => changedKeys.has(`${p.service}/${p.environment}/${p.key}`));
    // The rotation: same values, another key. Not comparable is not a change.
    const afterRotation = diffSnapshots(b!, rotated!).configs.filter((c) => c.redacted).length;
    const rotationFindings = rotated!.findings.filter((f) => f.rule === 'config.unrecorded-change').length;

    // The site, when its builder is there: built over the same ledger, scanned the same way.
    const build = await siteBuilder();
    let siteLeaks: string[] = [];
    let siteNote = 'site builder not available';
    let siteError: string | undefined;
    if (build) {
      const out = path.join(root, 'dist');
      try {
        await build({ snapshotsDir, outDir: out });
        const siteFiles = await readTree(out);
        siteLeaks = leaks([...first, ...second], siteFiles);
        siteNote = `site: ${siteFiles.length} files scanned`;
      } catch (error) {
        siteError = (error as Error).message.split('\n')[0];
        siteNote = `site build failed: ${siteError}`;
      }
    }

    const kinds = new Map<string, number>();
    for (const p of first) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
    const innocent = first.filter((p) => !p.secretKey).length;
    const clear = contentLeaks.length + siteLeaks.length;
    recordFigure(task, {
      case: '2 secrets: generated config values',
      runs: RUNS,
      result: `${clear} in clear or as plain sha256 (content ${contentLeaks.length}, site ${build ? siteLeaks.length : 'n/a'}); ${hashChanged.length}/${RUNS} keyed fingerprints changed, ${visible.length}/${RUNS} changes visible; after a key rotation ${afterRotation} changes, ${rotationFindings} findings`,
      target: '0 in clear or hashed plain; fingerprints reveal a change; a rotation is no change',
      pass:
        clear === 0 && redactedBoth.length === RUNS && hashChanged.length === RUNS && visible.length === RUNS && afterRotation === 0 && rotationFindings === 0 && build !== undefined && siteError === undefined,
      detail: `${RUNS - innocent} under secret-looking keys, ${innocent} under innocent keys; ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; ${siteNote}`,
    });
    expect(contentLeaks.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(siteLeaks.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(first.filter((p) => !redactedBoth.includes(p)).map((p) => `${p.kind} under ${p.key}: stored in clear`).slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(hashChanged.length).toBe(RUNS);
    expect(visible.length).toBe(RUNS);
    expect(afterRotation).toBe(0);
    expect(rotationFindings).toBe(0);
    expect(build, 'the site builder (src/site/build.ts) must be available').toBeDefined();
    expect(siteError).toBeUndefined();
  });
});
