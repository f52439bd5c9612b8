/**
 * Releases in the demo (docs/releases.md), hooked into the plan by one line
 * of generate.ts before any incident is derived from it:
 *
 * - the declared release `wallet-payouts` (checkout-web + payout-service,
 *   declared in release-ledger.config.yaml) moves through every environment
 *   together: both halves reach each environment on the same day, so it lands
 *   cleanly and no `release.partial` is raised;
 * - a cross-service ticket: a payout-service pull request and a checkout-web
 *   pull request name the same ticket; the checkout-web half reaches qa four
 *   days after the payout-service half (`release.partial` opens after the
 *   grace period, and is gone when it arrives), then both move on together;
 * - an oversized production deployment: an api-gateway release that carries
 *   six more tickets than usual (`release.mixed-scope`, gone with the next
 *   prod deployment).
 *
 * The halves are aligned by moving their deployments (and approvals) to the
 * chosen days; each move stays between the service's neighbouring
 * deployments in that environment, so no promotion or rollback is invented.
 */
import { ENVIRONMENTS, TEAMS, type Env } from './organisation.ts';
import type { DeployEvent, Plan, Release } from './generate.ts';

const DAY_MS = 86_400_000;
const SNAPSHOT_TIME = 'T22:30:00Z';
const LAST_EVENT_DAY = '2026-11-14';
/** The config's `policies.releaseGraceDays`. */
export const RELEASE_GRACE_DAYS = 2;

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const isWeekend = (day: string): boolean => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
const workday = (day: string): string => (isWeekend(day) ? workday(addDays(day, 1)) : day);
const seenOn = (iso: string): string => (iso < `${iso.slice(0, 10)}${SNAPSHOT_TIME}` ? iso.slice(0, 10) : addDays(iso.slice(0, 10), 1));
const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString().replace('.000Z', 'Z');

/** The declared release, as release-ledger.config.yaml declares it (tests/releases/demo.test.ts checks they agree). */
export const DECLARED = { name: 'wallet-payouts', after: '2026-09-14', services: ['checkout-web', 'payout-service'] } as const;
/** The cross-service ticket: its first half, its lagging half, and the qa lag. */
export const SHARED_TICKET = { first: 'payout-service', lagging: 'checkout-web', after: '2026-10-12', lagDays: 4 } as const;
export const OVERSIZED = { service: 'api-gateway', after: '2026-10-26', extraTickets: 6 } as const;

const eventsOf = (plan: Plan, service: string, env: Env) => plan.deploys.filter((d) => d.service === service && d.env === env).sort((a, b) => a.at.localeCompare(b.at));
const eventOf = (plan: Plan, release: Release, env: Env) => plan.deploys.find((d) => d.release === release && d.env === env);

/** Moves `event` to `day` at its own time of day, its approvals with it; false when that would pass a neighbouring deployment. */
function canMove(plan: Plan, event: DeployEvent, day: string): boolean {
  const at = `${day}${event.at.slice(10)}`;
  const list = eventsOf(plan, event.service, event.env);
  const i = list.indexOf(event);
  const before = list[i - 1];
  const after = list[i + 1];
  return (before === undefined || before.at < at) && (after === undefined || at < after.at) && day <= LAST_EVENT_DAY;
}
function move(event: DeployEvent, day: string): void {
  const at = `${day}${event.at.slice(10)}`;
  const delta = Date.parse(at) - Date.parse(event.at);
  event.at = at;
  event.approvals = event.approvals.map((a) => ({ ...a, at: shift(a.at, delta) }));
}

/** The normal releases of `service` deployed to every environment, first dev deployment on or after `after`. */
function candidates(plan: Plan, service: string, after: string): Release[] {
  return plan.releases.filter((r) => r.service === service && r.kind === 'normal' && r.createdAt >= after && ENVIRONMENTS.every((env) => eventOf(plan, r, env)));
}

/**
 * Days per environment for two releases: `lag[env]` days between the first
 * and the second half there. Each day is a workday no earlier than either
 * half's own, and after the previous environment's. Null when a move would
 * pass a neighbouring deployment.
 */
function schedule(plan: Plan, a: Release, b: Release, lag: Partial<Record<Env, number>>): { env: Env; a: string; b: string }[] | null {
  const out: { env: Env; a: string; b: string }[] = [];
  let floor = '2000-01-01';
  for (const env of ENVIRONMENTS) {
    const ea = eventOf(plan, a, env)!;
    const eb = eventOf(plan, b, env)!;
    let dayA = workday([ea.at.slice(0, 10), eb.at.slice(0, 10), addDays(floor, 1)].sort().at(-1)!);
    let dayB = workday(addDays(dayA, lag[env] ?? 0));
    // A lag that ends on a weekend is moved, with its start, to the next week's matching days.
    while (lag[env] && addDays(dayA, lag[env]!) !== dayB) {
      dayA = workday(addDays(dayA, 1));
      dayB = workday(addDays(dayA, lag[env]!));
    }
    if (!canMove(plan, ea, dayA) || !canMove(plan, eb, dayB)) return null;
    out.push({ env, a: dayA, b: dayB });
    floor = dayB;
  }
  return out;
}

