/** The site's view functions: what each page shows, computed from snapshots without Astro. */
import { describe, expect, it } from 'vitest';
import { buildChange, buildConfig, buildDeployment, buildFinding, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';
import { fingerprintSecret, secretKeyFrom, type SecretKey } from '../../src/model/index.ts';
import {
  approvalRows,
  buildLedgerIndex,
  prPresence,
  buildMatrix,
  buildSearchIndex,
  compareEnvironments,
  dayApprovals,
  type ApprovalRow,
  groupConfigDifferences,
  groupUnchangedSecrets,
  secretChangesNote,
  comparePairs,
  dayChanges,
  environmentGraph,
  blastRadius,
  evidenceRows,
  exceptionsInForce,
  findingAnchor,
  formatDuration,
  formatTime,
  groupDays,
  mermaidText,
  neighbourhood,
  ownerSummary,
  pageGraph,
  paths,
  rowAnchor,
  safeUrl,
  searchChanges,
  serviceTimeline,
  sortFindings,
  summariseFindings,
  toMermaid,
  windowStats,
  type LedgerIndex,
} from '../../src/views/index.ts';

const secret = (text: string) => ({ redacted: true as const, sha256: text.repeat(64).slice(0, 64) });

describe('format', () => {
  it('formats times in UTC, whatever the input offset', () => {
    expect(formatTime('2026-03-14T23:30:00+02:00')).toBe('2026-03-14 21:30 UTC');
    expect(formatTime(null)).toBe('—');
    // The no-Date shortcut for UTC times agrees with Date's formatting, and leaves what is not a time alone.
    for (const iso of ['2026-03-14T02:05:09Z', '2026-03-14T02:05:09.999Z', '2026-12-31T23:59Z', '2024-02-29T00:00:00Z']) {
      expect(formatTime(iso)).toBe(`${new Date(iso).toISOString().slice(0, 10)} ${new Date(iso).toISOString().slice(11, 16)} UTC`);
    }
    expect(formatTime('2026-13-01T00:00:00Z')).toBe('2026-13-01T00:00:00Z');
    expect(formatTime('not a time')).toBe('not a time');
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration(26 * 3_600_000 + 5 * 60_000)).toBe('26 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });

  it('lets only http(s) URLs become links', () => {
    expect(safeUrl('https://github.com/acme/x/pull/1')).toBe('https://github.com/acme/x/pull/1');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl(' JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,<script>')).toBeNull();
    expect(safeUrl('/relative')).toBeNull();
  });

  it('builds stable anchors and URLs', () => {
    expect(findingAnchor('promotion.bypass/payments-api/prod')).toBe('finding-promotion.bypass/payments-api/prod');
    expect(findingAnchor('config.drift/api/prod/A B"<')).toBe('finding-config.drift/api/prod/A~20B~22~3C');
    expect(rowAnchor('payments-api')).toBe('row-payments-api');
    expect(paths.compare('2026-03-14', 'qa', 'prod')).toBe('/days/2026-03-14/compare/qa...prod/');
    expect(paths.compare('2026-03-14', 'qa.', 'prod')).toBe('/days/2026-03-14/compare/qa....prod/');
    // A name with `...` would make `A...B` stand for two pairs: such a pair is `A/B`.
    expect(paths.compare('2026-03-14', 'x...y', 'prod')).toBe('/days/2026-03-14/compare/x...y/prod/');
    expect(paths.compare('2026-03-14', 'x', 'y...prod')).toBe('/days/2026-03-14/compare/x/y...prod/');
    expect(paths.snapshot('2026-03-14T020000Z', 'gzip')).toBe('/snapshots/2026-03-14T020000Z.json.gz');
    expect(paths.snapshot('2026-03-14T020000Z', 'json')).toBe('/snapshots/2026-03-14T020000Z.json');
  });
});

describe('days', () => {
  it('groups snapshots by UTC day; the last one of a day is the state at its end', () => {
    expect(groupDays(['2026-03-12T140000Z', '2026-03-10T020000Z', '2026-03-12T020000Z'])).toEqual([
      { date: '2026-03-10', ids: ['2026-03-10T020000Z'], lastId: '2026-03-10T020000Z' },
      { date: '2026-03-12', ids: ['2026-03-12T020000Z', '2026-03-12T140000Z'], lastId: '2026-03-12T140000Z' },
    ]);
  });
});

describe('matrix', () => {
  it('marks drift from the previous environment, runtime mismatches and gaps, in path order', () => {
    const s = buildSnapshot({
      deployments: [
        buildDeployment({ service: 'api', environment: 'dev', version: '1.1.0' }),
        buildDeployment({ service: 'api', environment: 'qa', version: '1.0.0' }),
        buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0' }),
        buildDeployment({ service: 'web', environment: 'dev', version: '1.0.0' }),
      ],
      observed: [{ service: 'api', environment: 'prod', version: '0.9.0', commit: null, at: '2026-03-14T02:00:00Z', source: 'http' }],
      gaps: [{ source: 'github', service: 'web', environment: 'qa', evidence: 'deployment', reason: 'HTTP 502' }],
      findings: [
        buildFinding({ service: 'api', environment: 'prod', severity: 'high' }),
        buildFinding({ id: 'x', service: 'api', environment: 'prod', severity: 'low' }),
        buildFinding({ id: 'drift.version/api/qa', rule: 'drift.version', service: 'api', environment: 'qa', severity: 'low' }),
      ],
    });
    const m = buildMatrix(s);
    expect(m.environments.map((e) => e.name)).toEqual(['dev', 'qa', 'prod']);
    const api = m.rows.find((r) => r.service === 'api')!;
    expect(api.cells.map((c) => c.status)).toEqual(['aligned', 'drift', 'mismatch']);
    expect(api.cells[1]!.previousVersion).toBe('1.1.0');
    expect(api.cells[1]!.driftDays).toEqual(expect.any(Number));
    expect(api.cells[0]!.driftDays).toBeNull();
    expect(api.cells[2]!.differences).toEqual(['observed (http) version 0.9.0 is not deployed version 1.0.0']);
    expect(api.cells[2]!.openFindings).toBe(2);
    // Without the drift.version finding, the same difference is within the allowed days: `differs`, not drift.
    expect(buildMatrix({ ...s, findings: [] }).rows.find((r) => r.service === 'api')!.cells.map((c) => c.status)).toEqual(['aligned', 'differs', 'mismatch']);
    expect(api.cells[2]!.worstSeverity).toBe('high');
    const web = m.rows.find((r) => r.service === 'web')!;
    expect(web.cells.map((c) => c.status)).toEqual(['aligned', 'gap', 'absent']);
    expect(web.attention).toBe(true);
  });
});

describe('findings', () => {
  it('puts open findings first, worst first, and counts excepted ones apart', () => {
    const exception = { rule: 'drift.version' as const, service: 'api', reason: 'r', approvedBy: 'cto', expires: '2026-03-20' };
    const findings = [
      buildFinding({ id: 'b', severity: 'low' }),
      buildFinding({ id: 'a', severity: 'critical', exception }),
      buildFinding({ id: 'c', severity: 'high' }),
    ];
    expect(sortFindings(findings).map((f) => f.id)).toEqual(['c', 'b', 'a']);
    const summary = summariseFindings(findings);
    expect(summary.openTotal).toBe(2);
    expect(summary.excepted).toBe(1);
    expect(summary.worst).toBe('high');
  });

  it('lays out evidence: links only for http(s), nested records as JSON text', () => {
    expect(evidenceRows({ url: 'javascript:alert(1)', link: 'https://x.example/1', list: ['a', 2], record: { a: 1 } })).toEqual([
      { key: 'link', value: { kind: 'link', text: 'https://x.example/1', href: 'https://x.example/1' } },
      { key: 'list', value: { kind: 'list', items: [{ kind: 'text', text: 'a' }, { kind: 'text', text: '2' }] } },
      { key: 'record', value: { kind: 'json', text: '{\n  "a": 1\n}' } },
      { key: 'url', value: { kind: 'text', text: 'javascript:alert(1)' } },
    ]);
  });

  it('lists exceptions in force on the snapshot day (expiry inclusive), never "today"', () => {
    const base = { rule: 'drift.version' as const, service: 'api', reason: 'r', approvedBy: 'cto' };
    const s = buildSnapshot({ takenAt: '2026-03-14T02:00:00Z', exceptions: [{ ...base, expires: '2026-03-13' }, { ...base, expires: '2026-03-14' }] });
    expect(exceptionsInForce(s).map((e) => e.expires)).toEqual(['2026-03-14']);
  });
});

describe('approvals', () => {
  it('tells approved, self-approved and missing approvals apart for production deployments', () => {
    const s = buildSnapshot({
      deployments: [
        buildDeployment({ service: 'api', environment: 'prod', deployedBy: 'alice', approvals: [{ by: 'bob', at: null, state: 'approved', kind: 'deployment' }] }),
        buildDeployment({ service: 'web', environment: 'prod', deployedBy: 'carol', approvals: [{ by: 'carol', at: null, state: 'approved', kind: 'deployment' }] }),
        buildDeployment({ service: 'api', environment: 'qa' }),
      ],
    });
    const rows = approvalRows(s);
    expect(rows.map((r) => [r.service, r.environment, r.status])).toEqual([
      ['api', 'prod', 'met'],
      ['web', 'prod', 'self'],
    ]);
    expect(approvalRows(buildSnapshot({ deployments: [buildDeployment({ service: 'api', environment: 'prod' })] }))[0]!.status).toBe('short');
  });
});

describe('day changes', () => {
  it('joins deployments that changed since the previous day with their pull requests, production first', () => {
    const previous = buildSnapshot({ takenAt: '2026-03-13T02:00:00Z' });
    const current = buildSnapshot({
      deployments: [
        buildDeployment({ service: 'api', environment: 'dev', version: '1.1.0' }),
        buildDeployment({ service: 'api', environment: 'qa' }),
        buildDeployment({ service: 'api', environment: 'prod', version: '1.1.0' }),
        buildDeployment({ service: 'web', environment: 'dev' }),
        buildDeployment({ service: 'web', environment: 'qa' }),
        buildDeployment({ service: 'web', environment: 'prod' }),
      ],
      configs: [{ service: 'api', environment: 'prod', source: 'github', values: { LOG_LEVEL: 'info', DB_HOST: 'db.prod.internal', DB_PASSWORD: secret('a') } }],
    });
    const record = buildChange({
      service: 'api',
      environment: 'prod',
      version: '1.1.0',
      pullRequests: [{ number: 7, title: 'PAY-1 fix', author: 'dana', mergedBy: 'erin', mergedAt: null, reviewers: [] }],
      tickets: ['PAY-1'],
    });
    const changes = dayChanges(current, previous, [record]);
    expect(changes.deployments.map((d) => [d.environment, d.service, d.from?.version, d.to?.version, d.production])).toEqual([
      ['prod', 'api', '1.0.0', '1.1.0', true],
      ['dev', 'api', '1.0.0', '1.1.0', false],
    ]);
    expect(changes.deployments[0]!.pullRequests.map((p) => p.number)).toEqual([7]);
    expect(changes.tickets).toEqual(['PAY-1']);
    expect(changes.configs.find((c) => c.key === 'DB_PASSWORD')).toMatchObject({ change: 'added', label: 'added (redacted)', to: '(redacted)' });
  });
});

describe('compare', () => {
  it('shows version differences, redacted values as changed/unchanged, and PRs one side has', () => {
    const s = buildSnapshot({
      deployments: [buildDeployment({ service: 'api', environment: 'qa', version: '1.1.0' }), buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0' })],
      configs: [
        { service: 'api', environment: 'qa', source: 'github', values: { A: 'x', PASS: secret('a'), TOKEN: secret('c'), 'K\u0000EY': secret('d') } },
        { service: 'api', environment: 'prod', source: 'github', values: { A: 'y', PASS: secret('b'), TOKEN: secret('c'), 'K\u0000EY': secret('d') } },
      ],
      changes: [buildChange({ service: 'api', environment: 'qa', version: '1.1.0', fromCommit: commitFor('api-1.0.0'), deployedAt: '2026-03-13T10:00:00Z', pullRequests: [{ number: 9, title: 't', author: 'a', mergedBy: null, mergedAt: null, reviewers: [] }] })],
    });
    const cmp = compareEnvironments(s, 'qa', 'prod', buildLedgerIndex([s]));
    expect(cmp.diff.services.map((r) => [r.service, r.status])).toEqual([['api', 'different']]);
    expect(cmp.diff.configs.map((c) => [c.key, c.redacted])).toEqual([
      ['A', false],
      ['PASS', true],
    ]);
    // A key may hold the NUL the view joins service and key with: it comes back whole.
    expect(cmp.unchangedSecrets).toEqual([{ service: 'api', key: 'K\u0000EY' }, { service: 'api', key: 'TOKEN' }]);
    // qa's record says 1.1.0 brought #9 since 1.0.0, the build prod runs.
    expect(cmp.pullRequests).toEqual([{ service: 'api', number: 9, title: 't', url: undefined, tickets: [], in: 'a' }]);
    expect(cmp.unknownPullRequests).toEqual([]);
    expect(comparePairs(['dev', 'qa', 'prod'], ['prod'])).toEqual([
      ['dev', 'qa'],
      ['dev', 'prod'],
      ['qa', 'prod'],
    ]);
  });
});

describe('graph', () => {
  const s = buildSnapshot({
    services: [
      { name: 'api', repo: 'acme/api', owner: 'team-a', sources: ['github'], dependsOn: { web: '^2.0.0', lib: '>=1.2.0' } },
      { name: 'web', repo: 'acme/web', owner: 'team-b', sources: ['github'] },
      { name: 'lib', kind: 'library', owner: 'team-b', sources: ['github'] },
      { name: 'ui', owner: 'team-c', sources: ['github'], dependsOn: { api: '^1.0.0' } },
    ],
    deployments: [
      buildDeployment({ service: 'api', environment: 'prod', components: { lib: '1.3.0' } }),
      buildDeployment({ service: 'web', environment: 'prod' }),
      buildDeployment({ service: 'ui', environment: 'prod' }),
    ],
  });

  it('marks incompatible edges using what runs (or is built in) in the environment', () => {
    const g = environmentGraph(s, 'prod');
    expect(g.edges.map((e) => [e.from, e.to, e.running, e.status])).toEqual([
      ['api', 'lib', '1.3.0', 'ok'],
      ['api', 'web', '1.0.0', 'incompatible'],
      ['ui', 'api', '1.0.0', 'ok'],
    ]);
    expect(neighbourhood(g, 'web').nodes.map((n) => n.name)).toEqual(['api', 'web']);
    expect(ownerSummary(g).edges.map((e) => [e.from, e.to, e.count, e.incompatibleCount])).toEqual([
      ['team-a', 'team-b', 2, 1],
      ['team-c', 'team-a', 1, 0],
    ]);
  });

  it('emits mermaid with safe ids and entity-encoded labels, and refuses past the edge limit', () => {
    expect(mermaidText('>=2.3.0 <3')).toBe('>=2.3.0 <3');
    expect(mermaidText('1.0"|x#;\n\u202E')).toBe('1.0#34;#124;x#35;#59;#10;#8238;');
    const hostile = environmentGraph(s, 'prod');
    hostile.nodes[0] = { ...hostile.nodes[0]!, version: '"]-->n9\nclick n0 call alert(1)' };
    const source = toMermaid(hostile)!;
    // The newline and quote are encoded, so the payload stays inside one label: no statement starts with `click`.
    expect(source.split('\n').filter((l) => /^\s*click\b/.test(l))).toEqual([]);
    expect(source.split('\n').filter((l) => l.includes('alert'))).toEqual(['  n0["api #34;]-->n9#10;click n0 call alert(1)"]']);
    expect(source).toContain('linkStyle 1 stroke:#d00');
    const big = { environment: 'prod', nodes: [], edges: Array.from({ length: 501 }, (_, i) => ({ from: `a${i}`, to: 'b', range: '*', running: null, status: 'unknown' as const })) };
    expect(toMermaid(big)).toBeNull();
    expect(pageGraph({ ...big, edges: big.edges.slice(0, 200) }).summary).toBe(true);
  });
});

describe('ledger index, stats and search', () => {
  const at = (day: number, hour = 2) => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
  const pr = (number: number, title: string) => ({ number, title, author: 'dana', mergedBy: 'erin', mergedAt: at(9), reviewers: [] });
  const snapshots = [
    buildSnapshot({ takenAt: at(10) }),
    buildSnapshot({
      takenAt: at(11),
      deployments: [
        buildDeployment({ service: 'api', environment: 'dev', version: '1.1.0', deployedAt: at(10, 12) }),
        buildDeployment({ service: 'api', environment: 'qa', version: '1.1.0', deployedAt: at(10, 18) }),
        buildDeployment({ service: 'api', environment: 'prod' }),
      ],
      changes: [
        buildChange({ service: 'api', environment: 'dev', version: '1.1.0', deployedAt: at(10, 12), pullRequests: [pr(5, 'PAY-5 thing')], tickets: ['PAY-5'] }),
        buildChange({ service: 'api', environment: 'qa', version: '1.1.0', deployedAt: at(10, 18), pullRequests: [pr(5, 'PAY-5 thing')], tickets: ['PAY-5'] }),
      ],
    }),
    buildSnapshot({
      takenAt: at(12),
      deployments: [
        buildDeployment({ service: 'api', environment: 'dev', version: '1.1.0', deployedAt: at(10, 12) }),
        buildDeployment({ service: 'api', environment: 'qa', version: '1.0.0', deployedAt: at(11, 9) }),
        buildDeployment({ service: 'api', environment: 'prod' }),
      ],
    }),
  ];
  const index = buildLedgerIndex(snapshots);

  it('records deployments, rollbacks and where each pull request ran', () => {
    expect(index.days.map((d) => [d.date, d.deployments])).toEqual([
      ['2026-03-10', 6],
      ['2026-03-11', 2],
      ['2026-03-12', 1],
    ]);
    const rollback = index.events.filter((e) => e.rollback);
    expect(rollback.map((e) => [e.environment, e.version, e.fromVersion])).toEqual([['qa', '1.0.0', '1.1.0']]);
    const entry = index.pullRequests[0]!;
    expect(entry.environments.dev).toEqual([{ since: at(10, 12), exact: true, until: null, version: '1.1.0', snapshot: '2026-03-11T020000Z' }]);
    expect(entry.environments.qa![0]!.until).toBe(at(11, 9));
    // qa went back to the build before the one that brought it; prod never left that build.
    expect(entry.now).toEqual({ dev: { presence: 'in', version: '1.1.0' }, qa: { presence: 'out', version: '1.0.0' }, prod: { presence: 'out', version: '1.0.0' } });
    const qa = serviceTimeline(index, 'api').find((t) => t.environment === 'qa')!;
    expect(qa.stretches.map((s) => [s.version, s.rollback, s.until])).toEqual([
      ['1.0.0', true, null],
      ['1.1.0', false, at(11, 9)],
      ['1.0.0', false, at(10, 18)],
    ]);
  });

  it('computes stats over a window ending at the newest snapshot, not the build time', () => {
    const w = windowStats(index, 7)!;
    expect(w.to).toBe(at(12));
    const qa = w.environments.find((e) => e.environment === 'qa')!;
    // The first qa deployment (2026-03-13 in the builder's defaults) is after the window's end, so it does not count.
    expect(qa).toMatchObject({ deployments: 2, rollbacks: 1 });
    expect(qa.leadTime).toEqual({ count: 1, median: 40 * 3_600_000, p90: 40 * 3_600_000 });
    expect(qa.stage).toEqual({ count: 1, median: 6 * 3_600_000, p90: 6 * 3_600_000 });
  });

  it('counts stage times from arrivals older than the longest window, and lead times only for arrivals inside it', () => {
    const event = (environment: string, commit: string, deployedAt: string) => ({
      service: 'api', environment, version: '1.0.0', commit, deployedAt, deployedBy: 'ci', fromVersion: null, fromCommit: null, snapshot: `${deployedAt.slice(0, 10)}T020000Z`, rollback: false,
    });
    const interval = (since: string) => [{ since, exact: true, until: null, version: '1.0.0', snapshot: `${since.slice(0, 10)}T020000Z` }];
    const long: LedgerIndex = {
      days: [], environments: ['qa', 'prod'], services: ['api'], lineage: [], since: null, asOf: '2026-06-30T00:00:00Z', organisation: 'acme',
      events: [event('qa', 'c0', '2025-12-01T00:00:00Z'), event('qa', 'c1', '2026-01-01T00:00:00Z'), event('prod', 'c1', '2026-06-29T00:00:00Z'), event('qa', 'c2', '2026-06-21T00:00:00Z')],
      pullRequests: [
        { service: 'api', number: 1, title: 'old', author: 'ann', url: undefined, branch: undefined, mergedAt: '2025-12-31T00:00:00Z', tickets: [], snapshot: '2026-01-01T020000Z', now: {}, environments: { qa: interval('2026-01-01T00:00:00Z'), prod: interval('2026-06-29T00:00:00Z') } },
        { service: 'api', number: 2, title: 'new', author: 'ann', url: undefined, branch: undefined, mergedAt: '2026-06-20T00:00:00Z', tickets: [], snapshot: '2026-06-21T020000Z', now: {}, environments: { qa: interval('2026-06-21T00:00:00Z') } },
      ],
    };
    const day = 86_400_000;
    const w90 = windowStats(long, 90)!;
    const [qa, prod] = w90.environments;
    expect(qa!.leadTime).toEqual({ count: 1, median: day, p90: day });
    expect(prod!.leadTime).toEqual({ count: 1, median: 180 * day, p90: 180 * day });
    // c1 reached qa half a year before the window; its prod arrival inside the window still counts from then.
    expect(prod!.stage).toEqual({ count: 1, median: 179 * day, p90: 179 * day });
    expect(windowStats(long, 7)!.environments[1]!.stage).toEqual({ count: 1, median: 179 * day, p90: 179 * day });
    expect(() => windowStats(long, 365)).toThrow(RangeError);
  });

  it('finds a pull request by number, ticket or words, and says where it is now', () => {
    const search = buildSearchIndex(index);
    const hit = { service: 'api', number: 5, title: 'PAY-5 thing', tickets: ['PAY-5'], environments: ['dev'] };
    expect(searchChanges(search, 'PAY-5')).toEqual([hit]);
    expect(searchChanges(search, 'api#5')).toEqual([hit]);
    expect(searchChanges(search, '#5')).toEqual([hit]);
    expect(searchChanges(search, 'thing')).toEqual([hit]);
    expect(searchChanges(search, 'web#5')).toEqual([]);
    expect(searchChanges(search, '   ')).toEqual([]);
  });
});

describe('immutability of past compare pages', () => {
  it('evidence recorded by a later snapshot does not change where a pull request was as of an earlier one', () => {
    const pr = { number: 7, title: 't', author: 'a', mergedBy: null, mergedAt: '2026-03-01T00:00:00Z', reviewers: [] };
    const first = buildSnapshot({ takenAt: '2026-03-04T02:00:00Z', deployments: [buildDeployment({ service: 'api', environment: 'qa', version: '1.1.0' })] });
    // Recorded on 03-05: prod deploys the same build and its change record names #7.
    const second = buildSnapshot({
      takenAt: '2026-03-05T02:00:00Z',
      deployments: [buildDeployment({ service: 'api', environment: 'qa', version: '1.1.0' }), buildDeployment({ service: 'api', environment: 'prod', version: '1.1.0', deployedAt: '2026-03-04T10:00:00Z' })],
      changes: [buildChange({ service: 'api', environment: 'prod', version: '1.1.0', fromCommit: commitFor('api-1.0.0'), deployedAt: '2026-03-04T10:00:00Z', pullRequests: [pr] })],
    });
    const index = buildLedgerIndex([first, second]);
    expect(prPresence(index, 'api', commitFor('api-1.1.0'), 7)).toBe('in');
    expect(prPresence(index, 'api', commitFor('api-1.0.0'), 7)).toBe('out');
    // As the 03-04 page knew it (and must keep showing it): nothing about #7.
    expect(prPresence(index, 'api', commitFor('api-1.1.0'), 7, first.id)).toBe('unknown');
    expect(compareEnvironments(first, 'qa', 'prod', index).pullRequests).toEqual([]);
  });
});

describe('compare page grouping', () => {
  it('lists undeclared differences value by value and groups the expected ones and matching secrets by key', () => {
    const row = (service: string, key: string, envSpecific: boolean, redacted = false) => ({ service, source: 'github', key, a: '1', b: '2', redacted, notComparable: null, envSpecific });
    const grouped = groupConfigDifferences([row('b', 'DATABASE_URL', true), row('a', 'DATABASE_URL', true), row('a', 'FLAG', false), row('c', 'TOKEN', true, true)]);
    expect(grouped.undeclared.map((c) => [c.service, c.key])).toEqual([['a', 'FLAG']]);
    expect(grouped.expected).toEqual([
      { key: 'DATABASE_URL', redacted: false, notComparable: null, services: ['a', 'b'] },
      { key: 'TOKEN', redacted: true, notComparable: null, services: ['c'] },
    ]);
    expect(groupUnchangedSecrets([{ service: 'z', key: 'K' }, { service: 'a', key: 'K' }, { service: 'a', key: 'B' }])).toEqual([
      { key: 'B', services: ['a'] },
      { key: 'K', services: ['a', 'z'] },
    ]);
  });
});

describe('day page approvals', () => {
  it('shows what arrived that day and what runs without required approvals; counts the rest per environment', () => {
    const row = (service: string, environment: string, status: ApprovalRow['status']) => ({ service, environment, status }) as ApprovalRow;
    const rows = [row('a', 'prod', 'met'), row('b', 'prod', 'met'), row('c', 'prod', 'short'), row('d', 'prod', 'self'), row('e', 'preprod', 'met')];
    const { shown, unchangedApproved } = dayApprovals(rows, new Set(['a\u0000prod']));
    expect(shown.map((r) => r.service)).toEqual(['a', 'c', 'd']);
    expect(unchangedApproved).toEqual({ prod: 1, preprod: 1 });
  });
});

describe('secrets that cannot be compared', () => {
  const keyA = secretKeyFrom('views-ledger-key-A-0123456789abcdefghijkl')!;
  const keyB = secretKeyFrom('views-ledger-key-B-0123456789abcdefghijkl')!;
  const withSecret = (takenAt: string, key: SecretKey | null, value: string, environment = 'prod') =>
    buildSnapshot({
      takenAt,
      secretFingerprints: { keyId: key?.id ?? null },
      configs: [buildConfig({ service: 'api', environment, values: { DB_PASSWORD: fingerprintSecret('api', 'DB_PASSWORD', value, key) } })],
    });

  it('a day page says what cannot be known: no key, a rotation, the first keyed night after plain hashes; nothing when every change is visible', () => {
    expect(secretChangesNote(withSecret('2026-03-14T02:00:00Z', null, 'x'), null)).toContain('whether a secret changed cannot be known');
    const a = withSecret('2026-03-13T02:00:00Z', keyA, 'x');
    expect(secretChangesNote(withSecret('2026-03-14T02:00:00Z', keyA, 'y'), a)).toBeNull();
    expect(secretChangesNote(withSecret('2026-03-14T02:00:00Z', keyB, 'x'), a)).toContain(`key ${keyA.id} → ${keyB.id}`);
    const legacy = buildSnapshot({ takenAt: '2026-03-13T02:00:00Z' });
    expect(secretChangesNote(withSecret('2026-03-14T02:00:00Z', keyA, 'x'), legacy)).toContain('holds plain hashes');
  });

  it('a rotation lists no secret as changed; one key shows a real change', () => {
    const a = withSecret('2026-03-13T02:00:00Z', keyA, 'x');
    expect(dayChanges(withSecret('2026-03-14T02:00:00Z', keyB, 'y'), a, []).configs).toEqual([]);
    expect(dayChanges(withSecret('2026-03-14T02:00:00Z', keyA, 'y'), a, []).configs.map((c) => c.label)).toEqual(['changed (redacted)']);
  });

  it('compare pages: secrets with no fingerprint are not comparable, never "the same" or "different"', () => {
    const s = buildSnapshot({
      secretFingerprints: { keyId: null },
      configs: ['qa', 'prod'].map((environment) => buildConfig({ service: 'api', environment, values: { DB_PASSWORD: fingerprintSecret('api', 'DB_PASSWORD', 'same', null) } })),
    });
    const cmp = compareEnvironments(s, 'qa', 'prod');
    expect(cmp.diff.configs.map((c) => [c.key, c.notComparable])).toEqual([['DB_PASSWORD', 'no common fingerprint']]);
    expect(cmp.unchangedSecrets).toEqual([]);
  });
});

describe('compare pages claim a secret matches only with a fingerprint of both values', () => {
  const key = secretKeyFrom('compare-ledger-key-0123456789abcdefghijklm')!;
  const snapshotWith = (qa: Record<string, unknown>, prod: Record<string, unknown>) =>
    buildSnapshot({
      configs: [buildConfig({ service: 'api', environment: 'qa', values: qa as never }), buildConfig({ service: 'api', environment: 'prod', values: prod as never })],
    });

  it('GitHub-style secrets (names and update times only) are "not comparable (values never read)", never "unchanged"', () => {
    const s = snapshotWith({ DB_PASSWORD: { secret: true, updatedAt: '2026-03-01T00:00:00Z' } }, { DB_PASSWORD: { secret: true, updatedAt: '2026-03-01T00:00:00Z' } });
    const cmp = compareEnvironments(s, 'qa', 'prod');
    expect(cmp.unchangedSecrets).toEqual([]);
    expect(cmp.diff.configs.map((c) => [c.key, c.notComparable])).toEqual([['DB_PASSWORD', 'values never read']]);
  });

  it('fingerprinted values: equal ones match, different ones differ', () => {
    const f = (v: string) => fingerprintSecret('api', 'DB_PASSWORD', v, key);
    const same = compareEnvironments(snapshotWith({ DB_PASSWORD: f('x') }, { DB_PASSWORD: f('x') }), 'qa', 'prod');
    expect(same.unchangedSecrets).toEqual([{ service: 'api', key: 'DB_PASSWORD' }]);
    expect(same.diff.configs).toEqual([]);
    const different = compareEnvironments(snapshotWith({ DB_PASSWORD: f('x') }, { DB_PASSWORD: f('y') }), 'qa', 'prod');
    expect(different.unchangedSecrets).toEqual([]);
    expect(different.diff.configs.map((c) => [c.key, c.redacted, c.notComparable])).toEqual([['DB_PASSWORD', true, null]]);
  });
});

describe('a gap is unknown in the graphs and the blast radius', () => {
  const s = buildSnapshot({
    services: [
      { name: 'api', kind: 'service', dependsOn: {}, envSpecificKeys: [], sources: ['inventory'] },
      { name: 'hooks', kind: 'service', dependsOn: { api: '^1.0.0' }, envSpecificKeys: [], sources: ['inventory'] },
      { name: 'web', kind: 'service', dependsOn: { api: '^1.0.0' }, envSpecificKeys: [], sources: ['inventory'] },
    ],
    deployments: [buildDeployment({ service: 'api', environment: 'prod', version: '1.2.0', source: 'inventory' })],
    gaps: [{ source: 'inventory', service: 'hooks', evidence: 'all', reason: 'inventory/hooks.yaml: not YAML' }],
  });

  it('a service whose source failed is drawn unknown, a service with no record not deployed', () => {
    const graph = environmentGraph(s, 'prod');
    expect(graph.nodes.map((n) => [n.name, n.version, n.unknown ?? false])).toEqual([
      ['api', '1.2.0', false],
      ['hooks', null, true],
      ['web', null, false],
    ]);
    const mermaid = toMermaid(graph)!;
    expect(mermaid).toContain('hooks (unknown: evidence missing)');
    expect(mermaid).toContain('web (not deployed)');
  });

  it('the blast radius keeps a dependent whose deployment is unknown, and drops one not deployed', () => {
    const prod = blastRadius(s, 'api').find((e) => e.environment === 'prod')!;
    expect(prod.dependents.map((d) => [d.service, d.unknown ?? false])).toEqual([['hooks', true]]);
  });
});
