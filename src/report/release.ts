/**
 * `release-ledger show --release NAME [--at DATE] [--json]`: one release at a
 * moment, as plain data and as text (docs/releases.md). Pure functions of a
 * snapshot; the CLI reads the snapshot and prints.
 */
import { UsageError } from '../errors.ts';
import type { ComponentPosition } from '../model/release.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { releaseNames, releaseView, type ReleaseView } from '../views/releases.ts';
import { formatTable } from './show.ts';

export interface ReleaseShow extends ReleaseView {
  snapshot: { id: string; takenAt: string; sha256: string };
}

/** Release `name` as of `snapshot`; a usage error naming the releases it knows when it has no such release. */
export function showRelease(snapshot: Snapshot, sha256: string, name: string): ReleaseShow {
  const view = releaseView(snapshot, name);
  if (!view) {
    const known = releaseNames(snapshot);
    throw new UsageError(`no release "${name}" in snapshot ${snapshot.id} (${known.length > 0 ? `it knows ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}` : 'it knows none: declare one under releases: in the config, or share a ticket key between services'})`);
  }
  return { snapshot: { id: snapshot.id, takenAt: snapshot.takenAt, sha256 }, ...view };
}

const STATE_TEXT: Record<ComponentPosition['state'], string> = {
  running: 'arrived',
  superseded: 'later version',
  other: 'missing',
  absent: 'not deployed',
  unknown: 'unknown',
};

function position(p: ComponentPosition): string {
  const running = p.running ? `${p.running.version} since ${p.running.since}` : '-';
  return p.state === 'unknown' ? `unknown (${p.why ?? 'a source gave no evidence'})` : `${STATE_TEXT[p.state]}: ${running}`;
}

export function formatReleaseShow(view: ReleaseShow): string {
  const lines: string[] = [];
  const kind = view.kind === 'declared' ? 'declared release' : 'ticket shared by several services (found)';
  lines.push(`${view.name} — ${kind}, as of snapshot ${view.snapshot.id} (taken ${view.snapshot.takenAt}, sha256 ${view.snapshot.sha256})`);
  lines.push(`Owner: ${view.owner ?? 'none declared'}${view.planned ? `; planned ${view.planned}` : ''}`);
  lines.push(`Teams: ${view.teams.map((t) => `${t.service}: ${t.owner ?? 'no owner set'}`).join(', ')}`);
  if (view.description) lines.push(view.description);
  lines.push(`Components: ${view.components.map((c) => `${c.service} ${c.version}`).join(', ')}`);
  for (const env of view.environments) {
    lines.push('');
    lines.push(`${env.environment}: ${env.state}${env.partialSince ? ` since ${env.partialSince}` : ''}`);
    lines.push(formatTable([['SERVICE', 'WANTS', 'WHERE'], ...env.components.map((p) => [p.service, p.wanted, position(p)])]));
  }
  lines.push('');
  const radius = view.blastRadius.filter((r) => r.dependents.length > 0);
  lines.push(`Blast radius: ${radius.length === 0 ? 'no other service depends on a component' : ''}`.trimEnd());
  for (const r of radius) lines.push(`  ${r.environment}: ${r.dependents.map((d) => `${d.service}${d.unknown ? ' (unknown)' : ''} via ${d.via}`).join(', ')}`);
  lines.push('');
  lines.push(`Findings: ${view.findings.length === 0 ? 'none' : view.findings.length}`);
  for (const f of view.findings) lines.push(`  [${f.severity}] ${f.id}: ${f.message}${f.exception ? ` (excepted until ${f.exception.expires})` : ''}`);
  return lines.join('\n') + '\n';
}
