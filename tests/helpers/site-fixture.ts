/**
 * A small, realistic ledger for the site's tests: 4 environments, 5 services
 * (one a library), 5 days with two snapshots on one of them, promotions, a
 * hotfix straight to prod, a rollback, redacted secrets, a gap, findings with
 * evidence and an exception that expires.
 *
 * `hostile: true` puts script tags, event-handler attributes, `javascript:`
 * URLs, RTL overrides and very long strings into every free-text field
 * (service and environment names must match the name pattern, so they stay
 * plain), for the browser test that shows they render inert.
 */
import { createHash } from 'node:crypto';
import { appendSnapshot } from '../../src/ledger/index.ts';
import type { Approval, Change, ConfigRecord, Deployment, Finding, Snapshot, StoredValue } from '../../src/model/index.ts';
import { buildSnapshot, commitFor } from './snapshot-builder.ts';

/** One hostile payload; `window.__pwned` is set if any of it ever runs. */
export const HOSTILE =
  '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">"><svg onload=window.__pwned=1>' +
  "'\"><iframe src=javascript:window.__pwned=1>\u202Etxt.exe{{7*7}}${7*7}";
export const HOSTILE_URL = 'javascript:window.__pwned=1';
export const LONG = 'L'.repeat(5000);

export const FIXTURE_ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'] as const;
export const FIXTURE_SERVICES = ['auth-service', 'ledger-core', 'notifications', 'payments-api', 'web-frontend'] as const;

/** Snapshot times: one a day at 02:00Z, plus a second one at 14:00Z on 2026-03-12. */
export const FIXTURE_TIMES = ['2026-03-10T02:00:00Z', '2026-03-11T02:00:00Z', '2026-03-12T02:00:00Z', '2026-03-12T14:00:00Z', '2026-03-13T02:00:00Z', '2026-03-14T02:00:00Z'];

type Env = (typeof FIXTURE_ENVIRONMENTS)[number];
type Plan = Record<string, Record<Env, string[]>>;

/** Version per service and environment at each snapshot index (0..5). */
const PLAN: Plan = {
  'payments-api': {
    dev: ['2.4.0', '2.5.0', '2.5.0', '2.5.0', '2.6.0', '2.6.0'],
    qa: ['2.4.0', '2.4.0', '2.4.0', '2.5.0', '2.5.0', '2.6.0'],
    staging: ['2.3.0', '2.4.0', '2.4.0', '2.4.0', '2.5.0', '2.4.0'],
    prod: ['2.3.0', '2.3.0', '2.4.0', '2.4.0', '2.4.1', '2.4.1'],
  },
  'auth-service': {
    dev: ['1.2.0', '1.3.0', '1.3.0', '1.3.0', '1.3.0', '1.3.0'],
    qa: ['1.2.0', '1.2.0', '1.2.0', '1.2.0', '1.3.0', '1.3.0'],
    staging: ['1.2.0', '1.2.0', '1.2.0', '1.2.0', '1.2.0', '1.3.0'],
    prod: ['1.2.0', '1.2.0', '1.2.0', '1.2.0', '1.2.0', '1.2.0'],
  },
  'web-frontend': {
    dev: ['3.0.0', '3.0.0', '3.1.0', '3.1.0', '3.1.0', '3.1.0'],
    qa: ['3.0.0', '3.0.0', '3.0.0', '3.0.0', '3.1.0', '3.1.0'],
    staging: ['3.0.0', '3.0.0', '3.0.0', '3.0.0', '3.0.0', '3.1.0'],
    prod: ['3.0.0', '3.0.0', '3.0.0', '3.0.0', '3.0.0', '3.0.0'],
  },
  notifications: {
    dev: ['0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0'],
    qa: ['0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0'],
    staging: ['0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0'],
    prod: ['0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0', '0.9.0'],
  },
};

