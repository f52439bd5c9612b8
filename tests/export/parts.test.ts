/**
 * The export assembled from per-snapshot parts (src/export/parts.ts, what the
 * site's period files use) against `exportPopulation` reading the ledger:
 * the same bytes and manifest for every closed month and quarter, a period
 * beginning before the ledger, an open one and an empty one, on a ledger with
 * several snapshots a day, deployment gaps that hide a deployment for a
 * snapshot, an environment that becomes production, releases running across
 * months, and deployments recorded before their own time (a source's clock).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPopulation } from '../../src/export/extract.ts';
import type { ExportFormat } from '../../src/export/format.ts';
import { assembleExport, productionChanges, snapshotPart, type SnapshotPart } from '../../src/export/parts.ts';
import type { ChangeRow } from '../../src/export/population.ts';
import { readSnapshotFile, sha256Hex, snapshotIdToDate } from '../../src/ledger/index.ts';
import type { Deployment, SnapshotInput } from '../../src/model/index.ts';
import { closedPeriods } from '../../src/views/audit.ts';
import { buildChain, buildChange, buildDeployment } from '../helpers/snapshot-builder.ts';

const START = Date.parse('2025-12-31T05:00:00Z');
const STEP = 13 * 3_600_000;
const N = 190;
const GENERATOR = { name: 'release-ledger', version: 'test' };
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Snapshot i of the ledger: three services released every few snapshots to staging and prod, a monthly job deployed at 01:00 on the 1st but recorded up to a day early, gaps now and then. */
function edit(i: number): Partial<SnapshotInput> {
  const t = START + i * STEP;
  const deployments: Deployment[] = [];
  const changes = [];
  for (const [k, service] of ['api', 'web', 'db'].entries()) {
    const every = 3 + 2 * k;
    const release = Math.floor(i / every);
    const at = iso(START + release * every * STEP - (k + 1) * 3_600_000);
    for (const environment of ['staging', 'prod']) deployments.push(buildDeployment({ service, environment, version: `1.${release}.0`, deployedAt: at, approvals: [{ by: 'bob', at, state: 'approved', kind: 'deployment' }] }));
    if (service === 'api') changes.push(buildChange({ service, environment: 'prod', version: `1.${release}.0`, deployedAt: at, pullRequests: [{ number: release, title: `Release ${release}, "quoted"`, author: 'dave', mergedBy: 'erin', mergedAt: at, reviewers: ['erin'] }] }));
  }
  // The job of the month whose 1st 01:00 is at most a day ahead of this snapshot.
  const ahead = new Date(t + 24 * 3_600_000);
  const job = Date.UTC(ahead.getUTCFullYear(), ahead.getUTCMonth(), 1, 1);
  deployments.push(buildDeployment({ service: 'cron', environment: 'prod', version: `2026.${new Date(job).getUTCMonth() + 1}`, deployedAt: iso(job) }));
  const gaps = [];
  // A gap hides web's prod deployment for one snapshot; it comes back in the next.
  if (i % 17 === 5) gaps.push({ source: 'github', service: 'web', environment: 'prod', evidence: 'deployment', reason: 'rate limited' });
  if (i % 23 === 7) gaps.push({ source: 'github', evidence: 'all', reason: 'unreachable' });
  if (i % 19 === 3) gaps.push({ source: 'github', environment: 'staging', evidence: 'deployment', reason: 'staging only' });
  return {
    environments: [
      { name: 'staging', production: i >= 60, requiredApprovals: 1 },
      { name: 'prod', production: true, requiredApprovals: 1 },
    ],
    services: ['api', 'web', 'db', 'cron'].map((name) => ({ name, repo: `acme/${name}`, sources: ['github'] })),
    deployments: i % 17 === 5 ? deployments.filter((d) => !(d.service === 'web' && d.environment === 'prod')) : deployments,
    configs: [],
    changes,
    gaps,
  };
}

