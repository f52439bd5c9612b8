/**
 * What differs between two snapshots (in time) or two environments (in space).
 * Plain functions over snapshots; the results are plain JSON, sorted, so the
 * CLI prints them with `--json` and the site's compare pages render them.
 */
import { UsageError } from '../errors.ts';
import type { Change, ConfigRecord, Deployment, Finding, Severity, Snapshot, StoredValue } from '../model/index.ts';
import { SEVERITIES } from '../model/index.ts';
import { compareSecrets, isRedacted, whyNotComparable, type NotComparable } from '../model/secret-fingerprint.ts';
import { findGap } from '../model/gaps.ts';
import { sameCommit, sameVersion } from '../model/build.ts';
import { believedRunning, declarationOf, declaredEvidence } from '../model/believed.ts';
import { parseAt } from './ids.ts';
import { isOpen } from '../model/exception.ts';

/** A deployment as the diffs show it. */
export interface DeploymentState {
  version: string;
  commit: string;
  artifact: string | null;
  deployedAt: string;
  deployedBy: string;
  /** Set when no deployment record exists and the GitOps declaration stands for one (src/model/believed.ts). */
  declared?: { file: string; revision: string; changedBy?: string; changedAt?: string; source: string };
}

/** Which parts of a deployment differ. */
export type DeploymentField = 'version' | 'commit' | 'artifact';

export interface DeploymentDiff {
  service: string;
  environment: string;
  /** `redeployed`: same version, commit and artifact, deployed again. */
  change: 'added' | 'removed' | 'changed' | 'redeployed';
  from: DeploymentState | null;
  to: DeploymentState | null;
  /** The fields that differ (empty for added, removed and redeployed). */
  fields: DeploymentField[];
  /** Set when `from` is not the diff's first snapshot but the last one that knew the record (a gap hid it in between). */
  comparedWith?: string;
}

/** A record one side cannot speak for: a source gave no evidence for it there (a gap). Never counted as a change. */
export interface UnknownRecord {
  service: string;
  environment: string;
  source: string;
  /** `declared`: a GitOps declaration standing in for a deployment record (src/model/believed.ts). */
  evidence: 'deployment' | 'declared' | 'config';
  /** The snapshot whose gap hides the record. */
  hiddenIn: string;
  /** The gap's reason. */
  reason: string;
  /** What the other side knows (the deployment's version, or the config source's key count). */
  known: string;
}

/**
 * The last snapshot that knew a service's deployment in an environment hidden
 * by a gap: what it held there (null: known not deployed), or undefined when
 * no snapshot within reach knew.
 */
export type LastKnownDeployment = (service: string, environment: string) => { snapshot: string; deployment: Deployment | null } | undefined;

/**
 * Walks back from `a` through `earlier` (newest first, at most `limit`) for
 * the deployments of `b` that a gap in `a` hides, and answers for them.
 */
export async function lastKnownBefore(a: Snapshot, b: Snapshot, earlier: AsyncIterable<Snapshot>, limit = 31): Promise<LastKnownDeployment> {
  const found = new Map<string, { snapshot: string; deployment: Deployment | null }>();
  const open = new Map<string, Deployment>();
  const inA = deploymentsByKey(a);
  for (const [key, d] of deploymentsByKey(b)) {
    if (!inA.has(key) && findGap(a.gaps, { source: d.source, service: d.service, environment: d.environment, evidence: hiddenAs(d) })) open.set(key, d);
  }
  let seen = 0;
  if (open.size > 0) {
    for await (const s of earlier) {
      const held = deploymentsByKey(s);
      for (const [key, d] of [...open]) {
        const there = held.get(key);
        if (there) found.set(key, { snapshot: s.id, deployment: there });
        else if (!findGap(s.gaps, { source: d.source, service: d.service, environment: d.environment, evidence: hiddenAs(d) })) found.set(key, { snapshot: s.id, deployment: null });
        else continue;
        open.delete(key);
      }
      if (open.size === 0 || ++seen >= limit) break;
    }
  }
  return (service, environment) => found.get([service, environment].join(SEP));
}

