/**
 * Dependency graphs: a model (nodes, edges, whether each edge's range is met
 * by what runs in the environment) and its mermaid source.
 *
 * Readable at 500 services: pages draw neighbourhoods (a service with its
 * dependencies and dependents) or, when an environment's graph is too big,
 * a summary per owning team. Mermaid refuses more than `maxEdges` (500) edges
 * and replaces sources over `maxTextSize` (50,000 characters) with an error
 * picture, so the source is checked against both before it is emitted.
 * https://mermaid.js.org/config/schema-docs/config.html#maxedges
 *
 * Safety: mermaid ids are `n0`, `n1`… from sorted names, never the names
 * themselves; labels are always quoted and every character that could end a
 * label or start a statement is a mermaid entity code (`#34;`), so no outside
 * string can add a statement or a click handler. The page runs mermaid with
 * `securityLevel: 'strict'` on top of that.
 */
import { deploymentHidden } from '../model/gaps.ts';
import { dependencyVersion, versionSatisfies } from '../model/version.ts';
import type { Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';

export const MERMAID_MAX_EDGES = 500;
export const MERMAID_MAX_TEXT = 50_000;
/** Past these, a day page shows the per-owner summary instead of the whole graph. */
export const FULL_GRAPH_MAX_NODES = 60;
export const FULL_GRAPH_MAX_EDGES = 120;

export type EdgeStatus = 'ok' | 'incompatible' | 'unknown';

export interface GraphNode {
  name: string;
  kind: 'service' | 'library' | 'team';
  owner: string | null;
  /** What runs in the environment (or is built in, for a library); null if nothing. */
  version: string | null;
  /** No version because a source gave no evidence (a gap): unknown, not "not deployed". */
  unknown?: boolean;
  /** Highlighted: the service the neighbourhood is about. */
  focus?: boolean;
  /** Depends on the focus and is shown by name only (`serviceNeighbourhood`): its version is on its own page. */
  dependent?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  range: string;
  /** The version of `to` that `from` uses in the environment. */
  running: string | null;
  status: EdgeStatus;
  /** For team summaries: how many service edges this one stands for. */
  count?: number;
  incompatibleCount?: number;
}

export interface GraphModel {
  environment: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The dependency graph of one environment of a snapshot. */
export function environmentGraph(snapshot: Snapshot, environment: string): GraphModel {
  const deployed = new Map(snapshot.deployments.filter((d) => d.environment === environment).map((d) => [d.service, d]));
  const services = [...snapshot.services].sort((a, b) => compareText(a.name, b.name));
  const names = new Set(services.map((s) => s.name));
  const kinds = new Map(services.map((s) => [s.name, s.kind]));
  const nodes: GraphNode[] = services.map((s) => {
    const version = deployed.get(s.name)?.version ?? null;
    const unknown = version === null && s.kind === 'service' && deploymentHidden(snapshot, s.name, environment) !== undefined;
    return { name: s.name, kind: s.kind, owner: s.owner ?? null, version, ...(unknown ? { unknown } : {}) };
  });
  const edges: GraphEdge[] = [];
  for (const s of services) {
    for (const [to, range] of Object.entries(s.dependsOn).sort(([a], [b]) => compareText(a, b))) {
      if (!names.has(to)) continue;
      // The same version the dependency rule judges (model/version.ts), so the graph never contradicts its findings.
      const running = dependencyVersion({ isLibrary: kinds.get(to) === 'library', fromComponents: deployed.get(s.name)?.components?.[to], deployedVersion: deployed.get(to)?.version }) ?? null;
      const ok = running === null ? null : versionSatisfies(running, range);
      edges.push({ from: s.name, to, range, running, status: ok === null ? 'unknown' : ok ? 'ok' : 'incompatible' });
    }
  }
  return { environment, nodes, edges };
}

/** A service, what it depends on and what depends on it (one step each way). */
export function neighbourhood(model: GraphModel, service: string): GraphModel {
  const index = edgeIndex(model);
  const edges = index.edges.get(service) ?? [];
  const keep = new Set([service, ...edges.flatMap((e) => [e.from, e.to])]);
  const nodes = [...keep].flatMap((name) => (index.position.has(name) ? [index.position.get(name)!] : [])).sort((a, b) => a - b);
  return {
    environment: model.environment,
    nodes: nodes.map((i) => model.nodes[i]!).map((n) => (n.name === service ? { ...n, focus: true } : n)),
    edges,
  };
}

/**
 * A service's neighbourhood as its own page shows it: what it depends on, with
 * the versions that run there, and who depends on it by name only. A
 * dependent's version is on that dependent's page; shown here, it gave a
 * library a new revision page every night one of its hundreds of dependents
 * deployed (issue 23; views/revisions.ts keys what the page shows). Whether
 * each dependent's range is met by this service still shows, on its edge.
 */
export function serviceNeighbourhood(model: GraphModel, service: string): GraphModel {
  const near = neighbourhood(model, service);
  const dependencies = new Set(near.edges.filter((e) => e.from === service).map((e) => e.to));
  return { ...near, nodes: near.nodes.map((n) => (n.focus || dependencies.has(n.name) ? n : { name: n.name, kind: n.kind, owner: n.owner, version: null, dependent: true })) };
}

/**
 * Each service's edges (in the model's order) and each node's position, made
 * once per model: a day renders a neighbourhood per service and environment,
 * and filtering every edge for each was quadratic in the number of services.
 */
const edgeIndexes = new WeakMap<GraphModel, { edges: Map<string, GraphEdge[]>; position: Map<string, number> }>();
function edgeIndex(model: GraphModel): { edges: Map<string, GraphEdge[]>; position: Map<string, number> } {
  let index = edgeIndexes.get(model);
  if (index) return index;
  const edges = new Map<string, GraphEdge[]>();
  const add = (name: string, e: GraphEdge) => {
    const held = edges.get(name);
    if (held) held.push(e);
    else edges.set(name, [e]);
  };
  for (const e of model.edges) {
    add(e.from, e);
    if (e.to !== e.from) add(e.to, e);
  }
  const position = new Map<string, number>();
  model.nodes.forEach((n, i) => {
    if (!position.has(n.name)) position.set(n.name, i);
  });
  index = { edges, position };
  edgeIndexes.set(model, index);
  return index;
}

/** Teams as nodes, service dependencies between teams aggregated into one edge each. */
export function ownerSummary(model: GraphModel): GraphModel {
  const owner = new Map(model.nodes.map((n) => [n.name, n.owner ?? '(no owner)']));
  const teams = [...new Set(owner.values())].sort(compareText);
  const agg = new Map<string, GraphEdge>();
  for (const e of model.edges) {
    const from = owner.get(e.from)!;
    const to = owner.get(e.to)!;
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    const edge = agg.get(key) ?? { from, to, range: '', running: null, status: 'ok', count: 0, incompatibleCount: 0 };
    edge.count = (edge.count ?? 0) + 1;
    if (e.status === 'incompatible') {
      edge.incompatibleCount = (edge.incompatibleCount ?? 0) + 1;
      edge.status = 'incompatible';
    }
    agg.set(key, edge);
  }
  return {
    environment: model.environment,
    nodes: teams.map((t) => ({ name: t, kind: 'team', owner: t, version: null })),
    edges: [...agg.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to)),
  };
}

/** The graph a day or environment page draws: everything when small, else the team summary. */
export function pageGraph(model: GraphModel): { model: GraphModel; summary: boolean } {
  if (model.nodes.length <= FULL_GRAPH_MAX_NODES && model.edges.length <= FULL_GRAPH_MAX_EDGES) return { model, summary: false };
  return { model: ownerSummary(model), summary: true };
}

/**
 * Mermaid label text, always used inside a quoted label. Characters that could
 * end the label or start a statement (`"`, `|`, `#`, `;`, backtick, `\`,
 * line breaks and other controls) become mermaid entity codes (`#34;`);
 * everything else stays, so ranges such as `>=2.3.0 <3` read as typed. Labels
 * are drawn as SVG text (`htmlLabels: false`), so `<` and `>` are never markup.
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) out += /^["|#;`\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u.test(ch) ? `#${ch.codePointAt(0)};` : ch;
  return out;
}

/** Mermaid flowchart source, or null when it would exceed mermaid's limits (the page then shows the table only). */
export function toMermaid(model: GraphModel): string | null {
  if (model.edges.length > MERMAID_MAX_EDGES) return null;
  const ids = new Map(model.nodes.map((n, i) => [n.name, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of model.nodes) {
    const label = n.kind === 'team' || n.dependent ? n.name : n.version ? `${n.name} ${n.version}` : n.unknown ? `${n.name} (unknown: evidence missing)` : `${n.name} (not deployed)`;
    // Shapes: service box, library cylinder, team stadium; the label is always quoted.
    const [open, close] = n.kind === 'library' ? ['[("', '")]'] : n.kind === 'team' ? ['(["', '"])'] : ['["', '"]'];
    lines.push(`  ${ids.get(n.name)}${open}${mermaidText(label)}${close}`);
  }
  const incompatible: number[] = [];
  model.edges.forEach((e, i) => {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (!from || !to) return;
    // No edge labels: mermaid's dagre layout drew them away from their edges (issue 19), so the drawing shows
    // who depends on whom and marks incompatible edges; ranges, versions and counts are in the table beside it.
    lines.push(`  ${from} --> ${to}`);
    if (e.status === 'incompatible') incompatible.push(i);
  });
  lines.push('  classDef focus stroke-width:4px');
  const focus = model.nodes.filter((n) => n.focus).map((n) => ids.get(n.name));
  if (focus.length > 0) lines.push(`  class ${focus.join(',')} focus`);
  if (incompatible.length > 0) lines.push(`  linkStyle ${incompatible.join(',')} stroke:#d00,stroke-width:3px,stroke-dasharray:6 3`);
  const source = `${lines.join('\n')}\n`;
  return source.length > MERMAID_MAX_TEXT ? null : source;
}
