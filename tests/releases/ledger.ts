/**
 * A small ledger with releases, written through the real rules and chain:
 * services api (depends on web), web and mobile (depends on api); declared
 * release `checkout` (api 1.1.0, web 1.1.0) lands in qa on day 3 and in prod
 * on day 4; ticket PAY-7 changes api 1.2.0 and web 1.2.0, whose web half lags
 * in qa from day 4 to day 9 (release.partial opens on day 7, gone on day 10);
 * mobile 2.0.0 reaches prod with seven tickets (release.mixed-scope).
 */
import { appendSnapshot } from '../../src/ledger/index.ts';
import type { Change, Deployment, Snapshot } from '../../src/model/snapshot.ts';
import { buildChange, day, dep, sha, takeWithReleases, withDeployment } from './world.ts';

const services: { name: string; dependsOn?: Record<string, string> }[] = [
  { name: 'api', dependsOn: { web: '>=1.0.0' } },
  { name: 'web' },
  { name: 'mobile', dependsOn: { api: '>=1.0.0' } },
];
const declaredReleases = [{ name: 'checkout', components: { api: '1.1.0', web: '1.1.0' }, owner: 'team-payments', planned: '2026-03-04' }];

/** One pull request per service and ticket, whichever environment its deployment reaches. */
const numbers = new Map<string, number>();
const prNumber = (service: string, ticket: string) => numbers.get(`${service} ${ticket}`) ?? numbers.set(`${service} ${ticket}`, 100 + numbers.size).get(`${service} ${ticket}`)!;
const move = (service: string, environment: string, version: string, from: string, at: string, tickets: string[]): { d: Deployment; c: Change } => ({
  d: dep(service, environment, version, { deployedAt: at }),
  c: buildChange({
    service,
    environment,
    version,
    fromVersion: from,
    fromCommit: sha(`${service}-${from}`),
    deployedAt: at,
    tickets,
    pullRequests: tickets.map((t) => ({ number: prNumber(service, t), title: `${t} ${service} work`, author: 'dana', mergedBy: 'erin', mergedAt: day(1, '18:00:00'), reviewers: [] })),
  }),
});

const BIG = ['MOB-8', 'OPS-1', 'OPS-2', 'WEB-3', 'WEB-4', 'SEC-5', 'DATA-6'];

export async function writeReleaseLedger(dir: string): Promise<Snapshot[]> {
  let deployments: Deployment[] = ['api', 'web', 'mobile'].flatMap((s) => ['dev', 'qa', 'prod'].map((e) => dep(s, e, '1.0.0')));
  const out: Snapshot[] = [];
  let previous: Snapshot | null = null;
  let previousSha = '';
  for (let n = 2; n <= 10; n++) {
    const moves: { d: Deployment; c: Change }[] = [];
    if (n === 3) moves.push(move('api', 'qa', '1.1.0', '1.0.0', day(2, '12:00:00'), ['CHK-1']), move('web', 'qa', '1.1.0', '1.0.0', day(2, '13:00:00'), ['CHK-2']));
    if (n === 4) moves.push(move('api', 'prod', '1.1.0', '1.0.0', day(3, '12:00:00'), ['CHK-1']), move('web', 'prod', '1.1.0', '1.0.0', day(3, '13:00:00'), ['CHK-2']));
    if (n === 5) moves.push(move('api', 'dev', '1.2.0', '1.0.0', day(4, '10:00:00'), ['PAY-7']), move('web', 'dev', '1.2.0', '1.0.0', day(4, '10:00:00'), ['PAY-7']), move('api', 'qa', '1.2.0', '1.1.0', day(4, '12:00:00'), ['PAY-7']));
    if (n === 7) moves.push(move('mobile', 'prod', '2.0.0', '1.0.0', day(6, '15:00:00'), BIG));
    if (n === 10) moves.push(move('web', 'qa', '1.2.0', '1.1.0', day(9, '11:00:00'), ['PAY-7']));
    deployments = moves.map((m) => m.d).reduce(withDeployment, deployments);
    const taken: Snapshot = takeWithReleases({ takenAt: day(n), services, deployments, configs: [], changes: moves.map((m) => m.c), declaredReleases }, previous);
    // The chain link with the real hash of the snapshot before (the rule-test world leaves a placeholder).
    const snapshot: Snapshot = { ...taken, previous: previous ? { id: previous.id, sha256: previousSha } : null };
    previousSha = (await appendSnapshot(dir, snapshot)).sha256;
    out.push(snapshot);
    previous = snapshot;
  }
  return out;
}