export interface ConfigKeyDiff {
  service: string;
  environment: string;
  source: string;
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** The value shown to people: JSON for plain values, `(redacted)` or `(secret…)` otherwise; null when absent. */
  from: string | null;
  to: string | null;
  /** The value is secret: compared by hash (or update time), never shown. */
  redacted: boolean;
}

export interface FindingRef {
  id: string;
  rule: string;
  severity: Severity;
  service: string | null;
  environment: string | null;
  message: string;
  /** Silenced by an exception in force. */
  excepted: boolean;
}

export interface SnapshotRef {
  id: string;
  takenAt: string;
}

export interface SnapshotDiff {
  from: SnapshotRef;
  to: SnapshotRef;
  /** Per service and environment, sorted. */
  deployments: DeploymentDiff[];
  /** Per service, environment, source and key, sorted. */
  configs: ConfigKeyDiff[];
  /** Findings in `to` but not `from` (opened) and the reverse (closed), highest severity first. */
  findings: { opened: FindingRef[]; closed: FindingRef[] };
  /** Change records (pull requests, tickets) that `to` has and `from` does not, sorted. */
  changes: Change[];
  /** Every ticket key in `changes`, sorted, without repeats. */
  tickets: string[];
  /** Records a gap hides on one side: unknown there, so neither added nor removed. Sorted. */
  unknown: UnknownRecord[];
}

export interface EnvironmentSide {
  snapshot: string;
  takenAt: string;
  environment: string;
}

export interface ServiceEnvironmentDiff {
  service: string;
  /** `same`: same version, commit (and artifact when both have one). */
  status: 'same' | 'different' | 'only-a' | 'only-b';
  a: DeploymentState | null;
  b: DeploymentState | null;
  fields: DeploymentField[];
}

export interface ConfigEnvironmentDiff {
  service: string;
  source: string;
  key: string;
  /** Display value in environment A / B, null when the key is absent there. */
  a: string | null;
  b: string | null;
  redacted: boolean;
  /** Why the two sides cannot be said to be the same or different (secrets with no common fingerprint, or never read); null when they can. */
  notComparable: NotComparable | null;
  /** The service declares this key environment-specific (`envSpecificKeys`): the difference is expected. */
  envSpecific: boolean;
}

export interface EnvironmentDiff {
  a: EnvironmentSide;
  b: EnvironmentSide;
  /** Every service deployed in either environment, sorted. */
  services: ServiceEnvironmentDiff[];
  /** Only the config keys that differ, sorted. Secrets known by name only are compared by presence. */
  configs: ConfigEnvironmentDiff[];
}

