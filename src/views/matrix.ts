/**
 * The environment × service matrix of one snapshot: what is deployed, declared
 * and observed in each cell, and whether the cell drifts from the environment
 * before it on the promotion path.
 */
import type { Finding, Severity, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { severityRank } from './findings.ts';
import { driftAges } from './answers.ts';

/**
 * - `aligned`: same version as the previous environment on the path (or the first environment).
 * - `drift`: differs from the previous environment.
 * - `mismatch`: what is declared or observed differs from what was recorded as deployed.
 * - `gap`: nothing recorded because a source failed.
 * - `absent`: not deployed there.
 */
export type CellStatus = 'aligned' | 'drift' | 'mismatch' | 'gap' | 'absent';

/** Text and icon for each status, so the matrix reads without colour (print, colour-blind readers). */
export const CELL_STATUS_LABEL: Record<CellStatus, { icon: string; text: string }> = {
  aligned: { icon: '✓', text: 'aligned' },
  drift: { icon: '≠', text: 'drift' },
  mismatch: { icon: '⚠', text: 'deployed/declared/observed differ' },
  gap: { icon: '?', text: 'evidence missing' },
  absent: { icon: '–', text: 'not deployed' },
};

export interface MatrixCell {
  environment: string;
  deployed: { version: string; commit: string; deployedAt: string; deployedBy: string; url?: string } | null;
  declared: { version: string | null; file: string } | null;
  observed: { version: string | null; commit: string | null; at: string } | null;
  status: CellStatus;
  /** Why the cell is `mismatch`, e.g. `observed 2.4.0`. */
  differences: string[];
  /** The previous environment's version when the cell drifts from it. */
  previousVersion: string | null;
  /** Days this environment has differed from the previous one (answers.ts `driftAges`), when it does. */
  driftDays: number | null;
  /** When that drift started (ISO time), when it does. */
  driftSince: string | null;
  /** Sources that failed for this cell. */
  gaps: string[];
  /** Open findings about this service in this environment. */
  openFindings: number;
  worstSeverity: Severity | null;
}

export interface MatrixRow {
  service: string;
  kind: 'service' | 'library';
  owner: string | null;
  cells: MatrixCell[];
  /** Whether any cell drifts or mismatches: the row is highlighted. */
  attention: boolean;
}

export interface Matrix {
  environments: { name: string; production: boolean }[];
  rows: MatrixRow[];
}

/** True when two commit strings name the same commit (one may be abbreviated). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 ? x.startsWith(y) || y.startsWith(x) : x === y;
}

export function buildMatrix(snapshot: Snapshot, filter: { services?: readonly string[]; environments?: readonly string[] } = {}): Matrix {
  const environments = snapshot.environments.filter((e) => !filter.environments || filter.environments.includes(e.name));
  const key = (service: string, environment: string) => `${service}\u0000${environment}`;
  const deployed = new Map(snapshot.deployments.map((d) => [key(d.service, d.environment), d]));
  const declared = new Map(snapshot.declared.map((d) => [key(d.service, d.environment), d]));
  const observed = new Map(snapshot.observed.map((o) => [key(o.service, o.environment), o]));
  const findings = new Map<string, Finding[]>();
  for (const f of snapshot.findings) {
    if (!f.service || !f.environment || f.exception) continue;
    const list = findings.get(key(f.service, f.environment)) ?? [];
    list.push(f);
    findings.set(key(f.service, f.environment), list);
  }
  const gapsFor = (service: string, environment: string) =>
    snapshot.gaps
      .filter((g) => (g.service === undefined || g.service === service) && (g.environment === undefined || g.environment === environment))
      .map((g) => g.source)
      .filter((s, i, all) => all.indexOf(s) === i)
      .sort(compareText);

  const services = snapshot.services
    .filter((s) => !filter.services || filter.services.includes(s.name))
    // Libraries are built into services, not deployed: they get a row only if something deploys them.
    .filter((s) => s.kind === 'service' || snapshot.deployments.some((d) => d.service === s.name))
    .sort((a, b) => compareText(a.name, b.name));

  const ages = new Map(driftAges(snapshot).map((a) => [`${a.service}\u0000${a.higher}`, a]));
  const rows = services.map((service): MatrixRow => {
    let previous: string | null = null;
    let first = true;
    const cells = environments.map((env): MatrixCell => {
      const d = deployed.get(key(service.name, env.name));
      const decl = declared.get(key(service.name, env.name));
      const obs = observed.get(key(service.name, env.name));
      const differences: string[] = [];
      if (d && decl && decl.version !== null && decl.version !== d.version) differences.push(`declared ${decl.version}`);
      if (d && obs) {
        if (obs.version !== null && obs.version !== d.version) differences.push(`observed ${obs.version}`);
        else if (obs.commit !== null && !sameCommit(obs.commit, d.commit)) differences.push(`observed commit ${obs.commit}`);
      }
      const gaps = gapsFor(service.name, env.name);
      const cellFindings = findings.get(key(service.name, env.name)) ?? [];
      const worst = cellFindings.reduce<Severity | null>((w, f) => (w === null || severityRank(f.severity) > severityRank(w) ? f.severity : w), null);
      const version = d?.version ?? null;
      const drifts = !first && version !== null && previous !== null && version !== previous;
      let status: CellStatus;
      if (!d) status = gaps.length > 0 ? 'gap' : 'absent';
      else if (differences.length > 0) status = 'mismatch';
      else if (drifts) status = 'drift';
      else status = 'aligned';
      const cell: MatrixCell = {
        environment: env.name,
        deployed: d
          ? { version: d.version, commit: d.commit, deployedAt: d.deployedAt, deployedBy: d.deployedBy, ...(d.url !== undefined ? { url: d.url } : {}) }
          : null,
        declared: decl ? { version: decl.version, file: decl.file } : null,
        observed: obs ? { version: obs.version, commit: obs.commit, at: obs.at } : null,
        status,
        differences,
        previousVersion: drifts ? previous : null,
        driftDays: drifts ? (ages.get(key(service.name, env.name))?.days ?? null) : null,
        driftSince: drifts ? (ages.get(key(service.name, env.name))?.since ?? null) : null,
        gaps,
        openFindings: cellFindings.length,
        worstSeverity: worst,
      };
      if (version !== null) previous = version;
      first = false;
      return cell;
    });
    return {
      service: service.name,
      kind: service.kind,
      owner: service.owner ?? null,
      cells,
      attention: cells.some((c) => c.status === 'drift' || c.status === 'mismatch' || c.status === 'gap'),
    };
  });
  return { environments: environments.map((e) => ({ name: e.name, production: e.production })), rows };
}
