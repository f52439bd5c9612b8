/**
 * What `release-ledger show` prints: the state at a moment, as plain data
 * (for `--json`) and as aligned text. Pure functions of a snapshot.
 */
import type { Finding, Snapshot } from '../model/snapshot.ts';
import { isOpen } from '../rules/index.ts';
import { believedRunning, declarationOf, type Believed } from '../model/believed.ts';

export interface StateView {
  snapshot: { id: string; takenAt: string; sha256: string; generator: Snapshot['generator'] };
  name: string;
  environments: string[];
  deployments: Snapshot['deployments'];
  /** What is believed to run (src/model/believed.ts): the deployments, and declarations where there is none (`basis: 'declared'`). */
  running: Believed[];
  observed: Snapshot['observed'];
  declared: Snapshot['declared'];
  configs: Snapshot['configs'];
  branches: Snapshot['branches'];
  gaps: Snapshot['gaps'];
  findings: Finding[];
}

/** The state in a snapshot, optionally narrowed to one environment. */
export function stateView(snapshot: Snapshot, sha256: string, environment?: string): StateView {
  const inEnv = <T extends { environment?: string }>(items: T[]) =>
    environment === undefined ? items : items.filter((item) => item.environment === undefined || item.environment === environment);
  return {
    snapshot: { id: snapshot.id, takenAt: snapshot.takenAt, sha256, generator: snapshot.generator },
    name: snapshot.name,
    environments: snapshot.environments.map((e) => e.name).filter((e) => environment === undefined || e === environment),
    deployments: inEnv(snapshot.deployments),
    running: inEnv(believedRunning(snapshot)),
    observed: inEnv(snapshot.observed),
    declared: inEnv(snapshot.declared),
    configs: inEnv(snapshot.configs),
    branches: environment === undefined ? snapshot.branches : [],
    gaps: inEnv(snapshot.gaps),
    findings: inEnv(snapshot.findings),
  };
}

/** Left-aligned columns, separated by two spaces; the last column is not padded. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatStateView(view: StateView): string {
  const lines: string[] = [];
  lines.push(`${view.name} — snapshot ${view.snapshot.id} (taken ${view.snapshot.takenAt}, sha256 ${view.snapshot.sha256})`);
  lines.push('');
  const services = [...new Set(view.running.map((d) => d.service))].sort();
  // A declaration standing in for a missing deployment record says so, with the file it was read from.
  const version = (d: Believed) => (declarationOf(d) ? `${d.version} (declared)` : d.version);
  if (view.environments.length === 1) {
    const environment = view.environments[0]!;
    const rows = [['SERVICE', 'VERSION', 'COMMIT', 'DEPLOYED', 'BY', 'APPROVED BY']];
    for (const d of view.running.filter((d) => d.environment === environment)) {
      const declared = declarationOf(d);
      const approvers = d.approvals.filter((a) => a.state === 'approved').map((a) => a.by);
      const evidence = declared ? `declared in ${declared.file} at ${declared.revision.slice(0, 12)}` : approvers.join(', ') || '-';
      rows.push([d.service, version(d), d.commit ? d.commit.slice(0, 12) : '-', d.deployedAt, d.deployedBy, evidence]);
    }
    lines.push(`Environment ${environment}:`);
    lines.push(rows.length > 1 ? formatTable(rows) : '(nothing deployed or declared)');
  } else {
    const rows = [['SERVICE', ...view.environments]];
    for (const service of services) {
      rows.push([service, ...view.environments.map((env) => {
        const d = view.running.find((d) => d.service === service && d.environment === env);
        return d ? version(d) : '-';
      })]);
    }
    lines.push(rows.length > 1 ? formatTable(rows) : '(nothing deployed or declared)');
  }
  const open = view.findings.filter(isOpen);
  const excepted = view.findings.length - open.length;
  lines.push('');
  lines.push(`Findings: ${open.length} open${excepted ? `, ${excepted} under exception` : ''}`);
  for (const f of view.findings) {
    lines.push(`  [${f.severity}] ${f.rule}${f.service ? ` ${f.service}` : ''}${f.environment ? `@${f.environment}` : ''}: ${f.message}${f.exception ? ` (excepted until ${f.exception.expires}: ${f.exception.reason})` : ''}`);
  }
  if (view.gaps.length) {
    lines.push('');
    lines.push(`Gaps: ${view.gaps.length}`);
    for (const g of view.gaps) {
      lines.push(`  ${g.source}${g.service ? ` ${g.service}` : ''}${g.environment ? `@${g.environment}` : ''} (${g.evidence}): ${g.reason}`);
    }
  }
  return lines.join('\n') + '\n';
}