export function diffSnapshots(a: Snapshot, b: Snapshot, options: { lastKnown?: LastKnownDeployment } = {}): SnapshotDiff {
  const deployments: DeploymentDiff[] = [];
  const unknown: UnknownRecord[] = [];
  const before = deploymentsByKey(a);
  const after = deploymentsByKey(b);
  for (const key of unionKeys(before, after)) {
    const [service, environment] = splitKey(key);
    let from = before.get(key);
    const to = after.get(key);
    let comparedWith: string | undefined;
    if (from && !to) {
      // Missing today because its source failed: unknown, not removed.
      const gap = findGap(b.gaps, { source: from.source, service, environment, evidence: hiddenAs(from) });
      if (gap) {
        unknown.push({ service, environment, source: from.source, evidence: hiddenAs(from), hiddenIn: b.id, reason: gap.reason, known: `${from.version} in ${a.id}` });
        continue;
      }
    }
    if (!from && to) {
      // Missing yesterday because its source failed: compared with the last snapshot that knew it, or unknown.
      const gap = findGap(a.gaps, { source: to.source, service, environment, evidence: hiddenAs(to) });
      if (gap) {
        const last = options.lastKnown?.(service, environment);
        if (!last) {
          unknown.push({ service, environment, source: to.source, evidence: hiddenAs(to), hiddenIn: a.id, reason: gap.reason, known: `${to.version} in ${b.id}` });
          continue;
        }
        from = last.deployment ?? undefined;
        comparedWith = last.snapshot;
      }
    }
    const since = comparedWith ? { comparedWith } : {};
    if (!from) deployments.push({ service, environment, change: 'added', from: null, to: state(to!), fields: [], ...since });
    else if (!to) deployments.push({ service, environment, change: 'removed', from: state(from), to: null, fields: [] });
    else {
      const fields = differingFields(from, to);
      if (fields.length > 0) deployments.push({ service, environment, change: 'changed', from: state(from), to: state(to), fields, ...since });
      else if (from.deployedAt !== to.deployedAt) deployments.push({ service, environment, change: 'redeployed', from: state(from), to: state(to), fields, ...since });
    }
  }

  // A config source that gave no evidence on one side: its keys are unknown there, not removed or added.
  const configsA = configIndex(a.configs).all;
  const configsB = configIndex(b.configs).all;
  const hidden = new Set<string>();
  for (const [side, other, snapshot] of [[configsA, configsB, b], [configsB, configsA, a]] as const) {
    for (const [prefix, group] of side) {
      if (other.has(prefix)) continue;
      const gap = findGap(snapshot.gaps, { source: group.source, service: group.service, environment: group.environment, evidence: 'config' });
      if (!gap) continue;
      hidden.add(prefix);
      const known = `${group.values.size} key${group.values.size === 1 ? '' : 's'} in ${snapshot === b ? a.id : b.id}`;
      unknown.push({ service: group.service, environment: group.environment, source: group.source, evidence: 'config', hiddenIn: snapshot.id, reason: gap.reason, known });
    }
  }
  const visible = (index: Map<string, ConfigGroup>) => (hidden.size === 0 ? index : new Map([...index].filter(([prefix]) => !hidden.has(prefix))));
  const configs: ConfigKeyDiff[] = [];
  for (const { group, key, x: from, y: to } of differingValues(visible(configsA), visible(configsB), 'time')) {
    configs.push({
      service: group.service,
      environment: group.environment,
      source: group.source,
      key,
      change: from === undefined ? 'added' : to === undefined ? 'removed' : 'changed',
      from: from === undefined ? null : displayValue(from),
      to: to === undefined ? null : displayValue(to),
      redacted: isSecret(from) || isSecret(to),
    });
  }
  unknown.sort((x, y) => compareTuples([x.service, x.environment, x.evidence, x.source], [y.service, y.environment, y.evidence, y.source]));

  const findingsBefore = new Map(a.findings.map((f) => [f.id, f]));
  const findingsAfter = new Map(b.findings.map((f) => [f.id, f]));
  const opened = b.findings.filter((f) => !findingsBefore.has(f.id)).map(findingRef).sort(bySeverityThenId);
  const closed = a.findings.filter((f) => !findingsAfter.has(f.id)).map(findingRef).sort(bySeverityThenId);

  const known = new Set(a.changes.map(changeKey));
  const changes = b.changes
    .filter((c) => !known.has(changeKey(c)))
    .sort((x, y) => compareTuples([x.service, x.environment, x.deployedAt, x.commit], [y.service, y.environment, y.deployedAt, y.commit]));
  const tickets = [...new Set(changes.flatMap((c) => c.tickets))].sort();

  return { from: ref(a), to: ref(b), deployments, configs, findings: { opened, closed }, changes, tickets, unknown };
}

/**
 * Two environments compared: of one snapshot (`diffEnvironments(s, 'prod', 'qa')`)
 * or of two (`diffEnvironments(a, 'prod', b, 'qa')`, for `prod@2026-03-14 qa@2026-03-10`).
 */
