import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import {
  diffEnvironments,
  diffSnapshots,
  formatEnvironmentDiff,
  lastKnownBefore,
  formatSnapshotDiff,
  parseDiffOperand,
  sha256Hex,
} from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { buildChange, buildConfig, buildDeployment, buildFinding, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

const secret = (value: string) => ({ redacted: true as const, sha256: sha256Hex(value) });

/** 2026-03-13: api 1.0.0 everywhere, web in dev and prod, one open finding. */
const before = buildSnapshot({
  takenAt: '2026-03-13T02:00:00Z',
  deployments: [
    buildDeployment({ service: 'api', environment: 'dev', version: '1.0.0' }),
    buildDeployment({ service: 'api', environment: 'qa', version: '1.0.0' }),
    buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0' }),
    buildDeployment({ service: 'web', environment: 'dev', version: '2.0.0' }),
    buildDeployment({ service: 'web', environment: 'prod', version: '2.0.0' }),
  ],
  configs: [
    buildConfig({ service: 'api', environment: 'prod', values: { LOG_LEVEL: 'info', DB_PASSWORD: secret('one'), GONE: 1, DB_HOST: 'db.prod' } }),
    buildConfig({ service: 'api', environment: 'qa', values: { LOG_LEVEL: 'info', DB_PASSWORD: secret('one'), DB_HOST: 'db.qa' } }),
  ],
  findings: [buildFinding({ rule: 'drift.version', service: 'api', environment: 'prod', severity: 'medium' })],
  changes: [buildChange({ service: 'api', environment: 'prod', version: '1.0.0', deployedAt: '2026-03-12T10:00:00Z' })],
});

/** 2026-03-14: api 1.1.0 in prod (with a PR), web gone from dev, worker new in qa, api redeployed in qa, config edits. */
const after = buildSnapshot({
  takenAt: '2026-03-14T02:00:00Z',
  deployments: [
    buildDeployment({ service: 'api', environment: 'dev', version: '1.0.0' }),
    buildDeployment({ service: 'api', environment: 'qa', version: '1.0.0', deployedAt: '2026-03-13T18:00:00Z', deployedBy: 'bob' }),
    buildDeployment({ service: 'api', environment: 'prod', version: '1.1.0', deployedAt: '2026-03-13T20:00:00Z', deployedBy: 'carol' }),
    buildDeployment({ service: 'web', environment: 'prod', version: '2.0.0' }),
    buildDeployment({ service: 'worker', environment: 'qa', version: '0.1.0' }),
  ],
  configs: [
    buildConfig({ service: 'api', environment: 'prod', values: { LOG_LEVEL: 'debug', DB_PASSWORD: secret('two'), NEW_FLAG: true, DB_HOST: 'db.prod' } }),
    buildConfig({ service: 'api', environment: 'qa', values: { LOG_LEVEL: 'info', DB_PASSWORD: secret('one'), DB_HOST: 'db.qa' } }),
  ],
  findings: [
    buildFinding({ rule: 'promotion.bypass', service: 'api', environment: 'prod', severity: 'high', message: 'api 1.1.0 reached prod without qa' }),
    buildFinding({ rule: 'approval.missing', service: 'api', environment: 'prod', severity: 'critical', message: 'no approval', exception: {
      rule: 'approval.missing', service: 'api', reason: 'incident fix', approvedBy: 'cto', expires: '2026-03-20',
    } }),
  ],
  changes: [
    buildChange({ service: 'api', environment: 'prod', version: '1.0.0', deployedAt: '2026-03-12T10:00:00Z' }),
    buildChange({
      service: 'api',
      environment: 'prod',
      version: '1.1.0',
      fromVersion: '1.0.0',
      fromCommit: commitFor('api-1.0.0'),
      deployedAt: '2026-03-13T20:00:00Z',
      pullRequests: [{ number: 42, title: 'Fix rounding PAY-7', author: 'dave', mergedBy: 'erin', mergedAt: '2026-03-13T09:00:00Z', reviewers: ['erin'] }],
      tickets: ['PAY-7'],
    }),
  ],
});

describe('diffSnapshots', () => {
  const d = diffSnapshots(before, after);

  it('lists deployments added, removed, changed and redeployed, per service and environment', () => {
    expect(d.from).toEqual({ id: '2026-03-13T020000Z', takenAt: '2026-03-13T02:00:00Z' });
    expect(d.deployments.map((x) => [x.service, x.environment, x.change, x.fields.join('+')])).toEqual([
      ['api', 'prod', 'changed', 'version+commit'],
      ['api', 'qa', 'redeployed', ''],
      ['web', 'dev', 'removed', ''],
      ['worker', 'qa', 'added', ''],
    ]);
    const prod = d.deployments[0]!;
    expect(prod.from).toMatchObject({ version: '1.0.0', commit: commitFor('api-1.0.0') });
    expect(prod.to).toEqual({ version: '1.1.0', commit: commitFor('api-1.1.0'), artifact: null, deployedAt: '2026-03-13T20:00:00Z', deployedBy: 'carol' });
    expect(d.deployments[2]).toMatchObject({ from: { version: '2.0.0' }, to: null });
  });

  it('lists config keys added, removed and changed; secrets by hash, never by value', () => {
    expect(d.configs).toEqual([
      { service: 'api', environment: 'prod', source: 'github', key: 'DB_PASSWORD', change: 'changed', from: '(redacted)', to: '(redacted)', redacted: true },
      { service: 'api', environment: 'prod', source: 'github', key: 'GONE', change: 'removed', from: '1', to: null, redacted: false },
      { service: 'api', environment: 'prod', source: 'github', key: 'LOG_LEVEL', change: 'changed', from: '"info"', to: '"debug"', redacted: false },
      { service: 'api', environment: 'prod', source: 'github', key: 'NEW_FLAG', change: 'added', from: null, to: 'true', redacted: false },
    ]);
    expect(JSON.stringify(d)).not.toContain(sha256Hex('two'));
  });

  it('lists findings opened and closed, highest severity first', () => {
    expect(d.findings.opened.map((f) => [f.id, f.severity, f.excepted])).toEqual([
      ['approval.missing/api/prod', 'critical', true],
      ['promotion.bypass/api/prod', 'high', false],
    ]);
    expect(d.findings.closed.map((f) => f.id)).toEqual(['drift.version/api/prod']);
  });

  it('lists the changes the later snapshot has and the earlier does not, with their tickets', () => {
    expect(d.changes.map((c) => [c.service, c.environment, c.version, c.pullRequests.map((p) => p.number)])).toEqual([['api', 'prod', '1.1.0', [42]]]);
    expect(d.tickets).toEqual(['PAY-7']);
  });

  it('is plain JSON, and does not depend on the order of the input arrays', () => {
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    const shuffled = (s: Snapshot): Snapshot => ({
      ...s,
      deployments: [...s.deployments].reverse(),
      configs: [...s.configs].reverse(),
      findings: [...s.findings].reverse(),
      changes: [...s.changes].reverse(),
    });
    expect(diffSnapshots(shuffled(before), shuffled(after))).toEqual(d);
  });

  it('finds nothing between a snapshot and itself', () => {
    expect(diffSnapshots(after, after)).toMatchObject({ deployments: [], configs: [], findings: { opened: [], closed: [] }, changes: [], tickets: [] });
    expect(formatSnapshotDiff(diffSnapshots(after, after))).toMatchInlineSnapshot(`
      "Changes from 2026-03-14T020000Z to 2026-03-14T020000Z

      No differences.
      "
    `);
  });

  it('formats as aligned text', () => {
    expect(formatSnapshotDiff(d)).toMatchInlineSnapshot(`
      "Changes from 2026-03-13T020000Z to 2026-03-14T020000Z

      Deployments (4)
        api     prod  1.0.0 (764fa5b) -> 1.1.0 (13854c1)
        api     qa    redeployed 1.0.0 (764fa5b) at 2026-03-13T18:00:00Z by bob
        web     dev   removed (was 2.0.0 (8478187))
        worker  qa    added 0.1.0 (333c04c)

      Config (4)
        api  prod  github  DB_PASSWORD  changed (redacted)
        api  prod  github  GONE         removed (was 1)
        api  prod  github  LOG_LEVEL    "info" -> "debug"
        api  prod  github  NEW_FLAG     added true

      Findings opened (2)
        critical  approval.missing  api/prod  no approval (excepted)
        high      promotion.bypass  api/prod  api 1.1.0 reached prod without qa

      Findings closed (1)
        medium  drift.version  api/prod  drift.version fired

      Pull requests and tickets (1)
        api  prod  1.0.0 -> 1.1.0  #42 Fix rounding PAY-7 (dave); PAY-7
      "
    `);
  });
});

describe('diffEnvironments', () => {
  it('compares two environments of one snapshot, service by service', () => {
    const d = diffEnvironments(after, 'prod', 'qa');
    expect(d.a).toEqual({ snapshot: '2026-03-14T020000Z', takenAt: '2026-03-14T02:00:00Z', environment: 'prod' });
    expect(d.services.map((s) => [s.service, s.status, s.a?.version ?? null, s.b?.version ?? null, s.fields])).toEqual([
      ['api', 'different', '1.1.0', '1.0.0', ['version', 'commit']],
      ['web', 'only-a', '2.0.0', null, []],
      ['worker', 'only-b', null, '0.1.0', []],
    ]);
  });

  it('lists only the config keys that differ, marks environment-specific ones, and compares secrets by hash', () => {
    const d = diffEnvironments(after, 'prod', 'qa');
    expect(d.configs).toEqual([
      { service: 'api', source: 'github', key: 'DB_HOST', a: '"db.prod"', b: '"db.qa"', redacted: false, notComparable: null, envSpecific: true },
      { service: 'api', source: 'github', key: 'DB_PASSWORD', a: '(redacted)', b: '(redacted)', redacted: true, notComparable: null, envSpecific: false },
      { service: 'api', source: 'github', key: 'LOG_LEVEL', a: '"debug"', b: '"info"', redacted: false, notComparable: null, envSpecific: false },
      { service: 'api', source: 'github', key: 'NEW_FLAG', a: 'true', b: null, redacted: false, notComparable: null, envSpecific: false },
    ]);
    expect(diffEnvironments(before, 'prod', 'qa').configs.map((c) => c.key)).toEqual(['DB_HOST', 'GONE']);
  });

  it('compares environments across two snapshots', () => {
    const d = diffEnvironments(after, 'prod', before, 'prod');
    expect(d.b.snapshot).toBe('2026-03-13T020000Z');
    expect(d.services.map((s) => [s.service, s.status])).toEqual([
      ['api', 'different'],
      ['web', 'same'],
    ]);
  });

  it('refuses an environment the snapshot does not know', () => {
    try {
      diffEnvironments(after, 'prod', 'staging');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatchInlineSnapshot(`"no environment "staging" in snapshot 2026-03-14T020000Z; known: dev, prod, qa"`);
    }
  });

  it('formats as aligned text, with hostile values kept on one line', () => {
    const s = buildSnapshot({
      configs: [
        buildConfig({ service: 'api', environment: 'prod', values: { BANNER: 'hi\u001b[31m\nthere' } }),
        buildConfig({ service: 'api', environment: 'qa', values: {} }),
      ],
    });
    expect(formatEnvironmentDiff(diffEnvironments(s, 'prod', 'qa'))).toMatchInlineSnapshot(`
      "prod@2026-03-14T020000Z compared with qa@2026-03-14T020000Z

      Services (2, 0 differ)
        service  prod             qa
        api      1.0.0 (764fa5b)  1.0.0 (764fa5b)  same
        web      1.0.0 (63c01f1)  1.0.0 (63c01f1)  same

      Config keys that differ (1)
        api  github  BANNER  "hi\\u001b[31m\\nthere"  (absent)
      "
    `);
    expect(formatEnvironmentDiff(diffEnvironments(after, 'prod', 'qa'))).toMatchInlineSnapshot(`
      "prod@2026-03-14T020000Z compared with qa@2026-03-14T020000Z

      Services (3, 3 differ)
        service  prod             qa
        api      1.1.0 (13854c1)  1.0.0 (764fa5b)  different version, commit
        web      2.0.0 (8478187)  -                only in prod
        worker   -                0.1.0 (333c04c)  only in qa

      Config keys that differ (4)
        api  github  DB_HOST      "db.prod"   "db.qa"     expected: environment-specific
        api  github  DB_PASSWORD  (redacted)  (redacted)  differs (redacted)
        api  github  LOG_LEVEL    "debug"     "info"
        api  github  NEW_FLAG     true        (absent)
      "
    `);
  });
});

describe('parseDiffOperand', () => {
  it('reads ENV@DATE, a date, a time or a snapshot id', () => {
    expect(parseDiffOperand('prod@2026-03-14')).toEqual({ environment: 'prod', at: '2026-03-14' });
    expect(parseDiffOperand('qa@2026-03-10T020000Z')).toEqual({ environment: 'qa', at: '2026-03-10T020000Z' });
    expect(parseDiffOperand('2026-03-14')).toEqual({ at: '2026-03-14' });
    expect(parseDiffOperand('2026-03-14T02:00:00Z')).toEqual({ at: '2026-03-14T02:00:00Z' });
  });

  it('refuses malformed operands with a one-line hint', () => {
    expect(() => parseDiffOperand('prod@')).toThrow(UsageError);
    expect(() => parseDiffOperand('prod@')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: "prod@" is not ENV@DATE; write an environment name and a date, time or snapshot id, e.g. prod@2026-03-14]`,
    );
    expect(() => parseDiffOperand('@2026-03-14')).toThrow(UsageError);
    expect(() => parseDiffOperand('prod@tomorrow')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: "tomorrow" is not a date or time; use YYYY-MM-DD (end of that day, UTC), an ISO time such as 2026-03-14T02:00:00Z, or a snapshot id such as 2026-03-14T020000Z]`,
    );
    expect(() => parseDiffOperand('prod')).toThrowErrorMatchingInlineSnapshot(`[UsageError: "prod" is not a date, time, snapshot id or ENV@DATE; e.g. 2026-03-14, 2026-03-14T020000Z or prod@2026-03-14]`);
  });
});

