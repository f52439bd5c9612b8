/**
 * The `file` source's plain logic: inventory YAML text in, `Evidence` out.
 * `collectors/file/source.ts` only finds and reads the files.
 *
 * Rules (documented in docs/sources.md, `file`):
 * - A file that is not valid YAML or does not match `inventorySchema` gives
 *   one gap (evidence `all`) with the one-line `file:line:col` message, and
 *   nothing from that file counts; other files of a folder still count.
 * - A record naming an unknown service or environment is a gap for that
 *   record only.
 * - Environment names are the source's: mapped through the inverse of
 *   `sources.<name>.environments` (ledger -> source); a ledger name that is
 *   not mapped is accepted as it is.
 * - Records for a service that exists but does not list this source are
 *   accepted: the inventory is a declaration, and refusing it would hide
 *   evidence someone wrote down. A service that lists this source and has no
 *   record at all is a gap; one with no deployment in some environment is not
 *   (a service need not run everywhere).
 * - Two records for the same thing (e.g. two deployments of one service to
 *   one environment) keep the first in file order; the second is a gap.
 * - Numbers written where text is expected (`version: 2.10`) keep their
 *   written form ("2.10", not 2.1); config values keep their YAML type.
 */
import type { Config, ServiceConfig } from '../../src/model/config.ts';
import type { Evidence, HistoryEvent, RawConfigRecord } from '../../src/model/evidence.ts';
import { emptyEvidence } from '../../src/model/evidence.ts';
import { formatPath, parseYamlWithSchema, type YamlSource } from '../../src/model/friendly-errors.ts';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { inventorySchema, type Inventory } from '../../src/model/inventory.ts';
import { nodeAt, type YamlNode } from '../../src/model/yaml.ts';
import { redactUrl } from '../../src/model/redact-url.ts';
import { ticketsIn } from '../../src/model/tickets.ts';
import type { Approval, Change, Deployment, Gap, Observed, PullRequest } from '../../src/model/snapshot.ts';

/** One inventory file: its text, or why it could not be read. `file` is shown in messages (relative to the config folder). */
export type InventoryFile = { file: string; text: string } | { file: string; readError: string };

export interface InventoryContext {
  /** The source's name in the config. */
  source: string;
  /** The whole config (services, environments, ticket pattern). */
  config: Config;
  /** The services that list this source (each must appear somewhere). */
  services: readonly Pick<ServiceConfig, 'name'>[];
  /** The source's environment map, ledger name -> source name. */
  environments: Readonly<Record<string, string>>;
  /** The snapshot time: `observed[].at` when the inventory gives none. */
  now: Date;
  /** How the inventory path is shown (the file or folder, relative to the config folder). */
  label: string;
}

export type ParsedInventory = { ok: true; inventory: Inventory; locate: (path: readonly PropertyKey[]) => string } | { ok: false; reason: string };

/** Fields whose numbers stay numbers; every other plain number is kept as written (a version, a commit). */
const NUMERIC_FIELDS = new Set(['aheadBy', 'behindBy', 'number']);

/**
 * Parses and validates one inventory file. Never throws: whatever goes wrong
 * with one file is that file's gap, so the other files of a folder still count.
 */
export function parseInventory(text: string, file: string): ParsedInventory {
  try {
    return parseChecked(text, file);
  } catch (error) {
    return { ok: false, reason: `${file}: cannot be read as an inventory (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})` };
  }
}

function parseChecked(text: string, file: string): ParsedInventory {
  const result = parseYamlWithSchema(
    inventorySchema,
    text,
    file,
    { expectTop: 'a mapping with `deployments`, `configs`, `observed`, `branches`, `changes` or `history`', maxBytes: INPUT_LIMITS.inventoryFileBytes },
    keepWrittenNumbers,
  );
  if (!result.ok) return { ok: false, reason: result.message };
  const { source } = result;
  return { ok: true, inventory: result.data, locate: (path) => locate(source, path) };
}

function keepWrittenNumbers(source: YamlSource): void {
  source.data = keepWritten(source.root, source.data, undefined, false);
}

/** The data with every plain number outside `NUMERIC_FIELDS` and `values:` put back as written, walking the tree beside it. */
function keepWritten(node: YamlNode | null, value: unknown, field: string | undefined, underValues: boolean): unknown {
  if (node === null) return value;
  if (node.kind === 'scalar') {
    const numeric = (field !== undefined && NUMERIC_FIELDS.has(field)) || underValues;
    return typeof value === 'number' && node.plain && !numeric ? node.text : value;
  }
  if (node.kind === 'map' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const { key, value: child } of node.items) {
      if (key.kind !== 'scalar' || !Object.hasOwn(record, key.text)) continue;
      record[key.text] = keepWritten(child, record[key.text], key.text, underValues || key.text === 'values');
    }
  } else if (node.kind === 'seq' && Array.isArray(value)) {
    node.items.forEach((item, i) => {
      value[i] = keepWritten(item, value[i], undefined, underValues);
    });
  }
  return value;
}