/** Pull requests each version brought: [number, title, branch, ticket]. */
const PRS: Record<string, [number, string, string, string][]> = {
  'payments-api@2.4.0': [
    [101, 'PAY-12 retry card authorisation', 'feature/PAY-12-retry', 'PAY-12'],
    [102, 'PAY-15 idempotency keys', 'feature/PAY-15', 'PAY-15'],
  ],
  'payments-api@2.5.0': [[110, 'PAY-20 ledger export', 'feature/PAY-20', 'PAY-20']],
  'payments-api@2.6.0': [[120, 'PAY-31 faster refunds', 'feature/PAY-31', 'PAY-31']],
  'payments-api@2.4.1': [[115, 'PAY-99 hotfix: double charge', 'hotfix/2.4.1', 'PAY-99']],
  'auth-service@1.3.0': [[55, 'AUTH-3 rotate signing keys', 'feature/AUTH-3', 'AUTH-3']],
  'web-frontend@3.1.0': [[300, 'WEB-7 dark mode', 'feature/WEB-7', 'WEB-7']],
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export interface FixtureOptions {
  hostile?: boolean;
  /** Extra days after the last one, a snapshot each at 02:00Z, where nothing changes (the last state again, no change records). */
  quietDays?: number;
}

/** The fixture's snapshots in memory (their `previous` links are null), for view tests. */
export function fixtureSnapshots(options: FixtureOptions = {}): Snapshot[] {
  const out = FIXTURE_TIMES.map((takenAt, i) => buildSnapshot({ ...fixtureSnapshot(i, options), takenAt, previous: null }));
  const last = FIXTURE_TIMES.length - 1;
  for (let k = 1; k <= (options.quietDays ?? 0); k++) out.push(buildSnapshot({ ...fixtureSnapshot(last, options), changes: [], takenAt: quietTime(k), previous: null }));
  return out;
}

/** The `k`th quiet day's snapshot time, after the last fixture day. */
function quietTime(k: number): string {
  return new Date(Date.parse(FIXTURE_TIMES[FIXTURE_TIMES.length - 1]!) + k * 86_400_000).toISOString().replace('.000Z', 'Z');
}

/** Writes the fixture ledger into `dir` through the real `appendSnapshot`. */
export async function writeSiteFixture(dir: string, options: FixtureOptions = {}): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  let previous: Snapshot['previous'] = null;
  for (let i = 0; i < FIXTURE_TIMES.length; i++) {
    const snapshot = buildSnapshot({ ...fixtureSnapshot(i, options), takenAt: FIXTURE_TIMES[i]!, previous });
    const { sha256 } = await appendSnapshot(dir, snapshot);
    previous = { id: snapshot.id, sha256 };
    out.push(snapshot);
  }
  const last = FIXTURE_TIMES.length - 1;
  for (let k = 1; k <= (options.quietDays ?? 0); k++) {
    const snapshot = buildSnapshot({ ...fixtureSnapshot(last, options), changes: [], takenAt: quietTime(k), previous });
    const { sha256 } = await appendSnapshot(dir, snapshot);
    previous = { id: snapshot.id, sha256 };
    out.push(snapshot);
  }
  return out;
}

