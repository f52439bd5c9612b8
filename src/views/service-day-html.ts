/**
 * A service revision page's dependencies and configuration said once where
 * the environments agree, and per environment only where they differ
 * (issue 23): a service's declared dependencies are the same in every
 * environment (`dependsOn` belongs to the service), so four copies of the
 * same graph and table made most of a library's page. Nothing is dropped:
 * each environment's running version and status of each edge, each
 * environment's blast radius and each environment's configuration values
 * still show.
 */
import type { ConfigRecord, StoredValue } from '../model/index.ts';
import { compareSecrets, isRedacted } from '../model/secret-fingerprint.ts';
import type { BlastRadiusDependent } from './answers.ts';
import { formatTime } from './format.ts';
import type { EdgeStatus, GraphEdge, GraphModel, GraphNode } from './graph.ts';
import { html, type Html } from './html.ts';
import { blastRadiusHtml } from './tables-html.ts';

/** "dev", "dev and prod", "dev, qa and prod". */
export function environmentsText(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Environments whose blast radius reads the same, in path order: one line each. */
export function blastRadiusGroupsHtml(entries: readonly { environment: string; dependents: readonly BlastRadiusDependent[] }[]): Html {
  const groups = new Map<string, { environments: string[]; text: Html }>();
  for (const e of entries) {
    const text = blastRadiusHtml(e.dependents);
    const held = groups.get(text.value);
    if (held) held.environments.push(e.environment);
    else groups.set(text.value, { environments: [e.environment], text });
  }
  return html`${[...groups.values()].map((g) => html`<p>Blast radius in ${environmentsText(g.environments)}: ${g.text}</p>`)}`;
}

const WORST: EdgeStatus[] = ['incompatible', 'unknown', 'ok'];

/** What a node shows in one environment: its version, `?` when unknown (a gap), `–` when not deployed; nothing for a dependent (graph.ts `serviceNeighbourhood`). */
const shownVersion = (n: GraphNode | undefined): string => (n?.dependent ? '' : (n?.version ?? (n?.unknown ? '?' : '–')));

/**
 * One drawing for every environment of a service's neighbourhood (the same
 * edges in each, from `dependsOn`): a node shows its version when it is the
 * same everywhere, else each environment's in path order ("1.5.0 / 1.4.0 /
 * –"); an edge is marked not met when its range is not met in some
 * environment. `models`: the neighbourhood in each environment, in path order.
 */
export function mergedNeighbourhood(models: readonly GraphModel[]): { model: GraphModel; versionsDiffer: boolean } {
  const first = models[0]!;
  let versionsDiffer = false;
  const nodes = first.nodes.map((n): GraphNode => {
    const each = models.map((m) => m.nodes.find((x) => x.name === n.name));
    const shown = each.map(shownVersion);
    if (shown.every((v) => v === shown[0])) return n;
    versionsDiffer = true;
    return { ...n, version: shown.join(' / '), unknown: false };
  });
  const edges = first.edges.map((e, i): GraphEdge => {
    const statuses = models.map((m) => m.edges[i]?.status ?? 'unknown');
    return { ...e, status: WORST.find((s) => statuses.includes(s)) ?? 'ok' };
  });
  return { model: { environment: environmentsText(models.map((m) => m.environment)), nodes, edges }, versionsDiffer };
}

/** Whether every environment's neighbourhood has the same edges in the same order (true when built from one snapshot's `dependsOn`). */
export function sameEdges(models: readonly GraphModel[]): boolean {
  const key = (m: GraphModel) => m.edges.map((e) => `${e.from}\u0000${e.to}\u0000${e.range}`).join('\u0001');
  return models.every((m) => key(m) === key(models[0]!));
}

const EDGE_STATUS = { ok: '✓ met', incompatible: '✗ not met', unknown: '? unknown' } as const;

/**
 * A service's dependencies in every environment as one table: each edge once
 * with its range, then what runs and whether the range is met in each
 * environment, one cell for all of them where they agree. `focus` is not
 * linked (it is this page); `serviceHref` links the others.
 */
export function dependencyTableHtml(models: readonly GraphModel[], focus: string, serviceHref: (service: string) => string): Html {
  const first = models[0]!;
  if (first.edges.length === 0) return html`<p class="muted">No dependencies declared.</p>`;
  const name = (service: string) => (service === focus ? service : html`<a href="${serviceHref(service)}">${service}</a>`);
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Accepted range</th>${models.map((m) => html`<th scope="col">${m.environment}</th>`)}</tr></thead><tbody>${first.edges.map((e, i) => {
    const cells = models.map((m) => {
      const edge = m.edges[i];
      return edge ? `${edge.running ?? '—'} ${EDGE_STATUS[edge.status]}` : '—';
    });
    const agree = cells.every((c) => c === cells[0]);
    const bad = models.some((m) => m.edges[i]?.status === 'incompatible');
    return html`<tr${bad && html` class="edge-incompatible"`}><td>${name(e.from)}</td><td>${name(e.to)}</td><td><code>${e.range}</code></td>${
      agree && models.length > 1 ? html`<td colspan="${models.length}">${cells[0]}</td>` : cells.map((c) => html`<td>${c}</td>`)
    }</tr>`;
  })}</tbody></table></div>`;
}

/** A stored value as the page shows it; a secret never shows its value. */
function shown(v: StoredValue): string {
  return v !== null && typeof v === 'object' ? ('redacted' in v ? '(redacted)' : `(secret${v.updatedAt ? `, updated ${formatTime(v.updatedAt)}` : ''})`) : JSON.stringify(v);
}

/**
 * Whether a key has the same value in every record: plain values equal, or
 * secrets whose fingerprints match in all (model/secret-fingerprint.ts
 * decides); a secret known by name only, or without a common fingerprint, is
 * never said to be the same.
 */
function agrees(values: readonly (StoredValue | undefined)[]): boolean {
  const [head] = values;
  if (head === undefined || values.some((v) => v === undefined)) return false;
  if (isRedacted(head)) return values.every((v) => isRedacted(v) && compareSecrets(head, v) === 'same');
  if (head !== null && typeof head === 'object') return false;
  return values.every((v) => v === head);
}

/**
 * A service's configuration: per source, one table of the keys with the same
 * value in every environment that has a record, then one table of the rest
 * with a column per environment ("(not set)" where a key is missing). Where
 * one source reported one environment twice the records stay as they were
 * read, one table each.
 */
export function configByEnvironmentHtml(configs: readonly ConfigRecord[]): Html {
  if (configs.length === 0) return html`<p>No configuration recorded.</p>`;
  const sources = new Map<string, ConfigRecord[]>();
  for (const c of configs) sources.set(c.source, [...(sources.get(c.source) ?? []), c]);
  const many = sources.size > 1;
  return html`${[...sources.entries()].map(([source, records]) => {
    const from = many ? html` <span class="muted">from ${source}</span>` : '';
    // Where each record was read, environments that read alike on one line.
    const read = new Map<string, { environments: string[]; text: Html }>();
    for (const c of records) {
      const text = html`from ${c.source}${c.origin && html` (${c.origin})`}${c.changedAt && html`, changed ${formatTime(c.changedAt)}${c.changedBy && html` by ${c.changedBy}`}`}`;
      const held = read.get(text.value);
      if (held) held.environments.push(c.environment);
      else read.set(text.value, { environments: [c.environment], text });
    }
    const origins = html`<ul>${[...read.values()].map((r) => html`<li>${environmentsText(r.environments)}: ${r.text}</li>`)}</ul>`;
    const environments = records.map((c) => c.environment);
    if (records.length === 1) return html`${origins}${keyValueTable(`${environments[0]}`, Object.keys(records[0]!.values).sort(), (k) => records[0]!.values[k])}`;
    if (new Set(environments).size < environments.length) return html`${many && html`<h3>From ${source}</h3>`}${origins}${records.map((c) => keyValueTable(c.environment, Object.keys(c.values).sort(), (k) => c.values[k]))}`;
    const keys = [...new Set(records.flatMap((c) => Object.keys(c.values)))].sort();
    const same = keys.filter((k) => agrees(records.map((c) => c.values[k])));
    const differ = keys.filter((k) => !same.includes(k));
    return html`${origins}${same.length > 0 && html`<h3>The same in ${environmentsText(environments)}${from}</h3>${keyValueTable(null, same, (k) => records[0]!.values[k])}`}${
      differ.length > 0 &&
      html`<h3>Different by environment${from}</h3><div class="table-wrap"><table class="cfg"><thead><tr><th scope="col">Key</th>${environments.map((e) => html`<th scope="col">${e}</th>`)}</tr></thead><tbody>${differ.map(
        (k) => html`<tr><td><code>${k}</code></td>${records.map((c) => html`<td>${c.values[k] === undefined ? '(not set)' : shown(c.values[k])}</td>`)}</tr>`,
      )}</tbody></table></div>`
    }`;
  })}`;
}

function keyValueTable(heading: string | null, keys: readonly string[], value: (key: string) => StoredValue | undefined): Html {
  return html`${heading !== null && html`<h3>${heading}</h3>`}<div class="table-wrap"><table class="cfg"><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead><tbody>${keys.map(
    (k) => html`<tr><td><code>${k}</code></td><td>${shown(value(k)!)}</td></tr>`,
  )}</tbody></table></div>`;
}