describe('a gap night: unknown is not absent', () => {
  const gap = { source: 'inventory', service: 'hooks', evidence: 'all', reason: 'inventory/hooks.yaml: not YAML' };
  const night = (day: number, hooks: string | null, gaps: (typeof gap)[] = []) =>
    buildSnapshot({
      takenAt: `2026-03-${String(day).padStart(2, '0')}T23:30:00Z`,
      deployments: [
        buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0', source: 'inventory' }),
        ...(hooks ? [buildDeployment({ service: 'hooks', environment: 'prod', version: hooks, source: 'inventory' })] : []),
      ],
      configs: hooks ? [buildConfig({ service: 'hooks', environment: 'prod', source: 'inventory', values: { LOG_LEVEL: 'info' } })] : [],
      gaps,
    });
  const d10 = night(10, '2.13.0');
  const d11 = night(11, null, [gap]);
  const d12same = night(12, '2.13.0');
  const d12new = night(12, '2.14.0');
  const from = async function* (...snapshots: Snapshot[]) {
    yield* snapshots;
  };

  it('the gap night says the service is unknown, not removed, and counts no change', () => {
    const diff = diffSnapshots(d10, d11);
    expect(diff.deployments).toEqual([]);
    expect(diff.configs).toEqual([]);
    expect(diff.unknown.map((u) => [u.service, u.environment, u.evidence, u.hiddenIn])).toEqual([
      ['hooks', 'prod', 'config', d11.id],
      ['hooks', 'prod', 'deployment', d11.id],
    ]);
    expect(formatSnapshotDiff(diff)).toContain('Unknown: a source gave no evidence');
    expect(formatSnapshotDiff(diff)).not.toContain('removed');
  });

  it('the night after compares with the last night that knew it: no change when nothing changed, the real change otherwise', async () => {
    const same = diffSnapshots(d11, d12same, { lastKnown: await lastKnownBefore(d11, d12same, from(d10)) });
    expect(same.deployments).toEqual([]);
    const changed = diffSnapshots(d11, d12new, { lastKnown: await lastKnownBefore(d11, d12new, from(d10)) });
    expect(changed.deployments.map((d) => [d.service, d.change, d.from?.version, d.to?.version, d.comparedWith])).toEqual([['hooks', 'changed', '2.13.0', '2.14.0', d10.id]]);
    // Without the ledger behind it, the earlier state is unknown: never "new".
    const alone = diffSnapshots(d11, d12new);
    expect(alone.deployments).toEqual([]);
    expect(alone.unknown.map((u) => [u.service, u.evidence])).toEqual([['hooks', 'config'], ['hooks', 'deployment']]);
  });

  it('a record with no gap behind it is still removed or added', () => {
    const diff = diffSnapshots(d10, night(11, null));
    expect(diff.deployments.map((d) => [d.service, d.change])).toEqual([['hooks', 'removed']]);
    expect(diff.unknown).toEqual([]);
  });
});
