import { describe, expect, it } from 'vitest';
import { fingerprintSecret, secretKeyFrom, type SecretKey } from '../../src/model/index.ts';
import { buildConfig, cleanWorld, day, days, dep, only, take, withDeployment } from './world.ts';

const world = cleanWorld();
const configs = (values: Record<string, Record<string, unknown>>, source: Record<string, string> = {}) =>
  ['dev', 'qa', 'prod'].map((environment) =>
    buildConfig({ service: 'api', environment, source: source[environment] ?? 'github', values: { DB_HOST: `db.${environment}`, ...(values[environment] ?? {}) } as never }),
  );
const hash = (c: string) => c.repeat(64);

describe('config.drift', () => {
  it('fires where a key changes value along the path, with both sides as evidence', () => {
    const s = take({ ...world, configs: configs({ dev: { LOG_LEVEL: 'info' }, qa: { LOG_LEVEL: 'debug' }, prod: { LOG_LEVEL: 'debug' } }), takenAt: day(2) });
    const found = only(s, 'config.drift');
    expect(found.map((f) => f.id)).toEqual(['config.drift/api/qa/LOG_LEVEL']);
    const f = found[0]!;
    expect(f.severity).toBe('low');
    expect(f.environment).toBe('qa');
    expect(f.message).toBe('api config key LOG_LEVEL is "debug" in qa but "info" in dev, and it is not declared environment-specific.');
    expect(f.resolution).toContain("add it to api's envSpecificKeys");
    expect(f.evidence).toEqual({
      key: 'LOG_LEVEL',
      lower: { environment: 'dev', value: 'info', present: true, source: 'github' },
      higher: { environment: 'qa', value: 'debug', present: true, source: 'github' },
    });
  });

  it('compares redacted values by hash and never shows more than a short hash', () => {
    const s = take({ ...world, configs: configs({ dev: { DB_PASSWORD: { redacted: true, sha256: hash('a') } }, qa: { DB_PASSWORD: { redacted: true, sha256: hash('b') } }, prod: { DB_PASSWORD: { redacted: true, sha256: hash('b') } } }), takenAt: day(2) });
    const [f] = only(s, 'config.drift');
    expect(f!.id).toBe('config.drift/api/qa/DB_PASSWORD');
    expect(f!.message).toBe('api config key DB_PASSWORD is redacted sha256:bbbbbbbbbbbb in qa but redacted sha256:aaaaaaaaaaaa in dev, and it is not declared environment-specific.');
  });

  it('reports a key present on one side only when both sides were read by the same sources', () => {
    const same = take({ ...world, configs: configs({ dev: { FEATURE_X: true }, qa: { FEATURE_X: true } }), takenAt: day(2) });
    expect(only(same, 'config.drift').map((f) => [f.id, f.message])).toEqual([
      ['config.drift/api/prod/FEATURE_X', 'api config key FEATURE_X is set in qa but not in prod, and it is not declared environment-specific.'],
    ]);
    const other = take({ ...world, configs: configs({ dev: { FEATURE_X: true }, qa: { FEATURE_X: true } }, { prod: 'gitops' }), takenAt: day(2) });
    expect(only(other, 'config.drift')).toEqual([]);
  });

  it('near misses: environment-specific keys (exact or glob), 6 vs "6", and secrets whose values are never revealed', () => {
    const s = take({
      ...world,
      services: [
        { name: 'api', dependsOn: { web: '^1.0.0' }, envSpecificKeys: ['DB_HOST', 'REPLICA*'] },
        { name: 'web' },
      ],
      configs: configs({
        dev: { REPLICAS: 1, COUNT: 6, TOKEN: { secret: true, updatedAt: day(1) } },
        qa: { REPLICAS: 2, COUNT: '6', TOKEN: { secret: true, updatedAt: day(1, '05:00:00') } },
        prod: { REPLICAS: 6, COUNT: 6, TOKEN: { secret: true, updatedAt: null } },
      }),
      takenAt: day(2),
    });
    expect(only(s, 'config.drift')).toEqual([]);
  });
});