export function diffEnvironments(s: Snapshot, envA: string, envB: string): EnvironmentDiff;
export function diffEnvironments(a: Snapshot, envA: string, b: Snapshot, envB: string): EnvironmentDiff;
export function diffEnvironments(a: Snapshot, envA: string, third: Snapshot | string, fourth?: string): EnvironmentDiff {
  const b = typeof third === 'string' ? a : third;
  const envB = typeof third === 'string' ? third : fourth;
  if (envB === undefined) throw new TypeError('diffEnvironments: the second environment is missing');
  requireEnvironment(a, envA);
  requireEnvironment(b, envB);

  const inA = deploymentsByKey(a, envA);
  const inB = deploymentsByKey(b, envB);
  const services = unionKeys(inA, inB).map((service): ServiceEnvironmentDiff => {
    const da = inA.get(service);
    const db = inB.get(service);
    if (!da) return { service, status: 'only-b', a: null, b: state(db!), fields: [] };
    if (!db) return { service, status: 'only-a', a: state(da), b: null, fields: [] };
    const fields = differingFields(da, db);
    return { service, status: fields.length === 0 ? 'same' : 'different', a: state(da), b: state(db), fields };
  });

  // A service's declaration in A wins over B's; both are computed once per snapshot (a day has 15 compare pages).
  const specificA = envSpecificKeys(a);
  const specificB = envSpecificKeys(b);
  const envSpecific = { get: (service: string) => specificA.get(service) ?? specificB.get(service) };
  const configA = configIndex(a.configs).byEnvironment.get(envA) ?? new Map<string, ConfigGroup>();
  const configB = configIndex(b.configs).byEnvironment.get(envB) ?? new Map<string, ConfigGroup>();
  const configs: ConfigEnvironmentDiff[] = [];
  for (const { group, key, x: va, y: vb } of differingValues(configA, configB, 'presence')) {
    configs.push({
      service: group.service,
      source: group.source,
      key,
      a: va === undefined ? null : displayValue(va),
      b: vb === undefined ? null : displayValue(vb),
      redacted: isSecret(va) || isSecret(vb),
      notComparable: whyNotComparable(va, vb),
      envSpecific: envSpecific.get(group.service)?.has(key) ?? false,
    });
  }

  return { a: side(a, envA), b: side(b, envB), services, configs };
}

/**
 * Everything `diffEnvironments(s, a, b)` reads of one environment of a
 * snapshot: the state of the record believed to run for each service and the
 * merged config values, as text in a fixed order, memoised per snapshot. A
 * comparison of two environments of one snapshot is a function of their two
 * inputs and the services' env-specific declarations, so a compare page's
 * revision key (views/revisions.ts) hashes these instead of computing the
 * comparison for every pair of every day.
 */
export function environmentDiffInputs(s: Snapshot, environment: string): { states: ReadonlyMap<string, DeploymentState>; text: string } {
  let bySnapshot = diffInputs.get(s);
  if (!bySnapshot) diffInputs.set(s, (bySnapshot = new Map()));
  const held = bySnapshot.get(environment);
  if (held) return held;
  const states = new Map([...deploymentsByKey(s, environment)].map(([service, d]) => [service, state(d)]));
  const configs = [...(configIndex(s.configs).byEnvironment.get(environment) ?? new Map<string, ConfigGroup>())].map(([key, group]) => [key, [...group.values]]);
  const inputs = { states, text: JSON.stringify([[...states], configs]) };
  bySnapshot.set(environment, inputs);
  return inputs;
}
const diffInputs = new WeakMap<Snapshot, Map<string, { states: ReadonlyMap<string, DeploymentState>; text: string }>>();