function locate(source: YamlSource, path: readonly PropertyKey[]): string {
  const { node } = nodeAt(source.root, path);
  const { line, col } = source.yaml.position(node?.start ?? 0);
  return `${source.file}:${line}:${col}`;
}

/** Everything the inventory files say, as evidence, sorted. */
export function inventoryEvidence(files: readonly InventoryFile[], context: InventoryContext): Evidence {
  const evidence = emptyEvidence();
  const { source, config } = context;
  const gap = (g: Omit<Gap, 'source'>) => evidence.gaps.push({ source, ...g });
  const services = new Set(config.services.map((s) => s.name));
  const ledgerEnvironments = config.environments.map((e) => e.name);
  const fromSource = new Map(Object.entries(context.environments).map(([ledger, name]) => [name, ledger]));
  const environmentOf = (name: string) => fromSource.get(name) ?? (ledgerEnvironments.includes(name) ? name : undefined);
  const now = `${context.now.toISOString().slice(0, 19)}Z`;
  const seen = new Set<string>();
  const firsts = new Map<string, string>();
  const failed: string[] = [];

  for (const entry of files) {
    if ('readError' in entry) {
      failed.push(entry.file);
      gap({ evidence: 'all', reason: entry.readError });
      continue;
    }
    const parsed = parseInventory(entry.text, entry.file);
    if (!parsed.ok) {
      failed.push(entry.file);
      gap({ evidence: 'all', reason: parsed.reason });
      continue;
    }
    const { inventory, locate: at } = parsed;

    /** Checks a record's names; returns the ledger environment, or undefined after recording a gap. */
    const check = (section: keyof Inventory, index: number, record: { service: string; environment?: string }, evidenceKind: string) => {
      const path = [section, index];
      if (!services.has(record.service)) {
        gap({ evidence: evidenceKind, reason: `${at([...path, 'service'])}: ${formatPath([...path, 'service'])}: no service named "${record.service}" in the config` });
        return null;
      }
      seen.add(record.service);
      if (record.environment === undefined) return { environment: undefined };
      const environment = environmentOf(record.environment);
      if (environment === undefined) {
        gap({
          service: record.service,
          evidence: evidenceKind,
          reason: `${at([...path, 'environment'])}: ${formatPath([...path, 'environment'])}: no environment named "${record.environment}" (ledger environments: ${ledgerEnvironments.join(', ')}; map other names in sources.${source}.environments)`,
        });
        return null;
      }
      return { environment };
    };
    /** True the first time `key` is seen; a repeat is a gap naming where the first one is. */
    const first = (key: string, where: string, what: string, g: Omit<Gap, 'source' | 'reason'>) => {
      const previous = firsts.get(key);
      if (previous === undefined) {
        firsts.set(key, where);
        return true;
      }
      gap({ ...g, reason: `${where}: a second ${what} (the first is at ${previous}); keep one` });
      return false;
    };

    inventory.deployments.forEach((d, i) => {
      const ok = check('deployments', i, d, 'deployment');
      if (!ok?.environment) return;
      const environment = ok.environment;
      if (!first(`deployment\0${d.service}\0${environment}`, at(['deployments', i]), `deployment of ${d.service} to ${environment}`, { service: d.service, environment, evidence: 'deployment' })) return;
      evidence.deployments.push(deploymentRecord(d, environment, source));
    });

    inventory.configs.forEach((c, i) => {
      const ok = check('configs', i, c, 'config');
      if (!ok?.environment) return;
      const environment = ok.environment;
      if (!first(`config\0${c.service}\0${environment}`, at(['configs', i]), `config of ${c.service} in ${environment}`, { service: c.service, environment, evidence: 'config' })) return;
      evidence.configs.push(configRecord(c, environment, source, entry.file));
    });

    inventory.observed.forEach((o, i) => {
      const ok = check('observed', i, o, 'observed');
      if (!ok?.environment) return;
      const environment = ok.environment;
      if (!first(`observed\0${o.service}\0${environment}`, at(['observed', i]), `observation of ${o.service} in ${environment}`, { service: o.service, environment, evidence: 'observed' })) return;
      evidence.observed.push(observedRecord(o, environment, source, now));
    });

    inventory.branches.forEach((b, i) => {
      if (!check('branches', i, b, 'branches')) return;
      if (!first(`branch\0${b.service}\0${b.name}`, at(['branches', i]), `branch ${b.name} of ${b.service}`, { service: b.service, evidence: 'branches' })) return;
      evidence.branches.push({ service: b.service, name: b.name, aheadBy: b.aheadBy, behindBy: b.behindBy, lastCommitAt: b.lastCommitAt, source });
    });

    inventory.changes.forEach((c, i) => {
      const ok = check('changes', i, c, 'changes');
      if (!ok?.environment) return;
      const environment = ok.environment;
      if (!first(`change\0${c.service}\0${environment}\0${c.commit}`, at(['changes', i]), `change record for ${c.service} ${c.commit} in ${environment}`, { service: c.service, environment, evidence: 'changes' }))
        return;
      evidence.changes.push(changeRecord(c, environment, source, config.policies.ticketPattern));
    });

    inventory.history.forEach((h, i) => {
      const ok = check('history', i, h, 'deployment');
      if (!ok?.environment) return;
      evidence.history.push(historyRecord(h, ok.environment, source));
    });
  }

  // A declared service with no record at all is missing evidence; only said when at least one file was read.
  if (failed.length < files.length) {
    const note = failed.length > 0 ? ` (${failed.length} inventory file${failed.length === 1 ? '' : 's'} could not be used: ${failed.join(', ')})` : '';
    for (const service of context.services) {
      if (!seen.has(service.name)) gap({ service: service.name, evidence: 'all', reason: `no records for ${service.name} in ${context.label}${note}` });
    }
  }

  return sortEvidence(evidence);
}

