/**
 * A child process for crash.test.ts: appends LARGE snapshots so the parent
 * can SIGKILL it mid-write.
 *
 *   node --import tsx tests/ledger/append-child.ts <dir> pause:<step> [services]
 *     appends one snapshot, prints "PAUSED <step>" when it reaches that step, and hangs there;
 *   node --import tsx tests/ledger/append-child.ts <dir> loop [services]
 *     appends snapshots one hour apart forever, printing "APPENDED <id>" after each.
 */
import { appendSnapshot, readHead, type AppendStep } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { buildConfig, buildDeployment, buildSnapshot } from '../helpers/snapshot-builder.ts';

const [dir, mode, size = '800'] = process.argv.slice(2);
if (!dir || !mode) throw new Error('usage: append-child.ts <dir> pause:<step>|loop [services]');

/** A snapshot of `services` services in three environments: well over a megabyte. */
function large(takenAt: string, previous: Snapshot['previous']): Snapshot {
  const names = Array.from({ length: Number(size) }, (_, i) => `service-${String(i).padStart(4, '0')}`);
  const environments = ['dev', 'qa', 'prod'];
  return buildSnapshot({
    takenAt,
    previous,
    deployments: names.flatMap((service) => environments.map((environment) => buildDeployment({ service, environment, version: '1.2.3' }))),
    configs: names.flatMap((service) =>
      environments.map((environment) =>
        buildConfig({ service, environment, values: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`KEY_${k}`, `${service}-${environment}-${k}`])) }),
      ),
    ),
  });
}

async function next(onStep?: (step: AppendStep) => Promise<void>): Promise<string> {
  const head = await readHead(dir!);
  const takenAt = head ? new Date(Date.parse(head.snapshot.takenAt) + 3_600_000).toISOString().replace('.000Z', 'Z') : '2026-03-10T02:00:00Z';
  const snapshot = large(takenAt, head && { id: head.snapshot.id, sha256: head.sha256 });
  await appendSnapshot(dir!, snapshot, { onStep });
  return snapshot.id;
}

if (mode === 'loop') {
  for (;;) process.stdout.write(`APPENDED ${await next()}\n`);
} else {
  const target = mode.replace(/^pause:/, '');
  await next(async (step) => {
    if (step !== target) return;
    process.stdout.write(`PAUSED ${step}\n`);
    setInterval(() => undefined, 60_000); // keep the process alive until the parent kills it
    await new Promise(() => undefined);
  });
  throw new Error(`never reached step ${target}`);
}
