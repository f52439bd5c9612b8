/**
 * Where a pull request is: in an environment when the build running there
 * contains it, not in it only when the ledger's evidence places it elsewhere,
 * unknown otherwise (docs/pull-requests.md). The property over generated
 * histories is a reliability case (tests/reliability/pull-requests.test.ts);
 * here: a cross-check of every where-is-my-change cell of a generated ledger
 * against a plain reading of the raw snapshot JSON, and fixed examples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/model/index.ts';
import { buildLedgerIndex, compareEnvironments, prPresence, pullRequestsWhereHtml, UNKNOWN_PULL_REQUESTS_NAMED, unknownPullRequestsHtml, type LedgerIndex } from '../../src/views/index.ts';
import { ENVIRONMENTS, generate, history, plainPresence, step } from '../helpers/pr-histories.ts';
import { buildChange, buildDeployment, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

describe('where a pull request is: the build running there contains it', () => {
  it('cross-check: where-is-my-change on a generated ledger equals a plain reading of the raw snapshot JSON', () => {
    const h = fc.sample(history, { numRuns: 1, seed: 7 })[0]!;
    const long = { ...h, nights: [...h.nights, ...fc.sample(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), step), { minLength: 1, maxLength: 4 }), { numRuns: 20, seed: 8 })] };
    const { snapshots } = generate(long);
    const raw = JSON.parse(JSON.stringify(snapshots));
    const index = buildLedgerIndex(snapshots);
    const plain = plainPresence(raw, snapshots.at(-1)!.id);
    const last = raw.at(-1);
    let cells = 0;
    for (const pr of index.pullRequests)
      for (const d of last.deployments.filter((x: Deployment) => x.service === pr.service)) {
        cells++;
        expect([pr.service, pr.number, d.environment, pr.now[d.environment]!.presence]).toEqual([pr.service, pr.number, d.environment, plain.presence(pr.service, d.commit, pr.number)]);
      }
    expect(cells).toBeGreaterThan(50);
  });
});

describe('fixed examples', () => {
  const pr = (number: number, merged: string) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: merged, reviewers: [] });
  const world = {
    environments: ENVIRONMENTS.map((name) => ({ name, production: name === 'prod', requiredApprovals: 0 })),
    services: [{ name: 'payout-service', repo: 'acme/payout', sources: ['github'] }],
    configs: [],
  };
  const deploy = (environment: string, version: string, deployedAt: string) => buildDeployment({ service: 'payout-service', environment, version, deployedAt });
  const change = (environment: string, version: string, from: string | null, deployedAt: string, prs: ReturnType<typeof pr>[]) =>
    buildChange({ service: 'payout-service', environment, version, fromCommit: from && commitFor(`payout-service-${from}`), fromVersion: from, deployedAt, pullRequests: prs });

  // Before the ledger: dev, qa and staging run 2.13.0, prod 2.12.0; the first snapshot's records name only their last step.
  const first = buildSnapshot({
    ...world,
    takenAt: '2026-09-01T22:30:00Z',
    deployments: [deploy('dev', '2.13.0', '2026-08-30T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.13.0', '2026-08-31T09:00:00Z'), deploy('prod', '2.12.0', '2026-08-20T09:00:00Z')],
    changes: [change('staging', '2.13.0', '2.12.0', '2026-08-31T09:00:00Z', [pr(40, '2026-08-29T10:00:00Z')])],
  });
  // Prod catches up with staging: its record names 2.12.0 → 2.13.0's pull request, and three merged long before the ledger
  // (GitHub's compare from prod's previous deployment, 2.10.0, which the ledger never saw there).
  const second = buildSnapshot({
    ...world,
    takenAt: '2026-09-02T22:30:00Z',
    deployments: [deploy('dev', '2.13.0', '2026-08-30T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.13.0', '2026-08-31T09:00:00Z'), deploy('prod', '2.13.0', '2026-09-02T14:52:00Z')],
    changes: [change('prod', '2.13.0', '2.10.0', '2026-09-02T14:52:00Z', [pr(31, '2026-07-01T10:00:00Z'), pr(32, '2026-07-02T10:00:00Z'), pr(33, '2026-07-03T10:00:00Z'), pr(40, '2026-08-29T10:00:00Z')])],
  });
  const index: LedgerIndex = buildLedgerIndex([first, second]);

  it('the same build in both: no pull request only in one, nor unknown', () => {
    const cmp = compareEnvironments(second, 'staging', 'prod', index);
    expect(cmp.diff.services.map((s) => s.status)).toEqual(['same']);
    expect(cmp.pullRequests).toEqual([]);
    expect(cmp.unknownPullRequests).toEqual([]);
    // The night before, prod still ran 2.12.0: staging's record places #40 after it.
    expect(compareEnvironments(first, 'staging', 'prod', index).pullRequests.map((p) => [p.number, p.in])).toEqual([[40, 'a']]);
  });

  it('a pull request merged before the ledger is in the environments whose build contains it, and the page says so', () => {
    const where = (n: number) => index.pullRequests.find((p) => p.number === n)!.now;
    // 2.13.0 contains #31 (prod's record), and every environment runs 2.13.0.
    expect(Object.values(where(31)).map((p) => p.presence)).toEqual(['in', 'in', 'in', 'in']);
    const html = pullRequestsWhereHtml(index.pullRequests, ENVIRONMENTS).value;
    expect(html).not.toContain('<td>—</td>');
    expect(html).toContain('✓ since 2026-08-30 10:00 UTC or earlier (2.13.0)');
  });

  it('a pull request merged before the ledger, on a build no record places it in or after: unknown (before the ledger)', () => {
    // Dev moves to 2.14.0 without a change record; prod rolls back to 2.12.0, which ran there before.
    const third = buildSnapshot({
      ...world,
      takenAt: '2026-09-03T22:30:00Z',
      deployments: [deploy('dev', '2.14.0', '2026-09-03T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.11.0', '2026-09-03T11:00:00Z'), deploy('prod', '2.12.0', '2026-09-03T15:00:00Z')],
    });
    const later = buildLedgerIndex([first, second, third]);
    const where = later.pullRequests.find((p) => p.number === 31)!.now;
    // dev's 2.14.0 replaced 2.13.0 going forward; staging went back to 2.11.0, a build no record places #31 in or after.
    expect(where.dev).toEqual({ presence: 'in', version: '2.14.0' });
    expect(where.staging).toEqual({ presence: 'unknown', version: '2.11.0', why: 'before the ledger' });
    // prod's 2.12.0: #40 came after it (staging's record), #31 is older than the ledger and no record says.
    expect(prPresence(later, 'payout-service', commitFor('payout-service-2.12.0'), 40)).toBe('out');
    expect(where.prod).toEqual({ presence: 'unknown', version: '2.12.0', why: 'before the ledger' });
    const html = pullRequestsWhereHtml(later.pullRequests.filter((p) => p.number === 31), ENVIRONMENTS).value;
    expect(html).toContain('<span class="muted">unknown (before the ledger)</span>');
    const cmp = compareEnvironments(third, 'dev', 'prod', later);
    expect(cmp.unknownPullRequests.map((p) => [p.number, p.a, p.b, p.why])).toEqual([
      [31, 'in', 'unknown', 'before the ledger'],
      [32, 'in', 'unknown', 'before the ledger'],
      [33, 'in', 'unknown', 'before the ledger'],
    ]);
    expect(cmp.pullRequests.map((p) => [p.number, p.in])).toEqual([[40, 'a']]);
  });

  it('the unknown section: a group per side and reason, a row per service, titles escaped', () => {
    const u = (number: number, a: 'in' | 'out' | 'unknown', b: 'in' | 'out' | 'unknown', why: 'before the ledger' | 'no record links this build to it') => ({ service: 'api', number, title: `<b>${number}</b>`, url: 'javascript:x', tickets: [], a, b, why });
    const out = unknownPullRequestsHtml([u(1, 'in', 'unknown', 'before the ledger'), u(2, 'in', 'unknown', 'before the ledger'), u(3, 'unknown', 'out', 'no record links this build to it')], 'qa', 'prod', () => '/h/').value;
    expect(out).toContain('(3, not counted as in one only)');
    expect(out).toContain('<tbody><tr><th colspan="3" scope="rowgroup">Unknown in prod (before the ledger)</th></tr><tr><td>api</td><td>2</td>');
    expect(out).toContain('<tbody><tr><th colspan="3" scope="rowgroup">Unknown in qa (no record links this build to it)</th></tr><tr><td>api</td><td>1</td>');
    expect(out).not.toContain('<b>');
    expect(out).not.toContain('javascript:');
    expect(unknownPullRequestsHtml([], 'qa', 'prod', () => '/').value).toBe('');
  });

  it('names the newest unknown ones of a service and side, counts them all, and links its history for the rest', () => {
    const many = Array.from({ length: UNKNOWN_PULL_REQUESTS_NAMED + 4 }, (_, i) => ({ service: 'api', number: i + 1, title: `change ${i + 1}`, url: undefined, tickets: [], a: 'in' as const, b: 'unknown' as const, why: 'before the ledger' as const }));
    const out = unknownPullRequestsHtml(many, 'qa', 'prod', (service) => `/services/${service}/`).value;
    expect(out).toContain(`<td>${many.length}</td>`);
    const named = [...out.matchAll(/<li>#(\d+) /g)].map((m) => Number(m[1]));
    expect(named).toEqual(many.map((p) => p.number).sort((x, y) => y - x).slice(0, UNKNOWN_PULL_REQUESTS_NAMED));
    expect(out).toContain('<a href="/services/api/">4 more in its history</a>');
  });

  it('says why it cannot tell: before the ledger (of that service), or no record links the build', () => {
    const pr = (number: number) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: '2026-03-11T01:00:00Z', reviewers: [] });
    const services = [{ name: 'api', repo: 'acme/api', sources: ['github'] }, { name: 'late', repo: 'acme/late', sources: ['github'] }];
    const d = (service: string, environment: string, version: string, deployedAt: string) => buildDeployment({ service, environment, version, deployedAt });
    const base = [d('api', 'qa', '1.0.0', '2026-03-09T10:00:00Z'), d('api', 'prod', '1.0.0', '2026-03-09T10:00:00Z')];
    const s1 = buildSnapshot({ takenAt: '2026-03-10T22:30:00Z', services: services.slice(0, 1), configs: [], deployments: [d('api', 'dev', '1.0.0', '2026-03-09T10:00:00Z'), ...base] });
    // The service `late` is recorded from 03-12 on; its prod build was deployed on 03-11, before the ledger knew it.
    const s2 = buildSnapshot({
      takenAt: '2026-03-12T22:30:00Z',
      services,
      configs: [],
      deployments: [d('api', 'dev', '1.2.0', '2026-03-11T10:00:00Z'), ...base, d('late', 'dev', '1.1.0', '2026-03-12T10:00:00Z'), d('late', 'prod', '1.0.0', '2026-03-11T10:00:00Z')],
      changes: [
        buildChange({ service: 'api', environment: 'dev', version: '1.2.0', fromCommit: commitFor('api-1.0.0'), deployedAt: '2026-03-11T10:00:00Z', pullRequests: [pr(7)] }),
        buildChange({ service: 'late', environment: 'dev', version: '1.1.0', fromCommit: commitFor('late-1.0.5'), deployedAt: '2026-03-12T10:00:00Z', pullRequests: [pr(9)] }),
      ],
    });
    // dev goes back to 1.1.0, a build it never ran: nothing links it to #7.
    const s3 = buildSnapshot({ ...s2, id: undefined, previous: null, takenAt: '2026-03-13T22:30:00Z', deployments: [d('api', 'dev', '1.1.0', '2026-03-13T10:00:00Z'), ...s2.deployments.filter((x) => !(x.service === 'api' && x.environment === 'dev'))], changes: [] });
    const index = buildLedgerIndex([s1, s2, s3]);
    const where = (service: string, n: number) => index.pullRequests.find((p) => p.service === service && p.number === n)!.now;
    expect(where('api', 7).dev).toEqual({ presence: 'unknown', version: '1.1.0', why: 'no record links this build to it' });
    expect(where('api', 7).qa).toEqual({ presence: 'out', version: '1.0.0' });
    expect(where('late', 9).prod).toEqual({ presence: 'unknown', version: '1.0.0', why: 'before the ledger' });
  });
});