type Records<K extends keyof Inventory> = Inventory[K] extends readonly (infer R)[] ? R : never;

function deploymentRecord(d: Records<'deployments'>, environment: string, source: string): Omit<Deployment, 'promotion'> {
  const deployment: Omit<Deployment, 'promotion'> = {
    service: d.service,
    environment,
    version: d.version,
    commit: d.commit,
    deployedAt: d.deployedAt,
    deployedBy: d.deployedBy,
    source,
    approvals: d.approvals.map((a): Approval => {
      const approval: Approval = { by: a.by, at: a.at ?? null, state: a.state, kind: a.kind };
      if (a.comment !== undefined) approval.comment = a.comment;
      if (a.url !== undefined) approval.url = redactUrl(a.url);
      return approval;
    }),
  };
  if (d.ref !== undefined) deployment.ref = d.ref;
  if (d.artifact !== undefined) deployment.artifact = d.artifact;
  if (d.url !== undefined) deployment.url = redactUrl(d.url);
  if (d.status !== undefined) deployment.status = d.status;
  if (d.components !== undefined) deployment.components = sortKeys(d.components);
  return deployment;
}

function configRecord(c: Records<'configs'>, environment: string, source: string, file: string): RawConfigRecord {
  const record: RawConfigRecord = { service: c.service, environment, source, values: sortKeys(c.values), origin: file };
  if (c.changedBy !== undefined) record.changedBy = c.changedBy;
  if (c.changedAt !== undefined) record.changedAt = c.changedAt;
  return record;
}

function observedRecord(o: Records<'observed'>, environment: string, source: string, now: string): Observed {
  const observed: Observed = { service: o.service, environment, version: o.version, commit: o.commit, at: o.at ?? now, source };
  if (o.url !== undefined) observed.url = redactUrl(o.url);
  return observed;
}

function changeRecord(c: Records<'changes'>, environment: string, source: string, ticketPattern: string): Change {
  const pullRequests = c.pullRequests
    .map((p): PullRequest => {
      const pr: PullRequest = { number: p.number, title: p.title, author: p.author, mergedBy: p.mergedBy, mergedAt: p.mergedAt, reviewers: [...new Set(p.reviewers)].sort(compare) };
      if (p.branch !== undefined) pr.branch = p.branch;
      if (p.url !== undefined) pr.url = redactUrl(p.url);
      return pr;
    })
    .sort((a, b) => a.number - b.number);
  const tickets =
    c.tickets !== undefined
      ? [...new Set(c.tickets)].sort(compare)
      : ticketsIn(pullRequests, ticketPattern);
  const change: Change = {
    service: c.service,
    environment,
    commit: c.commit,
    version: c.version,
    fromCommit: c.fromCommit,
    fromVersion: c.fromVersion,
    deployedAt: c.deployedAt,
    pullRequests,
    tickets,
    source,
  };
  return change;
}

function historyRecord(h: Records<'history'>, environment: string, source: string): HistoryEvent {
  const event: HistoryEvent = { service: h.service, environment, commit: h.commit, at: h.at, source };
  if (h.artifact !== undefined) event.artifact = h.artifact;
  if (h.version !== undefined) event.version = h.version;
  if (h.url !== undefined) event.url = redactUrl(h.url);
  return event;
}

function sortEvidence(e: Evidence): Evidence {
  const by =
    <T>(...keys: ((x: T) => string | number | undefined | null)[]) =>
    (a: T, b: T) => {
      for (const key of keys) {
        const x = key(a) ?? '';
        const y = key(b) ?? '';
        if (x < y) return -1;
        if (x > y) return 1;
      }
      return 0;
    };
  e.deployments.sort(by((d) => d.service, (d) => d.environment));
  e.history = dedupe(e.history).sort(by((h) => h.service, (h) => h.environment, (h) => h.at, (h) => h.commit, (h) => h.url));
  e.observed.sort(by((o) => o.service, (o) => o.environment));
  e.configs.sort(by((c) => c.service, (c) => c.environment));
  e.branches.sort(by((b) => b.service, (b) => b.name));
  e.changes.sort(by((c) => c.service, (c) => c.environment, (c) => c.deployedAt, (c) => c.commit));
  e.gaps.sort(by((g) => g.source, (g) => g.service, (g) => g.environment, (g) => g.evidence, (g) => g.reason));
  return e;
}

function dedupe<T>(items: T[]): T[] {
  const keys = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.keys(record).sort(compare).map((k) => [k, record[k]!]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
