import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config, RawConfigRecord } from '../../src/model/index.ts';
import { compareSecrets, configSchema, fingerprintSecret, secretKeyFrom } from '../../src/model/index.ts';
import { isSecretKey, looksLikeSecretValue, redactConfigs } from '../../src/model/index.ts';

const config: Config = configSchema.parse({
  name: 'Acme',
  environments: [{ name: 'dev' }, { name: 'prod' }],
  services: [{ name: 'payments-api', secretKeys: ['STRIPE_*'] }, { name: 'ledger-core' }],
});
const KEY_TEXT = 'test-ledger-key-0123456789abcdefghijklmnop';
const ledgerKey = secretKeyFrom(KEY_TEXT)!;
/** The expected marker, computed here from RFC 2104 HMAC-SHA-256 over service NUL key NUL value. */
const fingerprint = (key: string, value: string, service = 'payments-api') => ({
  redacted: true,
  hmac: createHmac('sha256', KEY_TEXT).update(`${service}\u0000${key}\u0000${value}`).digest('hex'),
  keyId: ledgerKey.id,
});
const record = (values: RawConfigRecord['values'], service = 'payments-api'): RawConfigRecord => ({ service, environment: 'prod', source: 'inventory', values });

/** Base62 text from random bytes (uniform enough for these tests). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base62 = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => Array.from(bytes, (b) => ALPHABET[b % 62]).join(''));
const upperDigits = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => Array.from(bytes, (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join(''));
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** Credentials recognisable by their form, whatever key they sit under. */
const credential = fc.oneof(
  base62(36).map((s) => `ghp_${s}`),
  base62(60).map((s) => `github_pat_11A${s}`),
  base62(24).map((s) => `xoxb-1234-${s}`),
  base62(24).map((s) => `sk_live_${s}`),
  base62(40).map((s) => `sk-proj-${s}`),
  upperDigits(16).map((s) => `AKIA${s}`),
  base62(35).map((s) => `AIza${s}`),
  base62(20).map((s) => `glpat-${s}`),
  base62(36).map((s) => `npm_${s}`),
  base62(64).map((s) => `-----BEGIN RSA PRIVATE KEY-----\n${s}\n-----END RSA PRIVATE KEY-----`),
  fc.tuple(base62(8), base62(30)).map(([sub, sig]) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${sub}"}`)}.${sig}`),
  fc.tuple(fc.constantFrom('postgres', 'mysql', 'redis', 'amqp', 'https'), base62(6), base62(12)).map(([scheme, user, pass]) => `${scheme}://${user}:${pass}@db.acme.example:5432/app`),
  base62(16).map((s) => `Server=db;Database=app;User Id=app;Password=${s};`),
);

const innocentKey = fc.constantFrom('LOG_LEVEL', 'REPLICAS', 'FEATURE_FLAGS', 'DATABASE_URL', 'endpoint', 'owner');

describe('redactConfigs', () => {
  it('redacts by key (global and per-service patterns, case-insensitive) and keeps the rest', () => {
    const [out] = redactConfigs([record({ LOG_LEVEL: 'info', DB_PASSWORD: 's3cr3t', stripe_webhook: 'whsec', REPLICAS: 6, api_key: 42, DEBUG: false })], config, ledgerKey);
    expect(out).toEqual({
      service: 'payments-api',
      environment: 'prod',
      source: 'inventory',
      values: {
        DB_PASSWORD: fingerprint('DB_PASSWORD', 's3cr3t'),
        DEBUG: false,
        LOG_LEVEL: 'info',
        REPLICAS: 6,
        api_key: fingerprint('api_key', '42'),
        stripe_webhook: fingerprint('stripe_webhook', 'whsec'),
      },
    });
    expect(Object.keys(out!.values)).toEqual(['DB_PASSWORD', 'DEBUG', 'LOG_LEVEL', 'REPLICAS', 'api_key', 'stripe_webhook']);
  });

  it("applies a service's own patterns only to that service", () => {
    const [core, payments] = redactConfigs([record({ STRIPE_MODE: 'live' }, 'payments-api'), record({ STRIPE_MODE: 'live' }, 'ledger-core')], config, ledgerKey);
    expect(core?.service).toBe('ledger-core');
    expect(core?.values.STRIPE_MODE).toBe('live');
    expect(payments?.values.STRIPE_MODE).toEqual(fingerprint('STRIPE_MODE', 'live'));
  });

  it('keeps values that are already secret markers as they are', () => {
    const redacted = { redacted: true as const, sha256: 'a'.repeat(64) };
    const secret = { secret: true as const, updatedAt: '2026-03-14T02:00:00Z' };
    const [out] = redactConfigs([record({ TOKEN: redacted, OTHER_TOKEN: secret })], config, ledgerKey);
    expect(out?.values).toEqual({ OTHER_TOKEN: secret, TOKEN: redacted });
  });

  it('sorts records and keeps optional fields', () => {
    const out = redactConfigs(
      [
        { ...record({ A: '1' }), environment: 'prod', origin: 'b.yaml', changedBy: 'alice', changedAt: '2026-03-14T02:00:00Z' },
        { ...record({ A: '1' }), environment: 'dev', origin: 'a.yaml' },
      ],
      config,
      ledgerKey,
    );
    expect(out.map((r) => [r.environment, r.origin, r.changedBy])).toEqual([
      ['dev', 'a.yaml', undefined],
      ['prod', 'b.yaml', 'alice'],
    ]);
  });

  it('property: a credential never appears in clear, under any key', () => {
    fc.assert(
      fc.property(innocentKey, credential, (key, value) => {
        const out = redactConfigs([record({ [key]: value })], config, ledgerKey);
        expect(out[0]?.values[key]).toEqual(fingerprint(key, value));
        expect(JSON.stringify(out)).not.toContain(JSON.stringify(value).slice(1, -1));
      }),
      { seed: 20261120, numRuns: 400 },
    );
  });

  it('property: any value under a secret key is stored only as its hash', () => {
    const secretKey = fc.constantFrom('DB_PASSWORD', 'apiToken', 'client_secret', 'SIGNING_KEY', 'aws_credentials', 'vault/private_key', 'x.API_KEY');
    const value = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(secretKey, value, (key, v) => {
        const out = redactConfigs([record({ [key]: v })], config, ledgerKey);
        expect(out[0]?.values[key]).toEqual(fingerprint(key, String(v)));
      }),
      { seed: 20261121, numRuns: 300 },
    );
  });
});

