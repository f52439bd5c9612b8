/**
 * The demo organisation's simulation (examples/acme/generate.ts): pure,
 * deterministic, big enough, in the `file` source's format, and scripted so
 * that every rule has an incident. The end-to-end check that the real rules
 * fire and resolve is in demo-e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  configForDay,
  DAYS,
  DEPLOYED,
  ENVIRONMENTS,
  generateDemo,
  INCIDENTS,
  inventoryFiles,
  LIBRARIES,
  PIN_EXCEPTION_EXPIRES,
  SERVICES,
  type Demo,
} from '../../examples/acme/generate.ts';
import { inventorySchema, loadConfig, parseConfig, RULE_IDS, type Config } from '../../src/model/index.ts';
import { isSecretKey } from '../../src/snapshot/redact.ts';
import { parseInventory } from '../../src/sources/inventory.ts';

const CONFIG = path.resolve(import.meta.dirname, '../../examples/acme/release-ledger.config.yaml');

let demo: Demo;
let config: Config;
beforeAll(async () => {
  demo = generateDemo();
  config = (await loadConfig(CONFIG)).config;
});

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('the simulation', () => {
  it('is deterministic: two runs are deep-equal and hash the same', () => {
    const again = generateDemo();
    expect(again).toEqual(demo);
    expect(hashOf(again)).toBe(hashOf(demo));
  });

  it('has a stable output (update this hash only when the simulation is meant to change)', () => {
    expect(hashOf(demo)).toMatchInlineSnapshot(`"d683408e8df3bbc1e8f582b7593939c43456ad6db004f6bc8b7fdb8bde01aa19"`);
  });

  it('changes with the seed, and --days only shortens it', () => {
    expect(hashOf(generateDemo({ seed: 7 }).days)).not.toBe(hashOf(demo.days));
    expect(generateDemo({ days: 5 }).days).toEqual(demo.days.slice(0, 5));
  });

  it('is an organisation of at least 12 services, 2 libraries with dependents, 4 environments, 60+ days', () => {
    expect(DEPLOYED.length).toBeGreaterThanOrEqual(12);
    expect(LIBRARIES).toHaveLength(2);
    for (const library of LIBRARIES) expect(SERVICES.filter((s) => library in s.dependsOn).length).toBeGreaterThanOrEqual(3);
    expect(ENVIRONMENTS).toEqual(['dev', 'qa', 'staging', 'prod']);
    expect(DAYS.length).toBeGreaterThanOrEqual(60);
    expect(demo.days.map((d) => d.date)).toEqual(DAYS);
    expect(demo.days.every((d) => d.at === `${d.date}T02:00:00Z`)).toBe(true);
  });

  it('describes every service in every environment every night, except the scripted missing service', () => {
    for (const day of demo.days) {
      const missing = INCIDENTS.filter((i) => i.rule === 'source.gap' && i.service && i.firesOn === day.date).map((i) => i.service);
      const expected = DEPLOYED.filter((s) => !missing.includes(s.name)).length * ENVIRONMENTS.length;
      expect(day.inventory.deployments, day.date).toHaveLength(expected);
      expect(day.inventory.configs, day.date).toHaveLength(expected);
      expect(day.inventory.observed, day.date).toHaveLength(expected);
    }
  });

  it('deploys something most working days, with pull requests, tickets and reviewers', () => {
    const withChanges = demo.days.filter((d) => d.inventory.changes.length > 0);
    expect(withChanges.length).toBeGreaterThan(DAYS.length / 2);
    const changes = demo.days.flatMap((d) => d.inventory.changes);
    expect(changes.every((c) => c.pullRequests.length > 0)).toBe(true);
    expect(changes.flatMap((c) => c.pullRequests).every((pr) => pr.reviewers.length > 0 && !pr.reviewers.includes(pr.author) || pr.author === 'rosa')).toBe(true);
    expect(new Set(changes.flatMap((c) => c.tickets).map((t) => t.split('-')[0])).size).toBeGreaterThanOrEqual(10);
  });

  it('writes times as YYYY-MM-DDTHH:MM:SSZ, commits as 40 hex, artifacts as sha256 digests', () => {
    const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
    for (const day of demo.days) {
      for (const d of day.inventory.deployments) {
        expect(d.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(d.artifact).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(d.deployedAt).toMatch(time);
        expect(d.deployedAt < day.at).toBe(true);
        for (const a of d.approvals) expect(a.at).toMatch(time);
      }
      for (const o of day.inventory.observed) expect(o.at).toMatch(time);
    }
  });

  it('declares, each night, an inventory that matches the file source schema', () => {
    for (const day of demo.days) expect(inventorySchema.safeParse(day.inventory).error, day.date).toBeUndefined();
  });

  it('writes files the file source accepts — and one it rejects on the scripted nights', () => {
    const malformedNights = INCIDENTS.filter((i) => i.rule === 'source.gap' && !i.service).map((i) => i.firesOn);
    expect(malformedNights).toHaveLength(2);
    // Parsing YAML with positions is slow-ish: every tenth night plus the broken ones.
    for (const day of demo.days.filter((d, i) => i % 10 === 0 || malformedNights.includes(d.date))) {
      const files = inventoryFiles(day);
      for (const [name, text] of Object.entries(files)) {
        const parsed = parseInventory(text, name);
        if (name === 'zz-manual-edit.yaml') {
          expect(malformedNights).toContain(day.date);
          expect(parsed.ok).toBe(false);
        } else expect(parsed, `${day.date} ${name}`).toMatchObject({ ok: true });
      }
      expect('zz-manual-edit.yaml' in files).toBe(malformedNights.includes(day.date));
      // Split per team, the files hold exactly the day's inventory.
      const merged = Object.entries(files).filter(([n]) => n !== 'zz-manual-edit.yaml').flatMap(([, t]) => (parse(t) as { deployments: unknown[] }).deployments);
      expect(merged).toHaveLength(day.inventory.deployments.length);
    }
  });

  it('keeps every secret key recognisable as secret (so it is stored redacted)', () => {
    const patterns = (service: string) => [...config.policies.secretKeys, ...(config.services.find((s) => s.name === service)?.secretKeys ?? [])];
    const keys = new Set(demo.days[0]!.inventory.configs.flatMap((c) => Object.keys(c.values).map((k) => `${c.service}/${k}`)));
    const secret = [...keys].filter((k) => isSecretKey(k.split('/')[1]!, patterns(k.split('/')[0]!)));
    for (const spec of DEPLOYED) for (const key of [...spec.secrets, ...(spec.database ? ['DB_PASSWORD'] : [])]) expect(secret).toContain(`${spec.name}/${key}`);
    expect(secret.some((k) => k.endsWith('/LOG_LEVEL') || k.endsWith('/FEATURE_FLAGS'))).toBe(false);
  });

  it('keeps every service dependency range met, except the scripted incompatible library build', () => {
    const incompatible = new Set<string>();
    for (const day of demo.days) {
      for (const d of day.inventory.deployments) {
        const spec = SERVICES.find((s) => s.name === d.service)!;
        for (const [dep, range] of Object.entries(spec.dependsOn)) {
          const running = LIBRARIES.includes(dep) ? d.components?.[dep] : day.inventory.deployments.find((o) => o.service === dep && o.environment === d.environment)?.version;
          if (running && !semver.satisfies(running, range)) incompatible.add(`${d.service}/${d.environment}/${dep}`);
        }
      }
    }
    expect([...incompatible].sort()).toEqual(['card-gateway/dev/ledger-core', 'card-gateway/qa/ledger-core']);
  });
});

describe('INCIDENTS', () => {
  it('covers every rule id, each firing inside the timeline and resolved later at least once', () => {
    expect(new Set(INCIDENTS.map((i) => i.rule))).toEqual(new Set(RULE_IDS));
    for (const rule of RULE_IDS) {
      const mine = INCIDENTS.filter((i) => i.rule === rule);
      expect(mine.every((i) => DAYS.includes(i.firesOn)), rule).toBe(true);
      expect(mine.some((i) => i.resolvedOn !== null && i.resolvedOn > i.firesOn && DAYS.includes(i.resolvedOn)), rule).toBe(true);
    }
  });

  it('are all in the README table, with their days', async () => {
    const readme = await readFile(path.resolve(import.meta.dirname, '../../examples/acme/README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| 2026-'));
    expect(rows).toHaveLength(INCIDENTS.length);
    for (const i of INCIDENTS) expect(rows.some((r) => r.startsWith(`| ${i.firesOn} | ${i.resolvedOn ?? '—'} | \`${i.rule}\``)), `${i.rule} ${i.firesOn}`).toBe(true);
  });

  it('is what generateDemo reports', () => {
    expect(demo.incidents).toEqual(INCIDENTS);
  });

  it('leaves, for every rule, a day after its first incident when none of its incidents is open', () => {
    const open = (rule: string, day: string) => INCIDENTS.some((i) => i.rule === rule && i.firesOn <= day && (i.resolvedOn === null || day < i.resolvedOn));
    for (const rule of RULE_IDS) {
      const first = INCIDENTS.filter((i) => i.rule === rule).map((i) => i.firesOn).sort()[0]!;
      expect(DAYS.some((d) => d > first && !open(rule, d)), rule).toBe(true);
    }
  });

  it('matches the inventory: the hotfix, the unapproved and self-approved deployments, the stale version endpoint', () => {
    const on = (day: string) => demo.days.find((d) => d.date === day)!.inventory;
    const hotfix = INCIDENTS.find((i) => i.rule === 'promotion.bypass')!;
    const prod = on(hotfix.firesOn).deployments.find((d) => d.service === hotfix.service && d.environment === 'prod')!;
    expect(on(hotfix.firesOn).history.filter((h) => h.commit === prod.commit).map((h) => h.environment)).toEqual(['prod']);

    const missing = INCIDENTS.find((i) => i.rule === 'approval.missing')!;
    expect(on(missing.firesOn).deployments.find((d) => d.service === missing.service && d.environment === 'prod')!.approvals).toEqual([]);
    expect(on(missing.resolvedOn!).deployments.find((d) => d.service === missing.service && d.environment === 'prod')!.approvals).toHaveLength(1);

    const self = INCIDENTS.find((i) => i.rule === 'approval.self')!;
    const selfDeployment = on(self.firesOn).deployments.find((d) => d.service === self.service && d.environment === 'prod')!;
    expect(selfDeployment.approvals.map((a) => a.by)).toEqual([selfDeployment.deployedBy]);

    const runtime = INCIDENTS.find((i) => i.rule === 'drift.runtime')!;
    const versions = (day: string) => {
      const inv = on(day);
      const deployed = inv.deployments.find((d) => d.service === runtime.service && d.environment === 'prod')!;
      const observed = inv.observed.find((d) => d.service === runtime.service && d.environment === 'prod')!;
      return [deployed.version === observed.version, deployed.commit.startsWith(observed.commit)];
    };
    expect(versions(runtime.firesOn)).toEqual([false, false]);
    expect(versions(runtime.resolvedOn!)).toEqual([true, true]);
  });

  it('pins staging past maxDriftDays, covered by an exception that expires while the drift is open', () => {
    const drift = INCIDENTS.find((i) => i.rule === 'drift.version')!;
    expect(config.policies.maxDriftDays).toBe(14);
    const exception = config.exceptions.find((e) => e.rule === 'drift.version')!;
    expect(exception.service).toBe(drift.service);
    expect(exception.expires).toBe(PIN_EXCEPTION_EXPIRES);
    expect(drift.firesOn < PIN_EXCEPTION_EXPIRES && PIN_EXCEPTION_EXPIRES < drift.resolvedOn!).toBe(true);
    // And one exception stays in force to the end.
    expect(config.exceptions.some((e) => e.expires > DAYS.at(-1)!)).toBe(true);
  });
});

describe('the config', () => {
  it('loads, and declares the organisation the simulation runs', () => {
    expect(config.name).toBe('Acme Payments');
    expect(config.environments.map((e) => e.name)).toEqual([...ENVIRONMENTS]);
    expect(config.environments.find((e) => e.name === 'prod')).toMatchObject({ production: true, requiredApprovals: 1 });
    expect(config.sources).toEqual({ inventory: { type: 'file', path: 'inventory', environments: {} } });
    expect(config.snapshotsDir).toBe('content/snapshots');
    expect(config.services.map((s) => ({ name: s.name, kind: s.kind, owner: s.owner, dependsOn: s.dependsOn }))).toEqual(
      SERVICES.map((s) => ({ name: s.name, kind: s.kind, owner: s.team, dependsOn: s.dependsOn })),
    );
    for (const s of config.services) expect(s.sources).toEqual(s.kind === 'library' ? [] : ['inventory']);
  });

  it('declares every key that differs between environments as environment-specific', () => {
    for (const day of [demo.days[0]!, demo.days.at(-1)!]) {
      for (const spec of DEPLOYED) {
        const values = ENVIRONMENTS.map((env) => day.inventory.configs.find((c) => c.service === spec.name && c.environment === env)!.values);
        const differing = Object.keys(values[0]!).filter((k) => new Set(values.map((v) => JSON.stringify(v[k]))).size > 1);
        const declared = config.services.find((s) => s.name === spec.name)!.envSpecificKeys;
        expect(differing.filter((k) => !declared.includes(k)), `${spec.name} on ${day.date}`).toEqual([]);
      }
    }
  });

  it('loses the expired exception on the day the team deletes it, and only that one', async () => {
    const text = await readFile(CONFIG, 'utf8');
    const [cleanup] = demo.cleanups;
    expect(demo.cleanups).toHaveLength(1);
    expect(configForDay(text, DAYS[0]!, demo.cleanups)).toBe(text);
    const before = parseConfig(configForDay(text, DAYS[DAYS.indexOf(cleanup!.removedOn) - 1]!, demo.cleanups), 'day.yaml');
    const after = parseConfig(configForDay(text, cleanup!.removedOn, demo.cleanups), 'day.yaml');
    expect(before.exceptions).toHaveLength(2);
    expect(after.exceptions.map((e) => e.rule)).toEqual(['branch.not-merged-back']);
    expect({ ...after, exceptions: [] }).toEqual({ ...config, exceptions: [] });
  });
});
