/**
 * Configuration: keys that differ between environments without being declared
 * environment-specific (`config.drift`), and values or secrets that changed
 * with no deployment (`config.unrecorded-change`).
 */
import picomatch from 'picomatch';
import type { ServiceConfig } from '../model/config.ts';
import type { StoredValue } from '../model/snapshot.ts';
import { changed, comparable, exceptionHint, mergedConfigs, showValue, type Rule, type RuleResult } from './_context.ts';

export const driftDocs = {
  title: 'Configuration differs between environments',
  why: 'A config key has a different value in an environment than in the one before it on the promotion path (or exists in only one of them) although it is not declared environment-specific, so the build validated below ran with different settings.',
  resolve:
    'Align the value, or add the key to the service\'s `envSpecificKeys` if it is meant to differ (hosts, replicas, credentials). Secret values are compared by hash only. Or record an exception.',
};

export const unrecordedChangeDocs = {
  title: 'Configuration changed without a deployment',
  why: 'A config value or secret changed between two snapshots while the deployment stayed the same, so production behaviour changed with no deployment record, approval or change ticket behind it.',
  resolve: 'Make configuration changes through a deployment (so they are approved and recorded), or confirm the change and record an exception.',
};

const envSpecific = (service: ServiceConfig | undefined) => {
  const patterns = service?.envSpecificKeys ?? [];
  const matchers = patterns.map((p) => picomatch(p));
  return (key: string) => patterns.includes(key) || matchers.some((m) => m(key));
};

/**
 * Compared between neighbouring environments of the path, like promotions:
 * every difference then shows up exactly once, at the step where it appears.
 * A key present on one side only is reported too, but only when both sides
 * were read by the same sources — otherwise a source that failed for one
 * environment would raise a finding for every key.
 */
export const configDrift: Rule = (ctx) => {
  const out: RuleResult[] = [];
  const merged = mergedConfigs(ctx.draft.configs);
  const services = [...new Set(ctx.draft.configs.map((c) => c.service))].sort();
  for (const service of services) {
    const exempt = envSpecific(ctx.service(service));
    for (let i = 0; i + 1 < ctx.order.length; i++) {
      const lower = ctx.order[i]!;
      const higher = ctx.order[i + 1]!;
      const lo = merged.get(`${service}\u0000${lower}`);
      const hi = merged.get(`${service}\u0000${higher}`);
      if (!lo || !hi) continue;
      const sameSources = lo.sources.join('\u0000') === hi.sources.join('\u0000');
      const keys = [...new Set([...lo.values.keys(), ...hi.values.keys()])].sort();
      for (const key of keys) {
        if (exempt(key)) continue;
        const a = lo.values.get(key);
        const b = hi.values.get(key);
        let what: string;
        if (a === undefined || b === undefined) {
          if (!sameSources) continue;
          what = a === undefined ? `is set in ${higher} but not in ${lower}` : `is set in ${lower} but not in ${higher}`;
        } else {
          const ca = comparable(a);
          const cb = comparable(b);
          if (ca === null || cb === null || ca === cb) continue;
          what = `is ${showValue(b)} in ${higher} but ${showValue(a)} in ${lower}`;
        }
        const side = (env: string, v: StoredValue | undefined, from: ReturnType<typeof merged.get>) => {
          const r = from?.from.get(key);
          return { environment: env, value: v === undefined ? null : v, present: v !== undefined, ...(r ? { source: r.source, ...(r.origin ? { origin: r.origin } : {}), ...(r.revision ? { revision: r.revision } : {}) } : {}) };
        };
        out.push({
          rule: 'config.drift',
          service,
          environment: higher,
          detail: [key],
          message: `${service} config key ${key} ${what}, and it is not declared environment-specific.`,
          resolution: `Align ${key} between ${lower} and ${higher}, or add it to ${service}'s envSpecificKeys if it is meant to differ. ${exceptionHint('config.drift', service, higher)}`,
          evidence: { key, lower: side(lower, a, lo), higher: side(higher, b, hi) },
        });
      }
    }
  }
  return out;
};

/**
 * An event, not a state: it is raised in the snapshot where the change is
 * first seen. "No deployment" means the same commit deployed at the same
 * time in both snapshots (a redeploy of the same commit is a deployment).
 */
export const configUnrecordedChange: Rule = (ctx) => {
  const previous = ctx.previous;
  if (!previous) return [];
  const out: RuleResult[] = [];
  const now = mergedConfigs(ctx.draft.configs);
  const before = mergedConfigs(previous.configs);
  for (const [k, cur] of [...now.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const old = before.get(k);
    if (!old) continue; // config first read today: nothing to compare with
    const [service, environment] = k.split('\u0000') as [string, string];
    const d = ctx.deployment(service, environment);
    const pd = ctx.previousDeployment(service, environment);
    if (d || pd) {
      if (!d || !pd || d.commit !== pd.commit || d.deployedAt !== pd.deployedAt) continue;
    }
    const keys = [...new Set([...cur.values.keys(), ...old.values.keys()])].sort();
    for (const key of keys) {
      const a = old.values.get(key);
      const b = cur.values.get(key);
      // A key vanishing because its source did not answer today is a gap, not a change.
      if (b === undefined && !cur.sources.includes(old.from.get(key)?.source ?? '')) continue;
      if (!changed(a, b)) continue;
      const r = cur.from.get(key) ?? old.from.get(key);
      out.push({
        rule: 'config.unrecorded-change',
        service,
        environment,
        detail: [key],
        message: `${service} config key ${key} in ${environment} changed from ${showValue(a)} to ${showValue(b)} between ${previous.id} and ${ctx.draft.id} with no deployment${d ? ` (still ${d.version}, ${d.commit.slice(0, 7)}, deployed ${d.deployedAt})` : ''}.`,
        resolution: `Confirm who changed ${key} and why, and make such changes through a recorded, approved deployment. ${exceptionHint('config.unrecorded-change', service, environment)}`,
        evidence: {
          key,
          old: a === undefined ? null : a,
          new: b === undefined ? null : b,
          previousSnapshot: previous.id,
          ...(r?.changedBy ? { changedBy: r.changedBy } : {}),
          ...(r?.changedAt ? { changedAt: r.changedAt } : {}),
          ...(r ? { source: r.source, ...(r.origin ? { origin: r.origin } : {}), ...(r.revision ? { revision: r.revision } : {}) } : {}),
          deployment: d ? { version: d.version, commit: d.commit, deployedAt: d.deployedAt } : null,
        },
      });
    }
  }
  return out;
};
