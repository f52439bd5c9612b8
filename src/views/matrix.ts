/**
 * The environment × service matrix of one snapshot: what is deployed, declared
 * and observed in each cell, and whether the cell drifts from the environment
 * before it on the promotion path.
 */
import type { Finding, Severity, Snapshot } from '../model/index.ts';
import { runtimeMismatches } from '../model/build.ts';
import { believedRunning } from '../model/believed.ts';
import { compareText, groupBy } from './format.ts';
import { severityRank } from './findings.ts';
import { driftAges } from './answers.ts';
import { isOpen } from '../model/exception.ts';

/**
 * - `aligned`: the same build as the previous environment on the path (or the first environment).
 * - `differs`: a different build from the previous environment, within `policies.maxDriftDays` (no finding).
 * - `drift`: a different build for longer than allowed: the snapshot holds a `drift.version` finding (open or excepted).
 * - `mismatch`: what is declared or observed is not the build recorded as deployed (`drift.runtime`'s reasons).
 * - `gap`: nothing recorded because a source failed.
 * - `absent`: not deployed there.
 * Builds are compared only by src/model/build.ts, as the rules compare them.
 */
export type CellStatus = 'aligned' | 'differs' | 'drift' | 'mismatch' | 'gap' | 'absent';

/** Text and icon for each status, so the matrix reads without colour (print, colour-blind readers). */
export const CELL_STATUS_LABEL: Record<CellStatus, { icon: string; text: string }> = {
  aligned: { icon: '✓', text: 'aligned' },
  differs: { icon: '→', text: 'differs from the previous environment, within the allowed days' },
  drift: { icon: '≠', text: 'drift' },
  mismatch: { icon: '⚠', text: 'deployed/declared/observed differ' },
  gap: { icon: '?', text: 'evidence missing' },
  absent: { icon: '–', text: 'not deployed' },
};

