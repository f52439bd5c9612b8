/**
 * Diffs as text for the terminal: aligned columns, deterministic, and every
 * value from outside (names, messages, config values) stripped of control
 * characters so a hostile value cannot drive the terminal.
 */
import type { ConfigKeyDiff, DeploymentDiff, DeploymentState, EnvironmentDiff, FindingRef, SnapshotDiff } from './diff.ts';

export function formatSnapshotDiff(d: SnapshotDiff): string {
  const out: string[] = [`Changes from ${d.from.id} to ${d.to.id}`];
  section(out, 'Deployments', d.deployments.map(deploymentRow));
  section(
    out,
    'Unknown: a source gave no evidence (not counted as changes)',
    d.unknown.map((u) => [u.service, u.environment, `${u.evidence} from ${u.source}`, `known: ${u.known}`, `unknown in ${u.hiddenIn}: ${u.reason}`]),
  );
  section(
    out,
    'Config',
    d.configs.map((c) => [c.service, c.environment, c.source, c.key, configChange(c)]),
  );
  section(out, 'Findings opened', d.findings.opened.map(findingRow));
  section(out, 'Findings closed', d.findings.closed.map(findingRow));
  section(
    out,
    'Pull requests and tickets',
    d.changes.map((c) => [
      c.service,
      c.environment,
      `${c.fromVersion ?? '(none)'} -> ${c.version}`,
      [...c.pullRequests.map((pr) => `#${pr.number} ${pr.title} (${pr.author})`), ...c.tickets].join('; ') || '(no pull requests found)',
    ]),
  );
  if (out.length === 1) out.push('', 'No differences.');
  return `${out.map(clean).join('\n')}\n`;
}

export function formatEnvironmentDiff(d: EnvironmentDiff): string {
  const label = (s: EnvironmentDiff['a']) => `${s.environment}@${s.snapshot}`;
  const out: string[] = [`${label(d.a)} compared with ${label(d.b)}`];
  const different = d.services.filter((s) => s.status !== 'same').length;
  if (d.services.length > 0) {
    out.push('', `Services (${d.services.length}, ${different} differ)`);
    const status = { same: 'same', different: 'different', 'only-a': `only in ${d.a.environment}`, 'only-b': `only in ${d.b.environment}` };
    out.push(
      ...table([
        ['service', d.a.environment, d.b.environment, ''],
        ...d.services.map((s) => [s.service, versionOf(s.a), versionOf(s.b), s.status === 'different' ? `different ${s.fields.join(', ')}` : status[s.status]]),
      ]),
    );
  }
  section(
    out,
    'Config keys that differ',
    d.configs.map((c) => [
      c.service,
      c.source,
      c.key,
      c.a ?? '(absent)',
      c.b ?? '(absent)',
      [c.redacted && c.a !== null && c.b !== null ? (c.notComparable ? `not comparable (${c.notComparable})` : 'differs (redacted)') : '', c.envSpecific ? 'expected: environment-specific' : ''].filter(Boolean).join('; '),
    ]),
  );
  if (out.length === 1) out.push('', 'No services or config in either environment.');
  return `${out.map(clean).join('\n')}\n`;
}

function deploymentRow(d: DeploymentDiff): string[] {
  switch (d.change) {
    case 'added':
      return [d.service, d.environment, `added ${versionOf(d.to)}`];
    case 'removed':
      return [d.service, d.environment, `removed (was ${versionOf(d.from)})`];
    case 'redeployed':
      return [d.service, d.environment, `redeployed ${versionOf(d.to)} at ${d.to?.deployedAt} by ${d.to?.deployedBy}`];
    case 'changed':
      return [d.service, d.environment, `${versionOf(d.from)} -> ${versionOf(d.to)}${d.comparedWith ? ` (as of ${d.comparedWith}, the last snapshot that knew it)` : ''}`];
  }
}

function configChange(c: ConfigKeyDiff): string {
  if (c.change === 'added') return `added ${c.to}`;
  if (c.change === 'removed') return `removed (was ${c.from})`;
  if (c.redacted && c.from === c.to) return 'changed (redacted)';
  return `${c.from} -> ${c.to}`;
}

function findingRow(f: FindingRef): string[] {
  const where = [f.service, f.environment].filter(Boolean).join('/') || '-';
  return [f.severity, f.rule, where, f.excepted ? `${f.message} (excepted)` : f.message];
}

function versionOf(s: DeploymentState | null): string {
  if (!s) return '-';
  return s.declared ? `${s.version} (declared in ${s.declared.file})` : `${s.version} (${s.commit.slice(0, 7)})`;
}

function section(out: string[], title: string, rows: string[][]): void {
  if (rows.length === 0) return;
  out.push('', `${title} (${rows.length})`, ...table(rows));
}

/** Rows padded so each column lines up; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, clean(cell).length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? clean(cell) : clean(cell).padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** Control characters (ESC, newlines, tabs…) shown as \u escapes, so one value stays on one line. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