describe('config.unrecorded-change', () => {
  const prodValues = (v: Record<string, unknown>, extra: object = {}) =>
    configs({ dev: { LOG_LEVEL: 'info' }, qa: { LOG_LEVEL: 'info' } }).filter((c) => c.environment !== 'prod').concat(buildConfig({ service: 'api', environment: 'prod', values: { DB_HOST: 'db.prod', ...v } as never, ...extra }));

  it('fires when a value changes between snapshots while the same deployment runs', () => {
    const snaps = days([
      { ...world, configs: prodValues({ LOG_LEVEL: 'info' }), takenAt: day(2) },
      { ...world, configs: prodValues({ LOG_LEVEL: 'warn' }, { changedBy: 'mallory', changedAt: day(2, '13:00:00'), origin: 'github:variables' }), takenAt: day(3) },
    ]);
    const [f, ...rest] = only(snaps[1]!, 'config.unrecorded-change');
    expect(rest).toEqual([]);
    expect(f!.id).toBe('config.unrecorded-change/api/prod/LOG_LEVEL');
    expect(f!.severity).toBe('medium');
    expect(f!.message).toContain('api config key LOG_LEVEL in prod changed from "info" to "warn" between 2026-03-02T020000Z and 2026-03-03T020000Z with no deployment');
    expect(f!.evidence).toEqual({
      key: 'LOG_LEVEL',
      old: 'info',
      new: 'warn',
      previousSnapshot: '2026-03-02T020000Z',
      changedBy: 'mallory',
      changedAt: day(2, '13:00:00'),
      source: 'github',
      origin: 'github:variables',
      deployment: { version: '1.0.0', commit: world.deployments!.find((d) => d.service === 'api' && d.environment === 'prod')!.commit, deployedAt: day(1, '10:00:00') },
    });
  });

  it('fires for a secret rotated outside a deployment (by its update time), showing no value', () => {
    const snaps = days([
      { ...world, configs: prodValues({ API_TOKEN: { secret: true, updatedAt: day(1) } }), takenAt: day(2) },
      { ...world, configs: prodValues({ API_TOKEN: { secret: true, updatedAt: day(2, '09:00:00') } }), takenAt: day(3) },
    ]);
    const [f] = only(snaps[1]!, 'config.unrecorded-change');
    expect(f!.evidence['old']).toEqual({ secret: true, updatedAt: day(1) });
    expect(f!.evidence['new']).toEqual({ secret: true, updatedAt: day(2, '09:00:00') });
    expect(f!.message).toContain(`from secret (updated ${day(1)}) to secret (updated ${day(2, '09:00:00')})`);
  });

  describe('keyed secret fingerprints', () => {
    const keyA = secretKeyFrom('ledger-key-A-0123456789abcdefghijklmnopqr')!;
    const keyB = secretKeyFrom('ledger-key-B-0123456789abcdefghijklmnopqr')!;
    const secret = (value: string, key: SecretKey | null) => fingerprintSecret('api', 'DB_PASSWORD', value, key);
    const twoNights = (before: unknown, after: unknown) =>
      days([
        { ...world, configs: prodValues({ DB_PASSWORD: before }), takenAt: day(2) },
        { ...world, configs: prodValues({ DB_PASSWORD: after }), takenAt: day(3) },
      ]);

    it('a secret that changes between two nights under one key is reported, by a short fingerprint only', () => {
      const [f, ...rest] = only(twoNights(secret('old-pw', keyA), secret('new-pw', keyA))[1]!, 'config.unrecorded-change');
      expect(rest).toEqual([]);
      expect(f!.id).toBe('config.unrecorded-change/api/prod/DB_PASSWORD');
      expect(f!.message).toMatch(/changed from redacted hmac:[0-9a-f]{12} \(key [0-9a-f]{16}\) to redacted hmac:[0-9a-f]{12} \(key [0-9a-f]{16}\)/);
      expect(JSON.stringify(f)).not.toContain('old-pw');
      expect(only(twoNights(secret('same', keyA), secret('same', keyA))[1]!, 'config.unrecorded-change')).toEqual([]);
    });

    it('a key rotation, a legacy plain hash before a keyed one, or no key at all raises nothing: not comparable is not changed', () => {
      expect(only(twoNights(secret('same', keyA), secret('same', keyB))[1]!, 'config.unrecorded-change')).toEqual([]);
      expect(only(twoNights(secret('old', keyA), secret('new', keyB))[1]!, 'config.unrecorded-change')).toEqual([]);
      expect(only(twoNights({ redacted: true, sha256: hash('a') }, secret('same', keyA))[1]!, 'config.unrecorded-change')).toEqual([]);
      expect(only(twoNights(secret('old', null), secret('new', null))[1]!, 'config.unrecorded-change')).toEqual([]);
    });

    it('config.drift compares one key of one service across environments by fingerprint, and never without one', () => {
      const drift = (dev: unknown, qa: unknown) => only(take({ ...world, configs: configs({ dev: { DB_PASSWORD: dev }, qa: { DB_PASSWORD: qa }, prod: { DB_PASSWORD: qa } }), takenAt: day(2) }), 'config.drift');
      expect(drift(secret('a', keyA), secret('b', keyA)).map((f) => f.id)).toEqual(['config.drift/api/qa/DB_PASSWORD']);
      expect(drift(secret('a', keyA), secret('a', keyA))).toEqual([]);
      expect(drift(secret('a', null), secret('b', null))).toEqual([]);
    });
  });

  it('near misses: the change came with a deployment; the first snapshot; a source that did not answer', () => {
    const redeployed = withDeployment(world.deployments!, dep('api', 'prod', '1.0.0', { deployedAt: day(2, '12:00:00') }));
    const withDeploy = days([
      { ...world, configs: prodValues({ LOG_LEVEL: 'info' }), takenAt: day(2) },
      { ...world, deployments: redeployed, configs: prodValues({ LOG_LEVEL: 'warn' }), takenAt: day(3) },
    ]);
    expect(only(withDeploy[0]!, 'config.unrecorded-change')).toEqual([]);
    expect(only(withDeploy[1]!, 'config.unrecorded-change')).toEqual([]);
    const silent = days([
      { ...world, configs: [...prodValues({ LOG_LEVEL: 'info' }), buildConfig({ service: 'api', environment: 'prod', source: 'gitops', values: { IMAGE: 'a' } })], takenAt: day(2) },
      { ...world, configs: prodValues({ LOG_LEVEL: 'info' }), takenAt: day(3) },
    ]);
    expect(only(silent[1]!, 'config.unrecorded-change')).toEqual([]);
  });
});