function align(plan: Plan, services: readonly [string, string], after: string, lag: Partial<Record<Env, number>>): { a: Release; b: Release; days: { env: Env; a: string; b: string }[] } {
  for (const a of candidates(plan, services[0], after)) {
    for (const b of candidates(plan, services[1], after)) {
      const days = schedule(plan, a, b, lag);
      if (!days) continue;
      for (const d of days) {
        move(eventOf(plan, a, d.env)!, d.a);
        move(eventOf(plan, b, d.env)!, d.b);
      }
      return { a, b, days };
    }
  }
  throw new Error(`releases.ts: no pair of ${services.join(' and ')} releases after ${after} can be aligned`);
}

const ticketOf = (release: Release): string => /[A-Z][A-Z0-9]+-[0-9]+/.exec(`${release.pullRequests[0]!.title} ${release.pullRequests[0]!.branch}`)![0];

/** What the demo's releases did, for the README and the tests. */
export interface DemoReleases {
  declared: Record<string, string>;
  ticket: string;
}

/** Hooks the releases into `plan` (deployments moved, pull requests added or renamed, incidents listed). */
export function planReleases(plan: Plan): DemoReleases {
  // Declared: both halves on the same day in every environment.
  const declared = align(plan, DECLARED.services, DECLARED.after, {});

  // The shared ticket: the checkout-web half names the payout-service half's ticket, and reaches qa four days later.
  const shared = align(plan, [SHARED_TICKET.first, SHARED_TICKET.lagging], SHARED_TICKET.after, { qa: SHARED_TICKET.lagDays });
  const ticket = ticketOf(shared.a);
  const pr = shared.b.pullRequests[0]!;
  pr.title = `${ticket}: Show instant payouts in the checkout`;
  const firstArrival = eventOf(plan, shared.a, 'qa')!.at;
  const lagging = eventOf(plan, shared.b, 'qa')!;
  let firesOn = seenOn(firstArrival);
  while (Date.parse(`${firesOn}${SNAPSHOT_TIME}`) - Date.parse(firstArrival) <= RELEASE_GRACE_DAYS * DAY_MS) firesOn = addDays(firesOn, 1);
  plan.incidents.push({
    rule: 'release.partial', service: SHARED_TICKET.lagging, environment: 'qa', firesOn, resolvedOn: seenOn(lagging.at),
    story: `${ticket} changed ${SHARED_TICKET.first} and ${SHARED_TICKET.lagging}; the ${SHARED_TICKET.lagging} half reaches qa ${SHARED_TICKET.lagDays} days after the other`,
  });

  // The oversized production deployment: six more tickets ride with one api-gateway release.
  const releases = plan.releases.filter((r) => r.service === OVERSIZED.service);
  const big = releases.find((r) => r.kind === 'normal' && eventOf(plan, r, 'prod') && eventOf(plan, r, 'prod')!.at >= `${OVERSIZED.after}T00:00:00Z`)!;
  const prodEvents = eventsOf(plan, OVERSIZED.service, 'prod');
  const prod = eventOf(plan, big, 'prod')!;
  const next = prodEvents[prodEvents.indexOf(prod) + 1];
  const previous = releases[releases.indexOf(big) - 1]!;
  const team = TEAMS['team-platform']!;
  const span = Date.parse(big.createdAt) - Date.parse(previous.createdAt);
  for (let i = 0; i < OVERSIZED.extraTickets; i++) {
    const author = team[i % team.length]!;
    big.pullRequests.push({
      number: 4001 + i,
      title: `GW-${901 + i}: ${['Rate limit per merchant', 'Retry idempotent POSTs', 'New TLS ciphers', 'Trace ids on every hop', 'Gzip large responses', 'Drop legacy v1 routes'][i]}`,
      author,
      mergedBy: team[(i + 1) % team.length]!,
      mergedAt: shift(previous.createdAt, Math.floor((span * (i + 1)) / (OVERSIZED.extraTickets + 2))),
      reviewers: [team[(i + 1) % team.length]!],
      branch: `feature/GW-${901 + i}`,
    });
  }
  plan.incidents.push({
    rule: 'release.mixed-scope', service: OVERSIZED.service, environment: 'prod', firesOn: seenOn(prod.at), resolvedOn: next ? seenOn(next.at) : null,
    story: `${OVERSIZED.service} ${big.version} reaches prod with ${big.pullRequests.length} tickets at once`,
  });

  plan.deploys.sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service));
  plan.index.clear();
  return { declared: { [declared.a.service]: declared.a.version, [declared.b.service]: declared.b.version }, ticket };
}
