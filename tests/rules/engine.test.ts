import { describe, expect, it } from 'vitest';
import { RULE_IDS, SEVERITIES } from '../../src/model/config.ts';
import { snapshotSchema, type Snapshot } from '../../src/model/snapshot.ts';
import { DEFAULT_SEVERITIES, RULE_DOCS, RULES_VERSION, evaluateRules, exceptionStatus, isOpen, meetsSeverity, type DraftSnapshot } from '../../src/rules/index.ts';
import { cleanWorld, day, days, dep, draftOf, only, sha, take, withDeployment } from './world.ts';

const world = cleanWorld();
/** prod api deployed with no approval: approval.missing (high) on api/prod. */
const unapproved = withDeployment(world.deployments!, dep('api', 'prod', '1.0.0', { approvals: [] }));
const exception = (expires: string, environment: string | undefined = 'prod') => ({
  rule: 'approval.missing' as const,
  service: 'api',
  ...(environment ? { environment } : {}),
  reason: 'break-glass release during incident INC-7',
  approvedBy: 'cto',
  expires,
});

describe('exceptions', () => {
  it('silence exactly the finding they name through the end of their expiry day (UTC), and keep it listed', () => {
    const s = take({ ...world, deployments: unapproved, exceptions: [exception('2026-03-05')], takenAt: '2026-03-05T23:59:59Z' });
    const [f] = only(s, 'approval.missing');
    expect(f!.exception).toEqual(exception('2026-03-05'));
    expect(isOpen(f!)).toBe(false);
    expect(only(s, 'exception.expired')).toEqual([]);
    expect(exceptionStatus(s)).toEqual([{ exception: exception('2026-03-05'), inForce: true, findings: ['approval.missing/api/prod'] }]);
  });

  it('once past, the finding is open again and exception.expired is raised with the exception as evidence', () => {
    const s = take({ ...world, deployments: unapproved, exceptions: [exception('2026-03-05')], takenAt: '2026-03-06T00:00:00Z' });
    expect(isOpen(only(s, 'approval.missing')[0]!)).toBe(true);
    const [e] = only(s, 'exception.expired');
    expect(e!.id).toBe('exception.expired/api/prod/approval.missing');
    expect(e!.severity).toBe('medium');
    expect(e!.message).toBe('The exception for approval.missing on api in prod (approved by cto: "break-glass release during incident INC-7") expired at the end of 2026-03-05; 1 finding is open again.');
    expect(e!.evidence).toEqual({ exception: exception('2026-03-05'), expiredAt: '2026-03-05T23:59:59.999Z', findings: ['approval.missing/api/prod'] });
  });

  it('an exception without environment covers every environment; one for another environment covers nothing', () => {
    const all = take({ ...world, deployments: unapproved, exceptions: [exception('2026-12-31', undefined)], takenAt: day(2) });
    expect(only(all, 'approval.missing').every((f) => f.exception !== undefined)).toBe(true);
    const other = take({ ...world, deployments: unapproved, exceptions: [exception('2026-12-31', 'qa')], takenAt: day(2) });
    expect(only(other, 'approval.missing')[0]!.exception).toBeUndefined();
  });

  it('an exception in force that matches nothing raises nothing', () => {
    const s = take({ ...world, exceptions: [exception('2026-12-31')], takenAt: day(2) });
    expect(s.findings).toEqual([]);
  });
});

describe('severities and switches', () => {
  it('policies override a rule\'s severity and can disable it', () => {
    const raised = take({ ...world, deployments: unapproved, policies: { rules: { 'approval.missing': { severity: 'critical' } } }, takenAt: day(2) });
    expect(only(raised, 'approval.missing')[0]!.severity).toBe('critical');
    const off = take({ ...world, deployments: unapproved, policies: { rules: { 'approval.missing': { enabled: false } } }, takenAt: day(2) });
    expect(off.findings).toEqual([]);
  });

  it('meetsSeverity compares lowest first; isOpen ignores silenced findings', () => {
    const f = take({ ...world, deployments: unapproved, takenAt: day(2) }).findings[0]!;
    expect([meetsSeverity(f, 'medium'), meetsSeverity(f, 'high'), meetsSeverity(f, 'critical')]).toEqual([true, true, false]);
    expect(isOpen(f)).toBe(true);
  });

  it('every rule has a default severity and documentation', () => {
    for (const rule of RULE_IDS) {
      expect(SEVERITIES).toContain(DEFAULT_SEVERITIES[rule]);
      expect(RULE_DOCS[rule].title.length).toBeGreaterThan(5);
      expect(RULE_DOCS[rule].why.length).toBeGreaterThan(40);
      expect(RULE_DOCS[rule].resolve.length).toBeGreaterThan(30);
    }
    expect(RULES_VERSION).toMatch(/^\d{4}\.\d{2}\.\d+$/);
  });
});

