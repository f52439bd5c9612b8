/**
 * End to end: `scripts/demo.mjs` builds the whole demo ledger with the real
 * CLI (one `collect --at` per night, the CLI's `main` in the script's
 * process) into a temp folder, through the real network sources: the local
 * GitHub-compatible server, the version endpoints, a real GitOps repository
 * and the legacy inventory. The findings frozen in the snapshots show every
 * rule firing and, later, resolved — on the days INCIDENTS says — and the
 * ledger's deployments are the simulation's, night after night.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAYS, generateDemo, INCIDENTS, LEGACY, ON_GITHUB, type Incident } from '../../examples/acme/generate.ts';
import { RULE_IDS, snapshotSchema, type Finding, type Snapshot } from '../../src/model/index.ts';
import { buildMatrix } from '../../src/views/index.ts';
import { MANUAL_SET_IMAGE, manualImage } from '../../examples/acme/kubernetes.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

let dir: string;
let demoLog: string;
const byDay = new Map<string, Snapshot>();
const rawFiles: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'acme-demo-'));
  const { stderr } = await run(process.execPath, ['scripts/demo.mjs', '--dir', dir, '--no-build', '--no-serve'], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  demoLog = stderr;
  const folder = path.join(dir, 'content', 'snapshots');
  for (const name of (await readdir(folder)).filter((n) => n.endsWith('.json')).sort()) {
    const text = await readFile(path.join(folder, name), 'utf8');
    rawFiles.push(text);
    const snapshot = snapshotSchema.parse(JSON.parse(text));
    byDay.set(snapshot.takenAt.slice(0, 10), snapshot);
  }
}, 900_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const findingsOn = (day: string): Finding[] => byDay.get(day)?.findings ?? [];
const matching = (incident: Incident) => (f: Finding) =>
  f.rule === incident.rule &&
  (incident.service === undefined || f.service === incident.service) &&
  (incident.environment === undefined || f.environment === incident.environment);

describe('the demo ledger', () => {
  it('has one verified snapshot per night', () => {
    expect([...byDay.keys()]).toEqual(DAYS);
    expect(demoLog).toContain(`verify: ok: ${DAYS.length} snapshots verified`);
  });

  it('raises every rule on some day and has it resolved (absent) on a later day', () => {
    const report = RULE_IDS.map((rule) => {
      const firing = DAYS.filter((d) => findingsOn(d).some((f) => f.rule === rule));
      const first = firing[0];
      const resolved = first === undefined ? undefined : DAYS.find((d) => d > first && !findingsOn(d).some((f) => f.rule === rule));
      return { rule, first: first ?? null, resolved: resolved ?? null };
    });
    expect(report.filter((r) => r.first === null || r.resolved === null)).toEqual([]);
  });

  it('shows each scripted incident open on the day it should fire and gone on the day it should be resolved', () => {
    const wrong: string[] = [];
    for (const incident of INCIDENTS) {
      const what = `${incident.rule} ${incident.service ?? ''} ${incident.environment ?? ''}`;
      if (!findingsOn(incident.firesOn).some(matching(incident))) wrong.push(`${what}: not open on ${incident.firesOn}`);
      if (incident.resolvedOn && findingsOn(incident.resolvedOn).some(matching(incident))) wrong.push(`${what}: still open on ${incident.resolvedOn}`);
    }
    expect(wrong).toEqual([]);
  });

  it('silences the excepted finding while its exception is in force, and reopens it with exception.expired after', () => {
    const drift = INCIDENTS.find((i) => i.rule === 'drift.version')!;
    const excepted = findingsOn(drift.firesOn).find(matching(drift))!;
    expect(excepted.exception?.expires).toBe('2026-10-10');
    const reopened = findingsOn('2026-10-11').find(matching(drift))!;
    expect(reopened.exception).toBeUndefined();
    expect(findingsOn('2026-10-11').filter((f) => f.rule === 'exception.expired').map((f) => f.service)).toEqual([drift.service]);
    const branch = INCIDENTS.find((i) => i.rule === 'branch.not-merged-back' && i.resolvedOn === null)!;
    expect(findingsOn(DAYS.at(-1)!).find(matching(branch))?.exception?.approvedBy).toBe('cfo');
  });

  it('answers `show --at <day> --json` with that day\'s findings', async () => {
    const { stdout } = await run(process.execPath, ['bin/release-ledger.mjs', 'show', '--config', path.join(dir, 'release-ledger.config.yaml'), '--at', '2026-10-11', '--json'], { cwd: ROOT });
    const shown = JSON.parse(stdout) as { findings: Finding[] };
    expect(shown.findings.map((f) => f.id).sort()).toEqual(findingsOn('2026-10-11').map((f) => f.id).sort());
    expect(shown.findings.some((f) => f.rule === 'exception.expired')).toBe(true);
  });

  it('never stores a secret value from the inventory, nor the token the demo gives the GitHub source', async () => {
    const secrets = new Set<string>();
    for (const day of generateDemo().days)
      for (const c of day.inventory.configs)
        for (const [key, value] of Object.entries(c.values)) if (/PASSWORD|TOKEN|_KEY|HSM_|_SEED/.test(key)) secrets.add(String(value));
    expect(secrets.size).toBeGreaterThan(10);
    const leaked = [...secrets].filter((s) => rawFiles.some((text) => text.includes(s)));
    expect(leaked).toEqual([]);
    const cache = await readFile(path.join(dir, '.ledger-cache', 'github-etags.json'), 'utf8');
    // Nor the made-up tokens of the Kubernetes and Argo CD servers.
    const tokens = ['acme-demo-token-not-a-secret', 'acme-demo-argocd-token-not-a-secret', ...['dev', 'qa', 'staging', 'prod'].map((env) => `acme-demo-kube-${env}-token-not-a-secret`)];
    for (const text of [...rawFiles, cache, demoLog]) for (const token of tokens) expect(text.includes(token), token).toBe(false);
  });

  it('collects each service from its sources: GitHub, the version endpoints and GitOps, or the legacy inventory', () => {
    const day = byDay.get(DAYS.at(-1)!)!;
    expect(day.sources.map((s) => `${s.name}:${s.type}`)).toEqual(['argocd:argocd', 'github:github', 'gitops:gitops', 'inventory:file', 'kubernetes:kubernetes', 'runtime:http']);
    const from = (list: { service: string; source: string }[]) => Object.fromEntries([...new Set(list.map((d) => `${d.service}=${d.source}`))].sort().map((k) => k.split('=')));
    expect(from(day.deployments)).toEqual(Object.fromEntries([...ON_GITHUB.map((s) => [s.name, 'github']), ...LEGACY.map((n) => [n, 'inventory'])].sort()));
    expect(Object.keys(from(day.observed.filter((o) => o.source === 'runtime'))).sort()).toEqual(ON_GITHUB.map((s) => s.name).sort());
    // The clusters (by digest) and Argo CD see every service on GitHub, in every environment.
    for (const source of ['kubernetes', 'argocd']) expect(day.observed.filter((o) => o.source === source).length, source).toBe(ON_GITHUB.length * 4);
    expect(Object.keys(from(day.declared)).sort()).toEqual(ON_GITHUB.map((s) => s.name).sort());
    // Approvals read from the workflow runs' deployment reviews, with the environment's protection rules.
    const prod = day.deployments.find((d) => d.service === 'payments-api' && d.environment === 'prod')!;
    expect(prod.approvals.map((a) => a.kind)).toEqual(['deployment']);
    expect(prod.protection).toMatchObject({ requiredReviewers: ['team:release-managers'], preventSelfReview: true });
  });

  it('records, every night, what the simulation deployed: version, commit, artifact, deployer and time', () => {
    const wrong: string[] = [];
    for (const day of generateDemo().days) {
      const snapshot = byDay.get(day.date)!;
      const missing = INCIDENTS.filter((i) => i.rule === 'source.gap' && i.firesOn === day.date && LEGACY.includes(i.service ?? '')).map((i) => i.service);
      for (const want of day.deployed.filter((d) => !missing.includes(d.service))) {
        const got = snapshot.deployments.find((d) => d.service === want.service && d.environment === want.environment);
        const same = got && got.version.replace(/^v/, '') === want.version && got.commit === want.commit && got.artifact === want.artifact && got.deployedAt === want.deployedAt && got.deployedBy === want.deployedBy;
        if (!same) wrong.push(`${day.date} ${want.service}/${want.environment}: ${got ? `${got.version} ${got.commit.slice(0, 7)} ${got.artifact ?? 'no artifact'} ${got.deployedAt} ${got.deployedBy}` : 'missing'}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('costs mostly 304s on a night after the first: the ETag cache is kept between nights', () => {
    const nights = demoLog.split('\n').filter((l) => l.startsWith('day '));
    expect(nights).toHaveLength(DAYS.length);
    const counts = nights.map((l) => /github (\d+) requests \((\d+) not modified, \d+ GraphQL\)/.exec(l)!.slice(1).map(Number));
    expect(counts[0]![1]).toBe(0);
    for (const [total, notModified] of counts.slice(1) as [number, number][]) expect(notModified / total).toBeGreaterThan(0.7);
  });

  it('shows the manual kubectl set image as drift.runtime on digests: the running digest, the deployed one and the pods', () => {
    const incident = INCIDENTS.find((i) => i.rule === 'drift.runtime' && i.service === MANUAL_SET_IMAGE.service)!;
    const snapshot = byDay.get(incident.firesOn)!;
    const deployed = snapshot.deployments.find((d) => d.service === incident.service && d.environment === incident.environment)!;
    const manual = manualImage(deployed.version.replace(/^v/, ''));
    const finding = snapshot.findings.find(matching(incident))!;
    expect(finding.message).toContain(`artifact ${manual.digest} is not deployed artifact ${deployed.artifact}`);
    const observed = (finding.evidence.observed as { source: string; digests?: { digest: string; pods: string[] }[] }[]).find((o) => o.source === 'kubernetes')!;
    expect(observed.digests?.map((d) => d.digest)).toEqual([manual.digest]);
    expect(observed.digests![0]!.pods.length).toBeGreaterThanOrEqual(2);
    // Argo CD reports it OutOfSync; the night before and the night it is resolved, the cluster runs what was deployed.
    expect(finding.evidence.mismatches as string[]).toContainEqual(expect.stringContaining('OutOfSync'));
    const before = DAYS[DAYS.indexOf(incident.firesOn) - 1]!;
    for (const day of [before, incident.resolvedOn!]) expect(findingsOn(day).filter(matching(incident)), day).toEqual([]);
  });

  it('shows the stuck prod rollout as pods of one workload on two digests', () => {
    const incident = INCIDENTS.find((i) => i.rule === 'drift.runtime' && i.service !== MANUAL_SET_IMAGE.service)!;
    const finding = findingsOn(incident.firesOn).find(matching(incident))!;
    expect((finding.evidence.mismatches as string[]).some((m) => /^observed \(kubernetes\) Deployment\/[a-z-]+\/[a-z-]+: pods run 2 different digests: sha256:[0-9a-f]{64} \(pods? [^)]+\), sha256:[0-9a-f]{64} \(pods? [^)]+\)$/.test(m))).toBe(true);
  });

  it('keeps Argo CD\'s syncs, with who started each, on GitHub\'s deployment records: the self-approved prod deployment was synced by its approver', () => {
    const incident = INCIDENTS.find((i) => i.rule === 'approval.self')!;
    const snapshot = byDay.get(incident.firesOn)!;
    const prod = snapshot.deployments.find((d) => d.service === incident.service && d.environment === 'prod')!;
    expect(prod.source).toBe('github');
    expect(prod.syncs?.[0]?.by).toBe('rosa');
    expect(prod.approvals.filter((a) => a.state === 'approved').map((a) => a.by)).toContain('rosa');
    // Every service on GitHub has its syncs, at most Argo CD's 10; dev is Argo CD's own auto-sync.
    const onGithub = snapshot.deployments.filter((d) => d.source === 'github');
    expect(onGithub.every((d) => d.syncs !== undefined && d.syncs.length >= 1 && d.syncs.length <= 10)).toBe(true);
    expect(onGithub.filter((d) => d.environment === 'dev').every((d) => d.syncs![0]!.by === 'automated')).toBe(true);
  });

  it('every matrix cell of every night agrees with the findings of that night: no ⚠ or ≠ without the finding, none missing (issue 18)', () => {
    let cells = 0;
    let shown = 0;
    const wrong: string[] = [];
    for (const [day, snapshot] of byDay) {
      const has = (rule: string, service: string, environment: string) => snapshot.findings.some((f) => f.rule === rule && f.service === service && f.environment === environment);
      for (const row of buildMatrix(snapshot).rows) {
        for (const cell of row.cells) {
          cells++;
          if (cell.status === 'mismatch' || cell.neighbour === 'drift') shown++;
          if ((cell.status === 'mismatch') !== has('drift.runtime', row.service, cell.environment)) wrong.push(`${day} ${row.service}/${cell.environment}: ⚠ ${cell.status === 'mismatch'}`);
          if ((cell.neighbour === 'drift') !== has('drift.version', row.service, cell.environment)) wrong.push(`${day} ${row.service}/${cell.environment}: ≠ ${cell.neighbour === 'drift'}`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(cells).toBeGreaterThan(DAYS.length * 50);
    // The demo's runtime drift and pinned staging do show: the check is not vacuous.
    expect(shown).toBeGreaterThan(0);
  });
});