function fixtureSnapshot(i: number, options: FixtureOptions): Partial<Snapshot> {
  const h = options.hostile === true;
  const text = (plain: string) => (h ? `${plain} ${HOSTILE}` : plain);
  const url = (plain: string) => (h ? HOSTILE_URL : plain);
  const person = (name: string) => (h ? `${name}${HOSTILE}` : name);
  const version = (v: string) => (h ? `${v}${HOSTILE}` : v);
  const takenAt = FIXTURE_TIMES[i]!;

  /** When (service, env) got its version at snapshot i: the time of the snapshot where it changed, +8h, + env offset. */
  const deployedAt = (service: string, env: Env, at: number): string => {
    const row = PLAN[service]![env];
    let k = at;
    while (k > 0 && row[k - 1] === row[at]) k--;
    const base = k === 0 ? Date.parse('2026-03-09T09:00:00Z') : Date.parse(FIXTURE_TIMES[k - 1]!) + 8 * 3_600_000;
    return new Date(base + FIXTURE_ENVIRONMENTS.indexOf(env) * 600_000).toISOString().replace('.000Z', 'Z');
  };
  /** First sighting of a commit in an environment, up to snapshot i. */
  const firstSeen = (service: string, env: Env, v: string): string | null => {
    for (let k = 0; k <= i; k++) if (PLAN[service]![env][k] === v) return deployedAt(service, env, k);
    return null;
  };

  const deployments: Deployment[] = [];
  const changes: Change[] = [];
  for (const service of Object.keys(PLAN).sort()) {
    for (const env of FIXTURE_ENVIRONMENTS) {
      const v = PLAN[service]![env][i]!;
      const commit = commitFor(`${service}-${v}`);
      const envIndex = FIXTURE_ENVIRONMENTS.indexOf(env);
      const previousEnv = envIndex > 0 ? FIXTURE_ENVIRONMENTS[envIndex - 1]! : null;
      const path = FIXTURE_ENVIRONMENTS.slice(0, envIndex + 1)
        .map((e) => ({ environment: e, at: firstSeen(service, e, v), source: 'github' }))
        .filter((s): s is { environment: Env; at: string; source: string } => s.at !== null);
      const prevSighting = previousEnv ? path.find((p) => p.environment === previousEnv) ?? null : null;
      const hotfix = service === 'payments-api' && v === '2.4.1';
      const deployer = hotfix ? 'carol' : env === 'prod' ? 'deploy-bot' : 'ci';
      const approvals: Approval[] =
        env === 'prod'
          ? hotfix
            ? [{ by: person('carol'), at: deployedAt(service, env, i), state: 'approved', kind: 'deployment', comment: text('urgent'), url: url('https://github.example/acme/payments-api/actions/runs/9') }]
            : [{ by: person('bob'), at: deployedAt(service, env, i), state: 'approved', kind: 'deployment', url: url('https://github.example/acme/runs/1') }]
          : [];
      deployments.push({
        service,
        environment: env,
        version: version(v),
        commit,
        ref: h ? `refs/heads/${HOSTILE}` : `refs/tags/v${v}`,
        // The image digest from the deployment payload; dev deploys branch builds and records none.
        ...(env === 'dev' ? {} : { artifact: h ? `sha256:${HOSTILE}` : `sha256:${createHash('sha256').update(`image:${service}-${v}`).digest('hex')}` }),
        deployedAt: deployedAt(service, env, i),
        deployedBy: hotfix && h ? person('carol') : deployer,
        source: 'github',
        url: url(`https://github.example/acme/${service}/deployments/${env}`),
        status: 'success',
        approvals,
        // GitHub environment protection: prod behind reviewers and a custom branch policy (its patterns are repository text), dev open.
        ...(env === 'prod'
          ? { protection: { requiredReviewers: [person('team:release-managers')], preventSelfReview: true, waitTimerMinutes: 5, branchPolicy: `custom: ${h ? `main, ${HOSTILE}` : 'main, release/*'}` } }
          : env === 'dev'
            ? { protection: { requiredReviewers: [], preventSelfReview: false, waitTimerMinutes: 0, branchPolicy: 'all' } }
            : {}),
        ...(service === 'payments-api' ? { components: { 'ledger-core': env === 'dev' || env === 'qa' ? '2.4.0' : '2.3.1' } } : {}),
        promotion: {
          previousEnvironment: previousEnv,
          previous: prevSighting ? { ...prevSighting } : null,
          path,
        },
      });
      const prs = PRS[`${service}@${v}`];
      if (prs) {
        const from = Math.max(0, i - 1);
        changes.push({
          service,
          environment: env,
          commit,
          version: version(v),
          fromCommit: i > 0 && PLAN[service]![env][from] !== v ? commitFor(`${service}-${PLAN[service]![env][from]}`) : null,
          fromVersion: i > 0 && PLAN[service]![env][from] !== v ? PLAN[service]![env][from]! : null,
          deployedAt: deployedAt(service, env, i),
          pullRequests: prs.map(([number, title, branch]) => ({
            number,
            title: text(title),
            author: person('dana'),
            mergedBy: person('erin'),
            mergedAt: '2026-03-08T12:00:00Z',
            reviewers: [person('frank')],
            branch: h ? `${branch}${HOSTILE}` : branch,
            url: url(`https://github.example/acme/${service}/pull/${number}`),
          })),
          tickets: prs.map((p) => p[3]).sort(),
          source: 'github',
        });
      }
    }
  }

  const configs: ConfigRecord[] = FIXTURE_ENVIRONMENTS.map((env) => {
    const password: StoredValue = { redacted: true, sha256: sha(`pw-${env}-${env === 'prod' && i >= 4 ? 'rotated' : 'v1'}`) };
    const values: Record<string, StoredValue> = {
      LOG_LEVEL: env === 'dev' ? 'debug' : 'info',
      REPLICAS: env === 'prod' ? 6 : 2,
      FEATURE_X: env === 'prod' ? 'off' : 'on',
      DB_PASSWORD: password,
      API_TOKEN: { redacted: true, sha256: sha('shared-token') },
      GITHUB_SECRET: { secret: true, updatedAt: '2026-03-01T00:00:00Z' },
    };
    if (h) values.NOTE = `${HOSTILE}${LONG}`;
    return { service: 'payments-api', environment: env, source: 'github', values, origin: `deploy/${env}/values.yaml`, ...(h ? { changedBy: person('gina') } : {}) };
  });

  const findings: Finding[] = [];
  const since = (k: number) => FIXTURE_TIMES[k]!;
  findings.push({
    id: 'dependency.incompatible/notifications/prod/auth-service',
    rule: 'dependency.incompatible',
    severity: 'high',
    service: 'notifications',
    environment: 'prod',
    message: text('notifications needs auth-service ^1.3.0 but prod runs 1.2.0'),
    resolution: text('promote auth-service 1.3.0 to prod, or relax the range'),
    evidence: { dependency: 'auth-service', range: '^1.3.0', running: '1.2.0', deployment: url('https://github.example/acme/auth-service/deployments/prod') },
    since: since(0),
  });
  if (i >= 4) {
    findings.push({
      id: 'promotion.bypass/payments-api/prod',
      rule: 'promotion.bypass',
      severity: 'critical',
      service: 'payments-api',
      environment: 'prod',
      message: text('payments-api 2.4.1 reached prod without passing staging'),
      resolution: 'promote the hotfix through staging, or record an exception',
      evidence: {
        commit: commitFor('payments-api-2.4.1'),
        version: version('2.4.1'),
        deployedAt: deployedAt('payments-api', 'prod', i),
        deployedBy: person('carol'),
        stagingFirstSeen: null,
        links: [url('https://github.example/acme/payments-api/deployments/prod'), 'https://github.example/acme/payments-api/pull/115'],
        record: { source: 'github', id: 991, note: text('deployment record') },
      },
      since: since(4),
    });
    findings.push({
      id: 'approval.self/payments-api/prod',
      rule: 'approval.self',
      severity: 'high',
      service: 'payments-api',
      environment: 'prod',
      message: text('the only approver of payments-api 2.4.1 in prod is its deployer, carol'),
      resolution: 'have a second person review the deployment',
      evidence: { approver: person('carol'), deployer: person('carol') },
      since: since(4),
    });
    findings.push({
      id: 'branch.not-merged-back/payments-api/hotfix/2.4.1',
      rule: 'branch.not-merged-back',
      severity: 'medium',
      service: 'payments-api',
      message: text('hotfix/2.4.1 has 2 commits not in main'),
      resolution: 'merge hotfix/2.4.1 back into main',
      evidence: { branch: h ? `hotfix/2.4.1${HOSTILE}` : 'hotfix/2.4.1', aheadBy: 2 },
      since: since(4),
    });
  }
  const exception = { rule: 'config.drift' as const, service: 'payments-api', environment: 'prod', reason: text('FEATURE_X stays off in prod until launch'), approvedBy: person('cto'), expires: '2026-03-12' };
  findings.push({
    id: h ? `config.drift/payments-api/prod/FEATURE_X${HOSTILE}` : 'config.drift/payments-api/prod/FEATURE_X',
    rule: 'config.drift',
    severity: 'medium',
    service: 'payments-api',
    environment: 'prod',
    message: text('FEATURE_X is "off" in prod but "on" in staging'),
    resolution: 'align FEATURE_X or declare it environment-specific',
    evidence: { key: 'FEATURE_X', prod: 'off', staging: 'on' },
    since: since(0),
    ...(takenAt.slice(0, 10) <= exception.expires ? { exception } : {}),
  });
  if (takenAt.slice(0, 10) > exception.expires)
    findings.push({
      id: 'exception.expired/payments-api/prod/config.drift',
      rule: 'exception.expired',
      severity: 'low',
      service: 'payments-api',
      environment: 'prod',
      message: 'the exception for config.drift on payments-api in prod expired on 2026-03-12',
      resolution: 'renew the exception or fix the finding',
      evidence: { expires: exception.expires, approvedBy: person('cto') },
      since: '2026-03-13T02:00:00Z',
    });
  if (i === 5)
    findings.push({
      id: 'drift.runtime/payments-api/prod',
      rule: 'drift.runtime',
      severity: 'high',
      service: 'payments-api',
      environment: 'prod',
      message: 'prod reports 2.4.0 running but 2.4.1 was deployed',
      resolution: 'check the rollout; restart stuck pods',
      evidence: { observed: '2.4.0', deployed: '2.4.1', url: 'https://payments.acme.example/version' },
      since: since(5),
    });
  const gaps = i === 3 ? [{ source: 'runtime', service: 'notifications', environment: 'prod', evidence: 'observed', reason: text('timeout after 5000 ms') }] : [];
  if (i === 3)
    findings.push({
      id: 'source.gap/notifications/prod',
      rule: 'source.gap',
      severity: 'low',
      service: 'notifications',
      environment: 'prod',
      message: 'no runtime evidence for notifications in prod',
      resolution: 'check the version endpoint',
      evidence: { source: 'runtime', reason: text('timeout after 5000 ms') },
      since: since(3),
    });

  return {
    name: h ? `Acme ${HOSTILE}` : 'Acme Payments',
    environments: [
      { name: 'dev', production: false, requiredApprovals: 0 },
      { name: 'qa', production: false, requiredApprovals: 0 },
      { name: 'staging', production: false, requiredApprovals: 0, description: text('pre-production') },
      { name: 'prod', production: true, requiredApprovals: 1 },
    ],
    services: [
      { name: 'auth-service', repo: 'acme/auth-service', owner: h ? `team-identity${HOSTILE}`.slice(0, 100) : 'team-identity', kind: 'service', sources: ['github'], dependsOn: {}, versionUrl: {}, configFiles: {}, envSpecificKeys: [], secretKeys: [] },
      { name: 'ledger-core', repo: 'acme/ledger-core', owner: 'team-payments', kind: 'library', sources: ['github'], dependsOn: {}, versionUrl: {}, configFiles: {}, envSpecificKeys: [], secretKeys: [] },
      { name: 'notifications', repo: 'acme/notifications', owner: 'team-comms', kind: 'service', sources: ['github', 'runtime'], dependsOn: { 'auth-service': '^1.3.0' }, versionUrl: {}, configFiles: {}, envSpecificKeys: [], secretKeys: [], ...(h ? { description: HOSTILE } : {}) },
      { name: 'payments-api', repo: 'acme/payments-api', owner: 'team-payments', kind: 'service', sources: ['github', 'runtime'], dependsOn: { 'ledger-core': '>=2.3.0 <3', 'auth-service': '^1.2.0' }, versionUrl: {}, configFiles: {}, envSpecificKeys: ['REPLICAS', 'LOG_LEVEL'], secretKeys: [] },
      { name: 'web-frontend', repo: 'acme/web-frontend', owner: 'team-web', kind: 'service', sources: ['github', 'gitops'], dependsOn: { 'payments-api': '^2.4.0', 'auth-service': '^1.2.0' }, versionUrl: {}, configFiles: {}, envSpecificKeys: [], secretKeys: [] },
    ],
    policies: { maxDriftDays: 14, secretKeys: ['*password*', '*token*', '*secret*'], ticketPattern: '[A-Z][A-Z0-9]+-[0-9]+', rules: {} },
    exceptions: [exception],
    sources: [
      { name: 'github', type: 'github' },
      { name: 'runtime', type: 'http' },
      { name: 'gitops', type: 'gitops' },
    ],
    deployments,
    observed: [
      {
        service: 'payments-api',
        environment: 'prod',
        version: i === 5 ? '2.4.0' : version(PLAN['payments-api']!.prod[i]!),
        commit: null,
        at: takenAt,
        source: 'runtime',
        url: url('https://payments.acme.example/version'),
      },
    ],
    declared: FIXTURE_ENVIRONMENTS.map((env) => ({
      service: 'web-frontend',
      environment: env,
      version: version(PLAN['web-frontend']!.prod[0] === PLAN['web-frontend']![env][i] ? PLAN['web-frontend']![env][i]! : PLAN['web-frontend']![env][i]!),
      file: `environments/${env}/web-frontend/values.yaml`,
      revision: commitFor(`gitops-${i}`),
      source: 'gitops',
    })),
    configs,
    branches: i >= 4 ? [{ service: 'payments-api', name: h ? `hotfix/2.4.1${HOSTILE}` : 'hotfix/2.4.1', aheadBy: 2, behindBy: 5, lastCommitAt: '2026-03-12T20:00:00Z', source: 'github' }] : [],
    changes,
    gaps,
    findings,
  };
}