describe('ids, since and order', () => {
  it('keeps the id of the same problem across days and carries its since', () => {
    const snaps = days([2, 3, 4].map((d) => ({ ...world, deployments: unapproved, takenAt: day(d) })));
    const ids = snaps.map((s) => only(s, 'approval.missing').map((f) => [f.id, f.since]));
    expect(ids).toEqual([
      [['approval.missing/api/prod', day(2)]],
      [['approval.missing/api/prod', day(2)]],
      [['approval.missing/api/prod', day(2)]],
    ]);
  });

  it('a problem that went away and came back starts a new since', () => {
    const snaps = days([
      { ...world, deployments: unapproved, takenAt: day(2) },
      { ...world, takenAt: day(3) },
      { ...world, deployments: unapproved, takenAt: day(4) },
    ]);
    expect(only(snaps[2]!, 'approval.missing')[0]!.since).toBe(day(4));
  });

  it('ids are URL-safe and unique even when details slugify alike', () => {
    const branch = (name: string) => ({ service: 'api', name, aheadBy: 1, behindBy: 0, lastCommitAt: null, source: 'github' });
    const s = take({ ...world, branches: [branch('release/2.4'), branch('release-2.4'), branch('hotfix/ü ñ')], takenAt: day(2) });
    const ids = s.findings.map((f) => f.id);
    expect(ids).toEqual(['branch.not-merged-back/api/_/hotfix', 'branch.not-merged-back/api/_/release-2.4', 'branch.not-merged-back/api/_/release-2.4-2']);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._\/-]+$/);
  });

  it('sorts by severity (highest first), then rule, then id, whatever the input order', () => {
    const gaps = [{ source: 'github', service: 'web', environment: 'qa', evidence: 'config', reason: 'x' }];
    const s = take({ ...world, deployments: unapproved, gaps, branches: [{ service: 'api', name: 'release/1', aheadBy: 1, behindBy: 0, lastCommitAt: null, source: 'github' }], takenAt: day(2) });
    expect(s.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['high approval.missing', 'low branch.not-merged-back', 'low source.gap']);
    const draft = draftOf({ ...world, deployments: [...unapproved].reverse(), gaps, branches: s.branches, takenAt: day(2) });
    expect(evaluateRules({ draft, previous: null })).toEqual(s.findings);
  });
});

describe('findings are frozen data', () => {
  it('re-evaluating an old snapshot with changed rules does not alter its stored findings', () => {
    const [old] = days([{ ...world, deployments: unapproved, takenAt: day(2) }]);
    const stored = JSON.parse(JSON.stringify(old)) as unknown;
    const readBack = snapshotSchema.parse(stored);
    // Today the policy disables the rule and raises another's severity: evaluating again gives other findings…
    const { findings: _f, ...draft } = readBack;
    const changed: DraftSnapshot = { ...draft, policies: { ...draft.policies, rules: { 'approval.missing': { enabled: false } } } };
    expect(evaluateRules({ draft: changed, previous: null })).toEqual([]);
    // …but the snapshot as stored keeps the findings frozen when it was taken, and evaluation mutated nothing.
    expect(readBack.findings).toEqual(old!.findings);
    expect(readBack.findings.map((f) => [f.id, f.severity])).toEqual([['approval.missing/api/prod', 'high']]);
    expect(readBack).toEqual(snapshotSchema.parse(stored));
  });

  it('is pure: same inputs, same findings, inputs untouched', () => {
    const prev = take({ ...world, takenAt: day(2) });
    const draft = draftOf({ ...world, deployments: withDeployment(unapproved, dep('api', 'qa', '1.1.0', { deployedAt: day(2, '12:00:00') })), takenAt: day(3) }, prev);
    const before = JSON.stringify([draft, prev]);
    const a = evaluateRules({ draft, previous: prev });
    expect(evaluateRules({ draft, previous: prev })).toEqual(a);
    expect(JSON.stringify([draft, prev])).toBe(before);
    const full: Snapshot = { ...draft, findings: a };
    expect(snapshotSchema.safeParse(full).success).toBe(true);
    expect(a.map((f) => f.id)).toContain(`promotion.bypass/api/qa/${sha('api-1.1.0').slice(0, 7)}`);
  });
});
