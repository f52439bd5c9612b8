/**
 * The views a day's pages share, each computed once per day on first use: a
 * day has hundreds of pages (a service page per revised service, an
 * environment page each, compare pages), and recomputing the day's matrix,
 * changes or dependency graphs for each was quadratic in the number of
 * services. Typed, so a page asks `views.matrix`, not a string-keyed cache.
 */
import type { Snapshot } from '../model/index.ts';
import type { LastKnownDeployment } from '../ledger/index.ts';
import { approvalRows, type ApprovalRow } from './approvals.ts';
import { dayChanges, type DayChanges } from './changes.ts';
import { groupByService } from './format.ts';
import { environmentGraph, type GraphModel } from './graph.ts';
import { matrixOf, type Matrix } from './matrix.ts';
import { releasesInFlight } from './releases.ts';

export interface DayInput {
  /** The day's last snapshot. */
  snapshot: Snapshot;
  /** The previous day's last snapshot, or null for the first day. */
  previous: Snapshot | null;
  /** The `changes[]` of every snapshot of the day. */
  changeRecords: Snapshot['changes'];
  lastKnown: LastKnownDeployment;
}

/**
 * The views of one snapshot, each computed on first use: a day's pages share
 * them, and so do the revision keys of the cross-day index pass (revisions.ts),
 * which needed the same matrix, approvals and graphs once per kind of page.
 */
export class SnapshotViews {
  protected readonly snapshot: Snapshot;
  #approvals?: ApprovalRow[];
  readonly #graphs = new Map<string, GraphModel>();
  #byService?: {
    findings: Map<string, Snapshot['findings']>;
    branches: Map<string, Snapshot['branches']>;
    deployments: Map<string, Snapshot['deployments']>;
    configs: Map<string, Snapshot['configs']>;
  };
  #releases?: ReturnType<typeof releasesInFlight>;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  /** Every service × environment cell (views/matrix.ts). */
  get matrix(): Matrix {
    return matrixOf(this.snapshot);
  }

  /** One row per deployment with its approvals and separation-of-duties verdict (views/approvals.ts). */
  get approvals(): ApprovalRow[] {
    return (this.#approvals ??= approvalRows(this.snapshot));
  }

  /** The dependency graph of one environment (views/graph.ts). */
  graph(environment: string): GraphModel {
    let graph = this.#graphs.get(environment);
    if (!graph) this.#graphs.set(environment, (graph = environmentGraph(this.snapshot, environment)));
    return graph;
  }

  /** The snapshot's records of one service (findings, branches, deployments, configs), grouped once for all its pages. */
  ofService(service: string) {
    const s = this.snapshot;
    this.#byService ??= { findings: groupByService(s.findings), branches: groupByService(s.branches), deployments: groupByService(s.deployments), configs: groupByService(s.configs) };
    const by = this.#byService;
    return { findings: by.findings.get(service) ?? [], branches: by.branches.get(service) ?? [], deployments: by.deployments.get(service) ?? [], configs: by.configs.get(service) ?? [] };
  }

  /** Releases partial or in flight this day (views/releases.ts). */
  get releases(): ReturnType<typeof releasesInFlight> {
    return (this.#releases ??= releasesInFlight(this.snapshot));
  }
}

export class DayViews extends SnapshotViews {
  readonly #input: DayInput;
  #changes?: DayChanges;

  constructor(input: DayInput) {
    super(input.snapshot);
    this.#input = input;
  }

  /** What changed since the previous day (views/changes.ts). */
  get changes(): DayChanges {
    const { snapshot, previous, changeRecords, lastKnown } = this.#input;
    return (this.#changes ??= dayChanges(snapshot, previous, changeRecords, lastKnown));
  }
}
