/**
 * Cross-checks by recomputation (issue 25): each answer is derived here from
 * the raw snapshot JSON in a few plain lines that share no code with the
 * views, and compared with what the pages are built from.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.ts';
import { compareEnvironments, LedgerIndexBuilder, windowStats } from '../../src/views/index.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';

/** The raw JSON, as a reader of the published `/snapshots/ID.json` files has it. */
const ledger: Snapshot[] = fixtureSnapshots({ quietDays: 3 }).map((s) => JSON.parse(JSON.stringify(s)) as Snapshot);

describe('cross-checks against the raw snapshots', () => {
  it('compare pages: same, different, only in one', () => {
    const plain = (s: Snapshot, a: string, b: string) => {
      const inEnv = (env: string) => new Map(s.deployments.filter((d) => d.environment === env).map((d) => [d.service, d]));
      const [da, db] = [inEnv(a), inEnv(b)];
      const norm = (v: string) => v.trim().replace(/^v(?=\d)/, '');
      return [...new Set([...da.keys(), ...db.keys()])].sort().map((service) => {
        const x = da.get(service);
        const y = db.get(service);
        if (!y) return [service, 'only-a'];
        if (!x) return [service, 'only-b'];
        const same = x.commit.toLowerCase() === y.commit.toLowerCase() && norm(x.version) === norm(y.version) && (!x.artifact || !y.artifact || x.artifact === y.artifact);
        return [service, same ? 'same' : 'different'];
      });
    };
    let pairs = 0;
    for (const s of ledger) {
      // Every pair, not only those the site renders: `release-ledger diff` compares any two.
      for (const [a, b] of s.environments.flatMap((x, i) => s.environments.slice(i + 1).map((y) => [x.name, y.name] as const))) {
        pairs++;
        expect(compareEnvironments(s, a, b).diff.services.map((x) => [x.service, x.status]), `${s.id} ${a}/${b}`).toEqual(plain(s, a, b));
      }
    }
    expect(pairs).toBeGreaterThan(40);
  });

  it('stats: deployments per environment in each window', () => {
    const builder = new LedgerIndexBuilder();
    for (const s of ledger) builder.add(s);
    const index = builder.finish();
    const to = ledger.at(-1)!.takenAt;
    // Every deployment the ledger saw, once: a deployment is its service, environment, commit and time.
    const seen = new Map<string, { environment: string; deployedAt: string }>();
    for (const s of ledger) for (const d of s.deployments) seen.set([d.service, d.environment, d.commit, d.deployedAt].join('|'), d);
    for (const days of [7, 30]) {
      // A window that would begin before the ledger counts from its first snapshot (the page says so).
      const from = Math.max(Date.parse(to) - days * 86_400_000, Date.parse(ledger[0]!.takenAt));
      const stats = windowStats(index, days)!;
      for (const env of stats.environments) {
        const count = [...seen.values()].filter((d) => d.environment === env.environment && Date.parse(d.deployedAt) > from && Date.parse(d.deployedAt) <= Date.parse(to)).length;
        expect(env.deployments, `${days} days ${env.environment}`).toBe(count);
      }
    }
  });
});