export interface MatrixCell {
  environment: string;
  /** What is believed to run: the deployment record, or (`declared: true`) the declaration standing in for a missing one. */
  deployed: { version: string; commit: string; deployedAt: string; deployedBy: string; url?: string; declared?: true } | null;
  declared: { version: string | null; file: string } | null;
  observed: { version: string | null; commit: string | null; at: string } | null;
  status: CellStatus;
  /** Why the cell is `mismatch`, e.g. `observed (runtime) version 2.4.0 is not deployed version 2.5.0`. */
  differences: string[];
  /**
   * How the cell's build relates to the previous environment's, whatever its status (a `mismatch` may also drift):
   * `drift` where a drift.version finding stands, `differs` for a different build within the allowed days, null otherwise.
   */
  neighbour: 'differs' | 'drift' | null;
  /** The previous environment's version when the cell runs a different build from it (`differs` or `drift`). */
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

/** A row is highlighted when a cell drifts, mismatches or lacks evidence. */
const needsAttention = (cells: readonly MatrixCell[]) => cells.some((c) => c.status === 'drift' || c.status === 'mismatch' || c.status === 'gap');

export function buildMatrix(snapshot: Snapshot, filter: { services?: readonly string[]; environments?: readonly string[] } = {}): Matrix {
  const environments = snapshot.environments.filter((e) => !filter.environments || filter.environments.includes(e.name));
  const key = (service: string, environment: string) => `${service}\u0000${environment}`;
  // What is believed to run: the deployment record, else the declaration (src/model/believed.ts).
  const deployed = new Map(believedRunning(snapshot).map((d) => [key(d.service, d.environment), d]));
  const declared = new Map(snapshot.declared.map((d) => [key(d.service, d.environment), d]));
  const observed = new Map(snapshot.observed.map((o) => [key(o.service, o.environment), o]));
  const findings = new Map<string, Finding[]>();
  for (const f of snapshot.findings) {
    if (!f.service || !f.environment || !isOpen(f)) continue;
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
  // drift.version findings (open or excepted) decide when a difference has lasted too long: the page shows what the findings say.
  const driftFindings = new Set(snapshot.findings.filter((f) => f.rule === 'drift.version' && f.service && f.environment).map((f) => key(f.service!, f.environment!)));
  const observedBy = groupBy(snapshot.observed, (o) => key(o.service, o.environment));
  const declaredBy = groupBy(snapshot.declared, (d) => key(d.service, d.environment));
  const versionIn = (service: string, environment: string) => deployed.get(key(service, environment))?.version ?? null;
  const rows = services.map((service): MatrixRow => {
    const cells = environments.map((env): MatrixCell => {
      const d = deployed.get(key(service.name, env.name));
      const decl = declared.get(key(service.name, env.name));
      const obs = observed.get(key(service.name, env.name));
      const differences = runtimeMismatches({
        deployed: d && d.basis === 'deployment' ? { version: d.version, commit: d.commit || null, artifact: d.artifact ?? null } : null,
        observed: observedBy.get(key(service.name, env.name)) ?? [],
        declared: declaredBy.get(key(service.name, env.name)) ?? [],
      });
      const gaps = gapsFor(service.name, env.name);
      const cellFindings = findings.get(key(service.name, env.name)) ?? [];
      const worst = cellFindings.reduce<Severity | null>((w, f) => (w === null || severityRank(f.severity) > severityRank(w) ? f.severity : w), null);
      // Differs from its neighbour below, as computeDriftStates (and so drift.version) decides it.
      const age = d ? ages.get(key(service.name, env.name)) : undefined;
      const neighbour = age ? (driftFindings.has(key(service.name, env.name)) ? 'drift' : 'differs') : null;
      let status: CellStatus;
      if (differences.length > 0) status = 'mismatch';
      else if (!d) status = gaps.length > 0 ? 'gap' : 'absent';
      else status = neighbour ?? 'aligned';
      const cell: MatrixCell = {
        environment: env.name,
        deployed: d
          ? { version: d.version, commit: d.commit, deployedAt: d.deployedAt, deployedBy: d.deployedBy, ...(d.url !== undefined ? { url: d.url } : {}), ...(d.basis === 'declared' ? { declared: true } : {}) }
          : null,
        declared: decl ? { version: decl.version, file: decl.file } : null,
        observed: obs ? { version: obs.version, commit: obs.commit, at: obs.at } : null,
        status,
        differences,
        neighbour,
        previousVersion: age ? versionIn(service.name, age.lower) : null,
        driftDays: age?.days ?? null,
        driftSince: age?.since ?? null,
        gaps,
        openFindings: cellFindings.length,
        worstSeverity: worst,
      };
      return cell;
    });
    return {
      service: service.name,
      kind: service.kind,
      owner: service.owner ?? null,
      cells,
      attention: needsAttention(cells),
    };
  });
  return { environments: environments.map((e) => ({ name: e.name, production: e.production })), rows };
}

/**
 * The whole matrix of a snapshot, built once per snapshot: the day page, its
 * environment pages and the revision keys of the index pass all start from it
 * (an environment page's two columns are `matrixColumns` of it).
 */
export function matrixOf(snapshot: Snapshot): Matrix {
  let matrix = wholeMatrices.get(snapshot);
  if (!matrix) wholeMatrices.set(snapshot, (matrix = buildMatrix(snapshot)));
  return matrix;
}
const wholeMatrices = new WeakMap<Snapshot, Matrix>();

/**
 * The columns of `environments` of a whole matrix: equal to
 * `buildMatrix(snapshot, { environments })`, whose cells, rows and drift
 * ages never depend on which other columns are shown; only a row's
 * `attention` is recomputed from the columns kept.
 */
export function matrixColumns(matrix: Matrix, environments: readonly string[]): Matrix {
  return {
    environments: matrix.environments.filter((e) => environments.includes(e.name)),
    rows: matrix.rows.map((r) => {
      const cells = r.cells.filter((c) => environments.includes(c.environment));
      return { ...r, cells, attention: needsAttention(cells) };
    }),
  };
}