describe('looksLikeSecretValue', () => {
  // Ordinary config values that must stay readable on pages.
  const innocents = [
    'info',
    'debug',
    '6',
    '2.4.1',
    '^1.4',
    '>=2.3.0 <3',
    'https://api.acme.example/v1',
    'postgres://db.acme.example:5432/payments',
    'postgres://app:${DB_PASSWORD}@db:5432/payments',
    'payments.acme.example',
    '550e8400-e29b-41d4-a716-446655440000',
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b',
    'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    'ghcr.io/acme/payments-api:2.4.1',
    'registry.acme.example/team-payments/payments-api-v2',
    'com.acme.payments.PaymentServiceImpl',
    'ACME_PAYMENTS_SERVICE_CONFIGURATION',
    'PaymentServiceConfiguration2',
    'UserService2FactorAuthenticationV2',
    'LOG_FORMAT_JSON_V2_WithTraceIds',
    'AcmePayments2026ReleaseTrainQ4Build17',
    'k8s-prod-eu-west-1a-payments-NodePool3',
    'ip-10-0-12-34-ec2-internal',
    'arn:aws:iam::123456789012:role/PaymentsDeployRole2',
    'projects/acme-prod-42/topics/payments-Events1',
    '/var/lib/payments/data/2026Q3Reports',
    'Europe/Amsterdam',
    'en_US.UTF-8',
    'JAVA_OPTS=-Xmx512m -Xms256m',
    'MaxConnectionsPerHost=32;TimeoutMs=5000',
    'v2024.11.20-build.1742-gabc1234',
    'payments_api_v2_2026_11_20_backup',
    '2026-11-20T10:00:00Z',
    'release/2.4',
    'Card network certification in progress, do not promote',
  ];
  it.each(innocents)('keeps %j in clear', (value) => {
    expect(looksLikeSecretValue(value)).toBe(false);
  });

  it('never treats numbers, booleans or null as secret by value', () => {
    for (const value of [123456789012345678901234567890, true, false, null]) expect(looksLikeSecretValue(value)).toBe(false);
  });

  it('catches at least 99% of random 32-64 character tokens with no known prefix (measured)', () => {
    let caught = 0;
    const total = 2000;
    for (let i = 0; i < total; i++) {
      const bytes = createHash('sha512').update(`token-${i}`).digest();
      const token = i % 2 ? bytes.toString('base64url').slice(0, 32 + (i % 33)) : Array.from(bytes, (b) => ALPHABET[b % 62]).join('').slice(0, 32 + (i % 33));
      if (looksLikeSecretValue(token)) caught++;
    }
    expect(caught / total).toBeGreaterThanOrEqual(0.99);
  });
});