/** A `diff` operand: `prod@2026-03-14` (an environment at a moment), or a date, time or snapshot id. */
export function parseDiffOperand(text: string): { environment?: string; at: string } {
  const input = text.trim();
  const at = input.indexOf('@');
  if (at === -1) {
    try {
      parseAt(input);
    } catch {
      throw new UsageError(`"${text}" is not a date, time, snapshot id or ENV@DATE; e.g. 2026-03-14, 2026-03-14T020000Z or prod@2026-03-14`);
    }
    return { at: input };
  }
  const environment = input.slice(0, at);
  const when = input.slice(at + 1);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(environment) || when === '') {
    throw new UsageError(`"${text}" is not ENV@DATE; write an environment name and a date, time or snapshot id, e.g. prod@2026-03-14`);
  }
  parseAt(when);
  return { environment, at: when };
}

/** How a stored config value is shown: plain values as JSON, secrets never. */
export function displayValue(value: StoredValue): string {
  if (value !== null && typeof value === 'object') {
    if ('redacted' in value) return '(redacted)';
    return value.updatedAt ? `(secret, updated ${value.updatedAt})` : '(secret)';
  }
  return JSON.stringify(value);
}

// ——— helpers ———

const SEP = '\u0000';

function splitKey(key: string): [string, string, string, string] {
  const [a = '', b = '', c = '', d = ''] = key.split(SEP);
  return [a, b, c, d];
}

/** Sorted union of two maps' keys (plain code-unit order, as everywhere in the ledger). */
function unionKeys<V>(x: ReadonlyMap<string, V>, y: ReadonlyMap<string, V>): string[] {
  return [...new Set([...x.keys(), ...y.keys()])].sort();
}

/**
 * One deployment per service and environment (or per service, when `environment`
 * is given). Should a snapshot hold two, the newest wins, then the source name,
 * so the choice never depends on array order.
 */
/** The kind of evidence whose gap hides a believed record: a declaration is hidden by a `declared` gap, a record by a `deployment` one. */
const hiddenAs = (d: Deployment) => (declarationOf(d) ? ('declared' as const) : ('deployment' as const));

function deploymentsByKey(s: Snapshot, environment?: string): ReadonlyMap<string, Deployment> {
  // Once per snapshot and environment: a day's 15 compare pages (and its index pass) ask for each
  // environment five times, and `believedRunning` sorts every record of the snapshot each time.
  let bySnapshot = deploymentMaps.get(s);
  if (!bySnapshot) deploymentMaps.set(s, (bySnapshot = new Map()));
  const slot = environment ?? ALL;
  const cached = bySnapshot.get(slot);
  if (cached) return cached;
  const out = new Map<string, Deployment>();
  bySnapshot.set(slot, out);
  // Deployment records, and declarations where there is none (src/model/believed.ts), sorted once for every environment.
  let believed = believedBySnapshot.get(s);
  if (!believed) believedBySnapshot.set(s, (believed = believedRunning(s)));
  for (const d of believed) {
    if (environment !== undefined && d.environment !== environment) continue;
    const key = environment === undefined ? [d.service, d.environment].join(SEP) : d.service;
    const held = out.get(key);
    if (!held || compareTuples([d.deployedAt, d.source], [held.deployedAt, held.source]) > 0) out.set(key, d);
  }
  return out;
}

const deploymentMaps = new WeakMap<Snapshot, Map<string | symbol, Map<string, Deployment>>>();
const believedBySnapshot = new WeakMap<Snapshot, readonly Deployment[]>();
const ALL = Symbol('every environment');

/** The merged values of one service's config source in one environment. */
interface ConfigGroup {
  service: string;
  environment: string;
  source: string;
  values: Map<string, StoredValue>;
}

/** A snapshot's config values grouped by service, environment and source; `byEnvironment` keys by service and source. */
interface ConfigIndex {
  all: Map<string, ConfigGroup>;
  byEnvironment: Map<string, Map<string, ConfigGroup>>;
}

const EMPTY = new Map<string, StoredValue>();

/**
 * Built once per snapshot (a day's 15 compare pages and its day diff share it;
 * rebuilding and sorting every value's composite key per pair was the compare
 * pages' main cost at 500 services). Records are merged in (origin, revision)
 * order so the result never depends on array order. Keys joined with NUL sort
 * as the tuples they join.
 */
