/**
 * Internal helpers shared by the rule families; not exported from `index.ts`.
 * A rule is a pure function of a `RuleContext` returning `RuleResult`s; the
 * index turns those into findings (ids, severities, `since`, exceptions).
 */
import type { EnvironmentConfig, RuleId, ServiceConfig } from '../model/config.ts';
import type { ConfigRecord, Deployment, Snapshot, StoredValue } from '../model/snapshot.ts';
import { compareSecrets, describeSecret, fingerprintOf, isRedacted } from '../model/secret-fingerprint.ts';
import { findGap, type GapEvidence } from '../model/gaps.ts';

export type DraftSnapshot = Omit<Snapshot, 'findings'>;

import { DAY_MS } from '../model/time.ts';

export { DAY_MS };

export interface RuleContext {
  draft: DraftSnapshot;
  previous: Snapshot | null;
  /** `draft.takenAt` in milliseconds: the only clock rules use. */
  now: number;
  /** Environment names in promotion order, lowest first. */
  order: string[];
  environment(name: string): EnvironmentConfig | undefined;
  service(name: string): ServiceConfig | undefined;
  deployment(service: string, environment: string): Deployment | undefined;
  /** The previous snapshot's deployment, if any. */
  previousDeployment(service: string, environment: string): Deployment | undefined;
  /** Whether the snapshot has a gap for this service/environment covering `evidence` (or `all`). */
  hasGap(service: string, environment: string, evidence: GapEvidence): boolean;
}

/**
 * What a rule returns; `index.ts` adds id, severity, since and exception.
 * `since` is always when the finding was first seen open (the snapshot
 * schema's definition); when the problem itself began (a drift's start) is
 * the rule's evidence and message, not `since`.
 */
export interface RuleResult {
  rule: RuleId;
  service?: string;
  environment?: string;
  /** Extra id parts, e.g. a config key or branch name (slugified into the id). */
  detail?: string[];
  message: string;
  resolution: string;
  evidence: Record<string, unknown>;
}

export type Rule = (ctx: RuleContext) => RuleResult[];

export function createContext(draft: DraftSnapshot, previous: Snapshot | null): RuleContext {
  const key = (s: string, e: string) => `${s}\u0000${e}`;
  const deployments = new Map(draft.deployments.map((d) => [key(d.service, d.environment), d]));
  const previousDeployments = new Map((previous?.deployments ?? []).map((d) => [key(d.service, d.environment), d]));
  const environments = new Map(draft.environments.map((e) => [e.name, e]));
  const services = new Map(draft.services.map((s) => [s.name, s]));
  return {
    draft,
    previous,
    now: Date.parse(draft.takenAt),
    order: draft.environments.map((e) => e.name),
    environment: (name) => environments.get(name),
    service: (name) => services.get(name),
    deployment: (s, e) => deployments.get(key(s, e)),
    previousDeployment: (s, e) => previousDeployments.get(key(s, e)),
    hasGap: (s, e, evidence) => findGap(draft.gaps, { service: s, environment: e, evidence }) !== undefined,
  };
}

/** An id part safe in URLs and `#anchors`: letters, digits, `.`, `_`, `-`. */
export function slug(text: string): string {
  const s = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return s || '_';
}

/** A commit as people read it. */
export const short = (commit: string | null | undefined) => (commit ? commit.slice(0, 7) : 'unknown');

/** Whole days (one decimal) between two instants. */
export const daysBetween = (fromMs: number, toMs: number) => Math.floor(((toMs - fromMs) / DAY_MS) * 10) / 10;

/** A config value as it may be shown: redacted values by a short hash, never the secret. */
export function showValue(v: StoredValue | undefined): string {
  if (v === undefined) return '(absent)';
  if (v !== null && typeof v === 'object') {
    if (isRedacted(v)) return describeSecret(v);
    return `secret (updated ${v.updatedAt ?? 'at an unknown time'})`;
  }
  return JSON.stringify(v);
}

/**
 * The comparable form of a stored value: plain values by their text (YAML's
 * `6` and `"6"` are the same setting), redacted ones by fingerprint; `null` when
 * the value cannot be compared (a secret the source never reveals, or one
 * stored with no fingerprint).
 */
export function comparable(v: StoredValue): string | null {
  if (isRedacted(v)) {
    const f = fingerprintOf(v);
    return f ? `${f.scheme}:${f.value}` : null;
  }
  if (v !== null && typeof v === 'object') return null;
  return `=${String(v)}`;
}

/**
 * Whether a stored value changed between two snapshots, secrets included (by
 * fingerprint or update time). Two secrets whose fingerprints cannot be
 * compared (a key rotation, no key) did not visibly change: nothing is claimed.
 */
export function changed(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  if (isRedacted(a) && isRedacted(b)) return compareSecrets(a, b) === 'different';
  return JSON.stringify(a ?? '\u0000absent') !== JSON.stringify(b ?? '\u0000absent');
}

/** One service/environment's config: every record's values merged (sources in sorted order, first wins per key). */
export interface MergedConfig {
  values: Map<string, StoredValue>;
  /** Which record each key came from. */
  from: Map<string, ConfigRecord>;
  /** Sources that reported config here. */
  sources: string[];
}

export function mergedConfigs(records: ConfigRecord[]): Map<string, MergedConfig> {
  const out = new Map<string, MergedConfig>();
  const sorted = [...records].sort((a, b) => {
    const ka = [a.service, a.environment, a.source, a.origin ?? ''].join('\u0000');
    const kb = [b.service, b.environment, b.source, b.origin ?? ''].join('\u0000');
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const r of sorted) {
    const k = `${r.service}\u0000${r.environment}`;
    let m = out.get(k);
    if (!m) out.set(k, (m = { values: new Map(), from: new Map(), sources: [] }));
    if (!m.sources.includes(r.source)) m.sources.push(r.source);
    for (const [name, value] of Object.entries(r.values)) {
      if (m.values.has(name)) continue;
      m.values.set(name, value);
      m.from.set(name, r);
    }
  }
  return out;
}

/** The sentence every resolution ends with: how to accept the finding for now. */
export function exceptionHint(rule: RuleId, service: string | undefined, environment: string | undefined): string {
  const where = [`rule: ${rule}`, `service: ${service ?? '…'}`, ...(environment ? [`environment: ${environment}`] : [])].join(', ');
  return `To accept it for a while, add an exception to the config: { ${where}, reason, approvedBy, expires: YYYY-MM-DD }.`;
}