describe('isSecretKey', () => {
  it('matches globs case-insensitively, across / and .', () => {
    const patterns = config.policies.secretKeys;
    expect(isSecretKey('DB_PASSWORD', patterns)).toBe(true);
    expect(isSecretKey('db/Password', patterns)).toBe(true);
    expect(isSecretKey('SIGNING_KEY', patterns)).toBe(true);
    expect(isSecretKey('LOG_LEVEL', patterns)).toBe(false);
    expect(isSecretKey('KEYBOARD', patterns)).toBe(false);
    expect(isSecretKey('anything', [])).toBe(false);
  });
});

describe('credentials in version URLs', () => {
  it('stores a URL without its userinfo (not even a hash of it) and leaves other URLs alone', async () => {
    const { redactUrl } = await import('../../src/model/redact-url.ts');
    const stored = redactUrl('https://deploy:s3cr3t-Pa55@payments.acme.example/{environment}/version');
    expect(stored).toBe('https://payments.acme.example/{environment}/version');
    expect(redactUrl('https://payments.acme.example/version?x=a@b')).toBe('https://payments.acme.example/version?x=a@b');
    expect(redactUrl('http://u:p4ss@h/v')).toBe('http://h/v');
    expect(redactUrl('http://h/v')).toBe('http://h/v');
  });
});

describe('secret fingerprints (keyed)', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('stores no plain sha256 of a secret, with a key or without one', () => {
    for (const key of [ledgerKey, null]) {
      const out = JSON.stringify(redactConfigs([record({ DB_PASSWORD: 'password123', PIN_SECRET: '12345678' }), record({ DB_PASSWORD: 'password123' }, 'ledger-core')], config, key));
      for (const value of ['password123', '12345678']) {
        expect(out).not.toContain(value);
        expect(out).not.toContain(sha256(value));
      }
    }
  });

  it('without a key stores no fingerprint at all', () => {
    const [out] = redactConfigs([record({ DB_PASSWORD: 'hunter2' })], config, null);
    expect(out?.values.DB_PASSWORD).toEqual({ redacted: true });
  });

  it('the same password in two services or under two keys gets different fingerprints; one key of one service compares across environments', () => {
    const a = fingerprintSecret('payments-api', 'DB_PASSWORD', 'shared', ledgerKey);
    expect(fingerprintSecret('ledger-core', 'DB_PASSWORD', 'shared', ledgerKey)).not.toEqual(a);
    expect(fingerprintSecret('payments-api', 'OTHER_PASSWORD', 'shared', ledgerKey)).not.toEqual(a);
    expect(fingerprintSecret('payments-api', 'DB_PASSWORD', 'shared', ledgerKey)).toEqual(a);
  });

  it('a key id names the key without revealing it, and differs between keys', () => {
    const other = secretKeyFrom('another-ledger-key-0123456789abcdefghijkl')!;
    expect(ledgerKey.id).toMatch(/^[0-9a-f]{16}$/);
    expect(other.id).not.toBe(ledgerKey.id);
    expect(KEY_TEXT).not.toContain(ledgerKey.id);
    expect(secretKeyFrom('too-short')).toBeNull();
  });

  it('compares: same and different under one key; a rotation, a legacy hash or no fingerprint is not comparable', () => {
    const other = secretKeyFrom('another-ledger-key-0123456789abcdefghijkl')!;
    const v = (value: string, key = ledgerKey) => fingerprintSecret('api', 'DB_PASSWORD', value, key);
    expect(compareSecrets(v('a'), v('a'))).toBe('same');
    expect(compareSecrets(v('a'), v('b'))).toBe('different');
    expect(compareSecrets(v('a'), v('a', other))).toBe('not-comparable');
    expect(compareSecrets({ redacted: true, sha256: sha256('a') }, v('a'))).toBe('not-comparable');
    expect(compareSecrets({ redacted: true, sha256: sha256('a') }, { redacted: true, sha256: sha256('b') })).toBe('different');
    expect(compareSecrets({ redacted: true }, { redacted: true })).toBe('not-comparable');
  });
});
