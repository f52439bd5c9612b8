/**
 * The population as a file: CSV (one flat row per change, through
 * csv-stringify) or JSON (an array, one change per line). Both are written a
 * row at a time, so an export of any length is streamed; the same rows give
 * the same bytes.
 */
import { stringify } from 'csv-stringify/sync';
import type { ChangeRow } from './population.ts';

export type ExportFormat = 'csv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

/**
 * A spreadsheet cell that cannot run as a formula: text beginning with `=`,
 * `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, which
 * spreadsheets show as text (OWASP, "CSV Injection":
 * https://owasp.org/www-community/attacks/CSV_Injection). Pull-request titles
 * and branch names come from outside; every CSV cell passes here, once.
 */
export function neutraliseCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const list = (items: readonly string[], separator = ', ') => items.join(separator);
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** The CSV columns, in order, with how each is read from a row. */
const COLUMNS: readonly [string, (r: ChangeRow) => string][] = [
  ['change_id', (r) => r.id],
  ['service', (r) => r.service],
  ['environment', (r) => r.environment],
  ['outcome', (r) => r.outcome],
  ['source_status', (r) => r.sourceStatus ?? ''],
  ['version', (r) => r.version],
  ['commit', (r) => r.commit],
  ['artifact_digest', (r) => r.artifact ?? ''],
  ['ref', (r) => r.ref ?? ''],
  ['deployed_at', (r) => r.deployedAt],
  ['deployed_by', (r) => r.deployedBy],
  ['deployed_by_bot', (r) => yesNo(r.deployedByBot)],
  ['pull_requests', (r) => (r.pullRequests === null ? 'not recorded' : list(r.pullRequests.map((p) => `#${p.number}`)))],
  ['pr_titles', (r) => list((r.pullRequests ?? []).map((p) => p.title), ' | ')],
  ['pr_authors', (r) => list(distinct((r.pullRequests ?? []).map((p) => p.author)))],
  ['pr_merged_by', (r) => list(distinct((r.pullRequests ?? []).flatMap((p) => (p.mergedBy ? [p.mergedBy] : []))))],
  ['pr_reviewers', (r) => list(distinct((r.pullRequests ?? []).flatMap((p) => p.reviewers)))],
  ['pr_branches', (r) => list(distinct((r.pullRequests ?? []).flatMap((p) => (p.branch ? [p.branch] : []))))],
  ['tickets', (r) => list(r.tickets)],
  ['approvals', (r) => list(r.approvals.map((a) => `${a.by} ${a.state} ${a.kind} ${a.at ?? 'undated'} (${a.when}${a.timeFrom ? `; time from ${a.timeFrom}` : ''})`), ' | ')],
  ['approval_timing', (r) => r.approvalTiming],
  ['approved_after_deployment', (r) => list(r.approvedAfter, ' | ')],
  ['separation_of_duties', (r) => `${r.separation.status}: ${r.separation.label}`],
  ['separation_verdict', (r) => list(r.separation.verdict, ' | ')],
  ['previous_environment', (r) => r.promotion.previousEnvironment ?? ''],
  ['previous_environment_at', (r) => r.promotion.previous?.at ?? (r.promotion.previousEnvironment ? 'never seen there' : '')],
  ['promotion_path', (r) => list(r.promotion.path.map((s) => `${s.environment} ${s.at}`), ' | ')],
  ['emergency', (r) => yesNo(r.emergency.length > 0)],
  ['emergency_reasons', (r) => list(r.emergency.map((e) => `${e.kind}: ${e.detail}`), ' | ')],
  ['findings', (r) => list(r.findings.map((f) => `${f.id} (${f.severity}${f.exceptedUntil ? `, excepted until ${f.exceptedUntil}` : ''})`), ' | ')],
  ['source', (r) => r.source],
  ['source_url', (r) => r.url ?? ''],
  ['first_recorded_snapshot', (r) => r.firstRecorded.snapshot],
  ['first_recorded_snapshot_sha256', (r) => r.firstRecorded.sha256],
];

function distinct(items: readonly string[]): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The CSV column names. */
export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

// RFC 4180 line ends, every field quoted: the same bytes whatever a field holds.
const CSV_OPTIONS = { record_delimiter: '\r\n', quoted: true, quoted_empty: true } as const;

/** The file's first bytes (the CSV header line; JSON's opening bracket). */
export function exportHead(format: ExportFormat): string {
  return format === 'csv' ? stringify([[...CSV_COLUMNS]], CSV_OPTIONS) : '[';
}

/** One row's bytes; `index` is its position (JSON separates rows with commas). */
export function exportRow(format: ExportFormat, row: ChangeRow, index: number): string {
  if (format === 'csv') return stringify([COLUMNS.map(([, read]) => neutraliseCell(read(row)))], CSV_OPTIONS);
  return `${index === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`;
}

/** The file's last bytes. */
export function exportTail(format: ExportFormat, rows: number): string {
  return format === 'csv' ? '' : rows === 0 ? ']\n' : '\n]\n';
}
