/**
 * `passedOver` is optional in the snapshot schema: a snapshot written before
 * it existed reads as it is (nothing filled in, so it stays byte-vouched and
 * its hash is unchanged), a new snapshot with it chains onto an old one and
 * verifies, and the rule judges every record as new to the ledger after an
 * old head (docs/guarantees.md, "Deployments passed over are evidence").
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendSnapshot, readHead, readSnapshotFile, verifyLedger } from '../../src/ledger/index.ts';
import { SCHEMA_VERSION, type PassedOver } from '../../src/model/index.ts';
import { evaluateRules } from '../../src/rules/index.ts';
import { buildChain, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();

const record: PassedOver = {
  service: 'api',
  environment: 'prod',
  source: 'github',
  deploymentId: 9001,
  ref: 'feature/x',
  refType: 'branch',
  commit: 'a'.repeat(40),
  createdBy: 'erin',
  createdAt: '2026-03-10T12:00:00Z',
  kind: 'outside-branch-policy',
  reason: "its branch feature/x is outside the environment's deployment branch policy (main, release/*)",
  branchPolicy: ['main', 'release/*'],
};

describe('passedOver in old and new snapshots', () => {
  it('an old snapshot without the field reads unchanged and vouched; the next one records it, chains and verifies', async () => {
    const dir = await tempDir();
    const { ids, hashes } = await buildChain(dir, 1);
    const raw = JSON.parse(await readFile(path.join(dir, `${ids[0]}.json`), 'utf8')) as Record<string, unknown>;
    expect('passedOver' in raw).toBe(false);
    expect(raw['schemaVersion']).toBe(SCHEMA_VERSION);
    const old = await readSnapshotFile(dir, ids[0]!, undefined, { vouch: true });
    expect(old.snapshot.passedOver).toBeUndefined();
    expect(old.plain).toBe(true);
    expect(old.sha256).toBe(hashes[0]);

    const head = (await readHead(dir))!;
    const draft = buildSnapshot({ takenAt: '2026-03-11T02:00:00Z', previous: { id: head.snapshot.id, sha256: head.sha256 }, passedOver: [record] });
    // After a head that recorded none, the deployment is new to the ledger: the rule raises it though it is older than what runs.
    const findings = evaluateRules({ draft, previous: head.snapshot });
    const raised = findings.filter((f) => f.rule === 'deployment.outside-branch-policy');
    expect(raised.map((f) => [f.id, f.evidence['firstRecorded'], f.evidence['newerThanWhatRuns']])).toEqual([['deployment.outside-branch-policy/api/prod/9001', true, false]]);
    await appendSnapshot(dir, { ...draft, findings });
    expect(await verifyLedger(dir)).toMatchObject({ ok: true, count: 2 });
    expect((await readHead(dir))!.snapshot.passedOver).toEqual([record]);

    // A third night that still records it: older than what runs and recorded before, so not raised again.
    const again = buildSnapshot({ takenAt: '2026-03-12T02:00:00Z', passedOver: [record] });
    expect(evaluateRules({ draft: again, previous: (await readHead(dir))!.snapshot }).filter((f) => f.rule === 'deployment.outside-branch-policy')).toEqual([]);
  });
});
