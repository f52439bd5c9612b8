/**
 * The demo organisation's simulation (examples/acme/generate.ts): pure,
 * deterministic, big enough, consistent across what each source sees (the
 * GitHub organisation, the GitOps commits, the version endpoints, the legacy
 * inventory), and scripted so that every rule has an incident. The
 * end-to-end check that the real rules fire and resolve through the real
 * sources is in demo-e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { load as parse } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  configForDay,
  DAYS,
  DEMO_PORTS,
  DEPLOYED,
  ENVIRONMENTS,
  generateDemo,
  githubScenario,
  INCIDENTS,
  inventoryFiles,
  LEGACY,
  LIBRARIES,
  ON_GITHUB,
  PIN_EXCEPTION_EXPIRES,
  SERVICES,
  withPorts,
  type Demo,
  type DemoDay,
} from '../../examples/acme/generate.ts';
import { inventorySchema, loadConfig, parseConfig, RULE_IDS, type Config } from '../../src/model/index.ts';
import { isSecretKey } from '../../src/model/redact.ts';
import { parseInventory } from '../../collectors/file/inventory.ts';
import { MANUAL_SET_IMAGE } from '../../examples/acme/kubernetes.ts';

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
    expect(hashOf(demo)).toMatchInlineSnapshot(`"7998e2b5a38b4e8103ced189acc0311cd545598a0548f40526b623b05e95fcec"`);
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
    expect(demo.days.every((d) => d.at === `${d.date}T22:30:00Z`)).toBe(true);
  });

  it('splits the organisation: two legacy services in the inventory, the others on GitHub, GitOps and version endpoints', () => {
    expect([...LEGACY].sort()).toEqual(['reporting-service', 'webhook-dispatcher']);
    expect(ON_GITHUB.map((s) => s.name).sort()).toEqual(DEPLOYED.map((s) => s.name).filter((n) => !LEGACY.includes(n)).sort());
    expect(demo.github.map((r) => r.name)).toEqual(ON_GITHUB.map((s) => s.name));
  });

  it('describes every legacy service in every environment every night in the inventory, except the scripted missing service', () => {
    for (const day of demo.days) {
      const missing = INCIDENTS.filter((i) => i.rule === 'source.gap' && i.service && i.firesOn === day.date).map((i) => i.service);
      const expected = LEGACY.filter((s) => !missing.includes(s)).length * ENVIRONMENTS.length;
      expect(day.inventory.deployments, day.date).toHaveLength(expected);
      expect(day.inventory.configs, day.date).toHaveLength(expected);
      expect(day.inventory.observed, day.date).toHaveLength(expected);
      expect(day.inventory.deployments.every((d) => LEGACY.includes(d.service))).toBe(true);
    }
  });

  it('answers on a version endpoint for every service on GitHub in every environment every night', () => {
    for (const day of demo.days) {
      expect(day.runtime.map((r) => `${r.service}/${r.environment}`).sort(), day.date).toEqual(ON_GITHUB.flatMap((s) => ENVIRONMENTS.map((e) => `${s.name}/${e}`)).sort());
      for (const r of day.runtime) expect(r.shape === 'plain-text' ? r.commit === null : /^[0-9a-f]{7}$/.test(r.commit ?? ''), `${r.service} ${r.shape}`).toBe(true);
    }
    expect(new Set(demo.days[0]!.runtime.map((r) => r.shape))).toEqual(new Set(['flat', 'spring-boot', 'plain-text']));
  });

  it('deploys something most working days, with pull requests, tickets and reviewers', () => {
    const last = githubScenario(demo, demo.days.at(-1)!.at, 't');
    const pulls = last.repos.flatMap((r) => r.pulls);
    const mergedOn = new Set(pulls.map((p) => p.mergedAt!.slice(0, 10)));
    expect(DAYS.filter((d) => mergedOn.has(d)).length).toBeGreaterThan(DAYS.length / 2);
    expect(pulls.every((pr) => (pr.reviews.length > 0 && !pr.reviews.some((r) => r.user === pr.author)) || pr.author === 'rosa')).toBe(true);
    expect(new Set(pulls.flatMap((p) => [...`${p.title} ${p.headRef}`.matchAll(/[A-Z][A-Z0-9]+-[0-9]+/g)].map((m) => m[0].split('-')[0]))).size).toBeGreaterThanOrEqual(10);
    const changes = demo.days.flatMap((d) => d.inventory.changes);
    expect(changes.length).toBeGreaterThan(10);
    expect(changes.every((c) => c.pullRequests.length > 0)).toBe(true);
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

  it('keeps every secret key recognisable as secret (so it is stored redacted), and out of GitHub variables and the GitOps repository', () => {
    const patterns = (service: string) => [...config.policies.secretKeys, ...(config.services.find((s) => s.name === service)?.secretKeys ?? [])];
    const keys = new Set(demo.days[0]!.inventory.configs.flatMap((c) => Object.keys(c.values).map((k) => `${c.service}/${k}`)));
    const secret = [...keys].filter((k) => isSecretKey(k.split('/')[1]!, patterns(k.split('/')[0]!)));
    for (const spec of DEPLOYED.filter((s) => LEGACY.includes(s.name)))
      for (const key of [...spec.secrets, ...(spec.database ? ['DB_PASSWORD'] : [])]) expect(secret).toContain(`${spec.name}/${key}`);
    expect(secret.some((k) => k.endsWith('/LOG_LEVEL') || k.endsWith('/FEATURE_FLAGS'))).toBe(false);
    // On GitHub they are environment secrets (names and dates only); variables and GitOps files hold no secret key.
    const repos = githubScenario(demo, demo.days.at(-1)!.at, 't').repos;
    for (const spec of ON_GITHUB) {
      const repo = repos.find((r) => r.name === spec.name)!;
      for (const env of repo.environments) {
        expect(env.secrets!.map((s) => s.name).sort()).toEqual([...spec.secrets, ...(spec.database ? ['DB_PASSWORD'] : [])].sort());
        expect(env.variables!.filter((v) => isSecretKey(v.name, patterns(spec.name)))).toEqual([]);
      }
    }
    const files = demo.days.flatMap((d) => d.gitops.flatMap((c) => Object.values(c.files))).join('\n');
    expect(files).not.toMatch(/PASSWORD|TOKEN|HSM_PIN|SIGNING_SEED|JWT_SIGNING_KEY/);
  });

  it('keeps every service dependency range met, except the scripted incompatible library build', () => {
    const incompatible = new Set<string>();
    for (const day of demo.days) {
      for (const d of day.deployed) {
        const spec = SERVICES.find((s) => s.name === d.service)!;
        for (const [dep, range] of Object.entries(spec.dependsOn)) {
          const running = LIBRARIES.includes(dep) ? d.components[dep] : day.deployed.find((o) => o.service === dep && o.environment === d.environment)?.version;
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

  it('matches what GitHub and the version endpoints show: the hotfix, the unapproved and self-approved deployments, the stale endpoint', () => {
    const on = (day: string) => demo.days.find((d) => d.date === day)!;
    const repoOn = (day: string, service: string) => githubScenario(demo, on(day).at, 't').repos.find((r) => r.name === service)!;
    const active = (day: string, service: string, env: string) => {
      const repo = repoOn(day, service);
      const list = repo.deployments.filter((d) => d.environment === (env === 'prod' ? 'production' : env));
      return list.filter((d) => d.statuses.at(-1)?.state === 'success').sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
    };

    const hotfix = INCIDENTS.find((i) => i.rule === 'promotion.bypass')!;
    const prod = active(hotfix.firesOn, hotfix.service!, 'prod');
    expect(repoOn(hotfix.firesOn, hotfix.service!).deployments.filter((d) => d.sha === prod.sha).map((d) => d.environment)).toEqual(['production']);
    expect(Object.keys(repoOn(hotfix.firesOn, hotfix.service!).branches).filter((b) => b.startsWith('hotfix/'))).toEqual([prod.ref.replace(/^v/, 'hotfix/')]);

    // No workflow run behind the unapproved deployment; the next one went through the gate.
    const missing = INCIDENTS.find((i) => i.rule === 'approval.missing')!;
    const bypassed = active(missing.firesOn, missing.service!, 'prod');
    expect(bypassed.statuses.every((s) => s.logUrl === undefined)).toBe(true);
    const gated = active(missing.resolvedOn!, missing.service!, 'prod');
    const runId = Number(/\/actions\/runs\/(\d+)/.exec(gated.statuses[0]!.logUrl!)![1]);
    expect(repoOn(missing.resolvedOn!, missing.service!).runs.find((r) => r.id === runId)!.approvals.map((a) => a.state)).toEqual(['approved']);

    // The self-approved run: its only reviewer created the deployment, and production allows it there.
    const self = INCIDENTS.find((i) => i.rule === 'approval.self')!;
    const selfDeployment = active(self.firesOn, self.service!, 'prod');
    const selfRun = Number(/\/actions\/runs\/(\d+)/.exec(selfDeployment.statuses[0]!.logUrl!)![1]);
    expect(repoOn(self.firesOn, self.service!).runs.find((r) => r.id === selfRun)!.approvals.map((a) => a.user)).toEqual([selfDeployment.creator]);
    expect(repoOn(self.firesOn, self.service!).environments.find((e) => e.name === 'production')!.preventSelfReview).toBe(false);

    // The stuck rollout: the endpoint reports the previous build while GitHub records the new one.
    const runtime = INCIDENTS.find((i) => i.rule === 'drift.runtime' && i.service !== MANUAL_SET_IMAGE.service)!;
    const agrees = (day: string) => {
      const reported = on(day).runtime.find((r) => r.service === runtime.service && r.environment === 'prod')!;
      const deployed = active(day, runtime.service!, 'prod');
      return [deployed.ref === `v${reported.version}`, deployed.sha.startsWith(reported.commit!)];
    };
    expect(agrees(runtime.firesOn)).toEqual([false, false]);
    expect(agrees(runtime.resolvedOn!)).toEqual([true, true]);
  });

  it('keeps GitHub consistent: commits before what references them, tags on release commits, one GitHub gap night', () => {
    for (const timeline of demo.github) {
      const dateOf = new Map(timeline.commits.map((c) => [c.sha, c.date]));
      for (const c of timeline.commits) for (const p of c.parents) expect(dateOf.get(p)! < c.date, `${timeline.name} ${c.sha}`).toBe(true);
      for (const d of timeline.deployments) {
        expect(dateOf.get(d.sha)! < d.createdAt, `${timeline.name} deployment ${d.id}`).toBe(true);
        const times = d.statuses.map((s) => s.createdAt);
        expect(times).toEqual([...times].sort());
      }
      for (const t of timeline.tags) expect(dateOf.get(t.sha), `${timeline.name} ${t.name}`).toBe(t.at);
      for (const p of timeline.pulls) for (const sha of p.commits) expect(dateOf.get(sha)! <= p.mergedAt!, `${timeline.name} #${p.number}`).toBe(true);
    }
    // The rebuild moves its label's tag: two placements of one name.
    const rebuilt = demo.github.find((t) => t.name === INCIDENTS.find((i) => i.rule === 'promotion.artifact-mismatch')!.service)!;
    expect(rebuilt.tags.length - new Set(rebuilt.tags.map((t) => t.name)).size).toBe(1);
    const faults = demo.days.filter((d) => d.githubFaults.length > 0);
    expect(faults.map((d) => d.date)).toEqual([INCIDENTS.find((i) => i.rule === 'source.gap' && i.service === 'identity-service')!.firesOn]);
    expect(new RegExp(faults[0]!.githubFaults[0]!.pattern).test('GET /repos/acme/identity-service/environments?per_page=100')).toBe(true);
  });

  it('commits to GitOps in time order, by the deploy bot and, for the hand edit, by a person', () => {
    const commits = demo.days.flatMap((d) => d.gitops);
    expect(commits.map((c) => c.at)).toEqual(commits.map((c) => c.at).sort());
    expect(new Set(commits.map((c) => c.at)).size).toBeGreaterThan(300);
    for (const day of demo.days) for (const c of day.gitops) expect(c.at < day.at).toBe(true);
    const edit = INCIDENTS.find((i) => i.rule === 'config.unrecorded-change' && i.service === 'merchant-portal')!;
    const byHand = demo.days.find((d) => d.date === edit.firesOn)!.gitops.filter((c) => c.author !== 'acme-deploy-bot');
    expect(byHand.map((c) => [c.author, Object.keys(c.files)])).toEqual([['sami', ['environments/prod/merchant-portal/values.yaml', 'environments/prod/merchant-portal/config.yaml']]]);
    expect(byHand[0]!.files['environments/prod/merchant-portal/config.yaml']).toContain('LOG_LEVEL: "debug"');
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
    expect(Object.keys(config.sources).sort()).toEqual(['argocd', 'github', 'gitops', 'inventory', 'kubernetes', 'runtime']);
    // One cluster per environment, each a compatible server on its fixed port with its own token variable; Argo CD's syncs are history, GitHub records deployments.
    expect(config.sources.kubernetes).toMatchObject({
      type: 'kubernetes',
      clusters: Object.fromEntries(ENVIRONMENTS.map((env) => [env, { server: `https://127.0.0.1:${DEMO_PORTS[`kube-${env}`]}`, tokenEnv: `ACME_DEMO_KUBE_TOKEN_${env.toUpperCase()}`, caFile: '.work/kube-ca.pem' }])),
    });
    expect(config.sources.argocd).toMatchObject({ type: 'argocd', baseUrl: `http://127.0.0.1:${DEMO_PORTS.argocd}`, tokenEnv: 'ACME_DEMO_ARGOCD_TOKEN', deployments: false });
    expect(config.sources.github).toMatchObject({ type: 'github', baseUrl: `http://127.0.0.1:${DEMO_PORTS.github}/api/v3`, tokenEnv: 'ACME_DEMO_GITHUB_TOKEN', environments: { prod: 'production' } });
    expect(config.sources.gitops).toMatchObject({ type: 'gitops', path: '.work/gitops' });
    expect(config.sources.inventory).toEqual({ type: 'file', path: 'inventory', environments: {} });
    expect(config.snapshotsDir).toBe('content/snapshots');
    expect(config.services.map((s) => ({ name: s.name, kind: s.kind, owner: s.owner, dependsOn: s.dependsOn }))).toEqual(
      SERVICES.map((s) => ({ name: s.name, kind: s.kind, owner: s.team, dependsOn: s.dependsOn })),
    );
    for (const s of config.services) {
      expect(s.sources, s.name).toEqual(s.kind === 'library' ? [] : LEGACY.includes(s.name) ? ['inventory'] : ['github', 'runtime', 'gitops', 'kubernetes', 'argocd']);
      if (!LEGACY.includes(s.name) && s.kind === 'service') expect(s.versionUrl).toEqual({ '*': `http://127.0.0.1:${DEMO_PORTS.runtime}/${s.name}/{environment}/version` });
    }
  });

  it('names the servers\' actual ports in the night\'s copy when a fixed port was taken', async () => {
    const text = await readFile(CONFIG, 'utf8');
    expect(withPorts(text, DEMO_PORTS)).toBe(text);
    const moved = parseConfig(withPorts(text, { github: 50001, runtime: 50002 }), 'day.yaml');
    expect(moved.sources.github).toMatchObject({ baseUrl: 'http://127.0.0.1:50001/api/v3' });
    expect(moved.services.find((s) => s.name === 'payments-api')!.versionUrl['*']).toBe('http://127.0.0.1:50002/payments-api/{environment}/version');
    // Only the ports that moved: prod's cluster and Argo CD here, the other clusters stay.
    const kube = parseConfig(withPorts(text, { 'kube-prod': 50016, argocd: 50012 }), 'day.yaml');
    expect(kube.sources.argocd).toMatchObject({ baseUrl: 'http://127.0.0.1:50012' });
    expect(kube.sources.kubernetes).toMatchObject({ clusters: { prod: { server: 'https://127.0.0.1:50016' }, staging: { server: `https://127.0.0.1:${DEMO_PORTS['kube-staging']}` } } });
  });

  it('declares every key that differs between environments as environment-specific', () => {
    // The GitOps ConfigMaps as they stand on a night: every file's last write before it.
    const filesOn = (day: DemoDay) => {
      const files = new Map<string, string>();
      for (const c of demo.days.filter((d) => d.date <= day.date).flatMap((d) => d.gitops)) for (const [f, t] of Object.entries(c.files)) files.set(f, t);
      return files;
    };
    for (const day of [demo.days[0]!, demo.days.at(-1)!]) {
      const files = filesOn(day);
      for (const spec of ON_GITHUB) {
        const values = ENVIRONMENTS.map((env) => (parse(files.get(`environments/${env}/${spec.name}/config.yaml`)!) as { data: Record<string, string> }).data);
        const differing = Object.keys(values[0]!).filter((k) => new Set(values.map((v) => v[k])).size > 1);
        const declared = config.services.find((s) => s.name === spec.name)!.envSpecificKeys;
        expect(differing.filter((k) => !declared.includes(k)), `${spec.name} on ${day.date}`).toEqual([]);
      }
      for (const spec of DEPLOYED.filter((s) => LEGACY.includes(s.name))) {
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