let dir: string;
let snapshotsDir: string;
let ids: string[];
const parts = new Map<string, SnapshotPart>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-export-parts-'));
  snapshotsDir = path.join(dir, 'snapshots');
  ids = (await buildChain(snapshotsDir, N, { start: iso(START), stepHours: STEP / 3_600_000, edit })).ids;
  let previous = null;
  for (const id of ids) {
    const { snapshot, sha256, bytes } = await readSnapshotFile(snapshotsDir, id, undefined);
    parts.set(id, snapshotPart(id, snapshot, sha256, sha256Hex(bytes), previous));
    previous = { id, changes: productionChanges(snapshot) };
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `exportPopulation` writes for a production period as of `asOf`. */
async function extracted(period: { from: string; to: string }, asOf: string, format: ExportFormat) {
  const chunks: string[] = [];
  const rows: ChangeRow[] = [];
  const { manifest } = await exportPopulation({
    snapshotsDir, period: { ...period, environments: null }, format, asOf, target: { write: (text) => chunks.push(text), name: `population.${format}` },
    extractedAt: snapshotIdToDate(asOf), generator: GENERATOR, onRow: (row) => rows.push(row),
  });
  return { text: chunks.join(''), manifest, rows };
}

const assembled = (period: { from: string; to: string }, asOf: string, format: ExportFormat) =>
  assembleExport({ ids, period, asOf, format, name: `population.${format}`, extractedAt: snapshotIdToDate(asOf), generator: GENERATOR, partOf: (id) => parts.get(id) });

describe('an export assembled from per-snapshot parts', () => {
  it('is byte for byte what exportPopulation writes, for every closed month and quarter, in CSV and JSON', async () => {
    const periods = closedPeriods(ids);
    expect(periods.map((p) => p.name)).toEqual(expect.arrayContaining(['2026-01', '2026-02', '2026-03', '2026-Q1']));
    let rows = 0;
    for (const p of periods) {
      for (const format of ['csv', 'json'] as const) {
        const want = await extracted(p, p.closingId, format);
        const got = assembled(p, p.closingId, format);
        expect(got, `${p.name} ${format}`).not.toBeNull();
        expect(got!.text, `${p.name} ${format}`).toBe(want.text);
        expect(got!.manifest, `${p.name} ${format}`).toEqual(want.manifest);
        expect(got!.rows).toEqual(want.rows);
        rows += want.rows.length;
      }
    }
    expect(rows).toBeGreaterThan(100);
  });

  it('holds where it could go wrong: a period beginning before the ledger, an open one, one with no snapshot, staging once it is production, jobs recorded early, gaps', async () => {
    const head = ids.at(-1)!;
    const cases = [
      { from: '2025-12-15', to: '2026-01-10' },
      { from: '2026-04-20', to: '2026-06-30' },
      { from: '2027-01-01', to: '2027-01-31' },
      { from: '2026-03-01', to: '2026-03-01' },
      { from: '2026-02-28', to: '2026-03-02' },
    ];
    for (const period of cases) {
      for (const asOf of [head, ids[100]!]) {
        const want = await extracted(period, asOf, 'csv');
        expect(assembled(period, asOf, 'csv')?.text, `${period.from}..${period.to} as of ${asOf}`).toBe(want.text);
        expect(assembled(period, asOf, 'csv')?.manifest).toEqual(want.manifest);
      }
    }
    const march = await extracted({ from: '2026-03-01', to: '2026-03-31' }, head, 'json');
    // The data exercises what the parts must get right.
    expect(march.rows.some((r) => r.environment === 'staging')).toBe(true);
    const job = march.rows.find((r) => r.service === 'cron')!;
    expect(job.deployedAt).toBe('2026-03-01T01:00:00Z');
    // Emitted by March's first snapshot, though the snapshot before it (in February) already held it.
    const first = ids.findIndex((id) => id >= '2026-03-01');
    expect(job.firstRecorded.snapshot).toBe(ids[first]);
    expect(parts.get(ids[first - 1]!)!.rows.some((r) => r.id === job.id)).toBe(true);
    expect(march.manifest.deploymentGaps.length).toBeGreaterThan(0);
    expect((await extracted({ from: '2025-12-15', to: '2026-01-10' }, head, 'csv')).manifest.period.beforeLedger).toBe(true);
  });

  it('keeps only what a snapshot may add, and gives up (null) when a part is missing', () => {
    const total = [...parts.values()].reduce((n, p) => n + p.rows.length, 0);
    // Every snapshot holds 7-8 production deployments; a part keeps the new ones only.
    expect(total).toBeLessThan(ids.length * 2);
    const p = closedPeriods(ids).find((x) => x.name === '2026-02')!;
    const missing = ids.find((id) => id > `${p.from}T000000Z`)!;
    expect(assembleExport({ ids, period: p, asOf: p.closingId, format: 'csv', name: null, extractedAt: new Date(0), generator: GENERATOR, partOf: (id) => (id === missing ? undefined : parts.get(id)) })).toBeNull();
  });
});