const configIndexes = new WeakMap<readonly ConfigRecord[], ConfigIndex>();
function configIndex(records: readonly ConfigRecord[]): ConfigIndex {
  const cached = configIndexes.get(records);
  if (cached) return cached;
  const ordered = records
    .map((record) => ({ record, order: [record.service, record.environment, record.source, record.origin ?? '', record.revision ?? ''] }))
    .sort((x, y) => compareTuples(x.order, y.order));
  const index: ConfigIndex = { all: new Map(), byEnvironment: new Map() };
  for (const { record } of ordered) {
    const prefix = [record.service, record.environment, record.source].join(SEP);
    let group = index.all.get(prefix);
    if (!group) {
      group = { service: record.service, environment: record.environment, source: record.source, values: new Map() };
      index.all.set(prefix, group);
      let inEnvironment = index.byEnvironment.get(record.environment);
      if (!inEnvironment) index.byEnvironment.set(record.environment, (inEnvironment = new Map()));
      inEnvironment.set([record.service, record.source].join(SEP), group);
    }
    for (const [key, value] of Object.entries(record.values)) group.values.set(key, value);
  }
  configIndexes.set(records, index);
  return index;
}

/**
 * The secret keys (`service NUL key`) of one environment's merged config,
 * from the per-snapshot config index; memoised, as a day's 15 compare pages
 * ask for each environment several times. A stored value that is an object is
 * a redacted secret (`{ redacted, … }`).
 */
const secretKeySets = new WeakMap<readonly ConfigRecord[], Map<string, Set<string>>>();
export function secretConfigKeys(records: readonly ConfigRecord[], environment: string): ReadonlySet<string> {
  let byEnvironment = secretKeySets.get(records);
  if (!byEnvironment) secretKeySets.set(records, (byEnvironment = new Map()));
  let keys = byEnvironment.get(environment);
  if (!keys) {
    keys = new Set();
    for (const group of configIndex(records).byEnvironment.get(environment)?.values() ?? [])
      for (const [key, value] of group.values) if (value !== null && typeof value === 'object') keys.add(`${group.service}\u0000${key}`);
    byEnvironment.set(environment, keys);
  }
  return keys;
}

/**
 * The values that differ between two sets of config groups (matched by group key), in key order;
 * `undefined` on the side without the key. Groups holding the same values are skipped without sorting.
 */
function* differingValues(
  xs: Map<string, ConfigGroup>, ys: Map<string, ConfigGroup>, secrets: 'time' | 'presence',
): Generator<{ group: ConfigGroup; key: string; x: StoredValue | undefined; y: StoredValue | undefined }> {
  for (const prefix of unionKeys(xs, ys)) {
    const inX = xs.get(prefix);
    const inY = ys.get(prefix);
    if (inX && inY && sameValues(inX.values, inY.values, secrets)) continue;
    const group = (inX ?? inY)!;
    const valuesX = inX?.values ?? EMPTY;
    const valuesY = inY?.values ?? EMPTY;
    for (const key of unionKeys(valuesX, valuesY)) {
      const x = valuesX.get(key);
      const y = valuesY.get(key);
      if (x !== undefined && y !== undefined && sameValue(x, y, secrets)) continue;
      yield { group, key, x, y };
    }
  }
}

/** Whether two groups hold the same keys with the same values (the common case, skipped without sorting). */
function sameValues(x: Map<string, StoredValue>, y: Map<string, StoredValue>, secrets: 'time' | 'presence'): boolean {
  if (x.size !== y.size) return false;
  for (const [key, value] of x) {
    const other = y.get(key);
    if (other === undefined || !sameValue(value, other, secrets)) return false;
  }
  return true;
}

