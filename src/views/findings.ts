/** Findings as pages show them: ordered, counted, with their evidence laid out. */
import { SEVERITIES, type ExceptionConfig, type Finding, type Severity, type Snapshot } from '../model/index.ts';
import { inForce, isOpen } from '../model/exception.ts';
import { compareText, safeUrl } from './format.ts';

/** Higher is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Open findings first, then worst severity first, then by id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(!isOpen(a)) - Number(!isOpen(b)) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.id, b.id),
  );
}

export interface FindingSummary {
  /** Open (not excepted) findings per severity. */
  open: Record<Severity, number>;
  openTotal: number;
  /** Findings silenced by an exception in force. */
  excepted: number;
  /** The worst open severity, or null when nothing is open. */
  worst: Severity | null;
}

export function summariseFindings(findings: readonly Finding[]): FindingSummary {
  const open = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let excepted = 0;
  let worst: Severity | null = null;
  for (const f of findings) {
    if (!isOpen(f)) {
      excepted++;
      continue;
    }
    open[f.severity]++;
    if (worst === null || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  }
  return { open, openTotal: findings.length - excepted, excepted, worst };
}

/** Icons that carry the severity without colour (colour-blind readers, print). */
export const SEVERITY_ICON: Record<Severity, string> = { info: 'ℹ', low: '▽', medium: '◆', high: '▲', critical: '⛔' };

/** Whether a finding's evidence is shown open: closed for info and low, which a reader opens when they care. */
export function evidenceOpen(severity: Severity): boolean {
  return severityRank(severity) > severityRank('low');
}

/** One piece of evidence, typed for rendering: components choose markup by `kind`. */
export type EvidenceValue =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'list'; items: EvidenceValue[] }
  | { kind: 'json'; text: string };

export interface EvidenceRow {
  key: string;
  value: EvidenceValue;
}

/** A finding's evidence record as rows; URLs become links only when they are http(s). */
export function evidenceRows(evidence: Record<string, unknown>): EvidenceRow[] {
  return Object.keys(evidence)
    .sort()
    .map((key) => ({ key, value: evidenceValue(evidence[key]) }));
}

function evidenceValue(value: unknown): EvidenceValue {
  if (value === null || value === undefined) return { kind: 'text', text: '—' };
  if (typeof value === 'string') {
    const href = /^https?:\/\//i.test(value) ? safeUrl(value) : null;
    return href ? { kind: 'link', text: value, href } : { kind: 'text', text: value };
  }
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'text', text: String(value) };
  if (Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)))
    return { kind: 'list', items: value.map(evidenceValue) };
  return { kind: 'json', text: JSON.stringify(value, null, 2) };
}

/** The exceptions in force on the snapshot's own day (never "today"), sorted. */
export function exceptionsInForce(snapshot: Snapshot): ExceptionConfig[] {
  return snapshot.exceptions
    .filter((e) => inForce(e, snapshot.takenAt))
    .sort((a, b) => compareText(a.service, b.service) || compareText(a.rule, b.rule) || compareText(a.environment ?? '', b.environment ?? ''));
}

/** Findings about one service (and optionally one environment). */
export function findingsFor(findings: readonly Finding[], filter: { service?: string; environment?: string }): Finding[] {
  return sortFindings(
    findings.filter(
      (f) => (filter.service === undefined || f.service === filter.service) && (filter.environment === undefined || f.environment === filter.environment),
    ),
  );
}