/** Which parts of two deployments name different builds, as src/model/build.ts decides (`v1.2.0` is `1.2.0`; an abbreviated commit is its commit). */
function differingFields(x: Deployment, y: Deployment): DeploymentField[] {
  const fields: DeploymentField[] = [];
  if (!sameVersion(x.version, y.version)) fields.push('version');
  // Two declarations know no commit: that is not a difference.
  if (!sameCommit(x.commit, y.commit) && !(declarationOf(x) && declarationOf(y) && !x.commit && !y.commit)) fields.push('commit');
  if ((x.artifact ?? null) !== (y.artifact ?? null) && !(x.artifact === undefined || y.artifact === undefined)) fields.push('artifact');
  return fields;
}

/**
 * Whether two stored values are the same. Redacted values compare by fingerprint.
 * A secret known only by name (`{ secret: true }`) compares by update time
 * across snapshots ('time'); across environments its value is unknowable, so
 * it is never the same ('presence': listed as not comparable).
 */
function sameValue(x: StoredValue, y: StoredValue, secrets: 'time' | 'presence'): boolean {
  const ox = typeof x === 'object' && x !== null ? x : null;
  const oy = typeof y === 'object' && y !== null ? y : null;
  if (!ox || !oy) return x === y;
  if (isRedacted(ox) && isRedacted(oy)) {
    // Across snapshots, fingerprints that cannot be compared claim no change; across environments they are listed as not comparable.
    const comparison = compareSecrets(ox, oy);
    return secrets === 'time' ? comparison !== 'different' : comparison === 'same';
  }
  // Across snapshots a name-only secret compares by its update time; across environments nothing about its value is known.
  if ('secret' in ox && 'secret' in oy) return secrets === 'time' && ox.updatedAt === oy.updatedAt;
  return false;
}

function isSecret(value: StoredValue | undefined): boolean {
  return typeof value === 'object' && value !== null;
}

function state(d: Deployment): DeploymentState {
  const declared = declarationOf(d);
  return { version: d.version, commit: d.commit, artifact: d.artifact ?? null, deployedAt: d.deployedAt, deployedBy: d.deployedBy, ...(declared ? { declared: declaredEvidence(declared) } : {}) };
}

function findingRef(f: Finding): FindingRef {
  return {
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    service: f.service ?? null,
    environment: f.environment ?? null,
    message: f.message,
    excepted: !isOpen(f),
  };
}

function bySeverityThenId(x: FindingRef, y: FindingRef): number {
  return SEVERITIES.indexOf(y.severity) - SEVERITIES.indexOf(x.severity) || compareTuples([x.id], [y.id]);
}

function changeKey(c: Change): string {
  return [c.service, c.environment, c.commit, c.fromCommit ?? '', c.deployedAt].join(SEP);
}

function ref(s: Snapshot): SnapshotRef {
  return { id: s.id, takenAt: s.takenAt };
}

function side(s: Snapshot, environment: string): EnvironmentSide {
  return { snapshot: s.id, takenAt: s.takenAt, environment };
}

function requireEnvironment(s: Snapshot, environment: string): void {
  let known = environmentNames.get(s);
  if (!known) environmentNames.set(s, (known = new Set([...s.environments.map((e) => e.name), ...s.deployments.map((d) => d.environment)])));
  if (!known.has(environment)) {
    throw new UsageError(`no environment "${environment}" in snapshot ${s.id}; known: ${[...known].sort().join(', ') || 'none'}`);
  }
}
const environmentNames = new WeakMap<Snapshot, Set<string>>();

/** Each service's environment-specific config keys, once per snapshot. */
function envSpecificKeys(s: Snapshot): Map<string, Set<string>> {
  let keys = envSpecificCache.get(s);
  if (!keys) envSpecificCache.set(s, (keys = new Map(s.services.map((x) => [x.name, new Set(x.envSpecificKeys)]))));
  return keys;
}
const envSpecificCache = new WeakMap<Snapshot, Map<string, Set<string>>>();

/** Compare string tuples element by element in code-unit order (never locale order, which varies by machine). */
export function compareTuples(x: readonly string[], y: readonly string[]): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const a = x[i] ?? '';
    const b = y[i] ?? '';
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}
