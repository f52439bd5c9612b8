/**
 * One request budget and one deadline per GitHub credential and run. The
 * GitHub source and the gitops source's `repo` mode read through the same
 * token, whose rate limit GitHub counts once, so they draw on one budget
 * (the GitHub source's `maxRequests`) and stop at one deadline (its
 * `deadlineSeconds`), whichever asks first. The clock is injected.
 */
import { createHash } from 'node:crypto';
import { BudgetExhausted, DeadlineReached } from './errors.ts';

export class RequestBudget {
  /** Requests asked through the client (one per call, retries not included). */
  private asked = 0;
  /** HTTP requests sent (retries and token exchanges included). */
  private sentCount = 0;
  private readonly deadlineAt: number;
  readonly limit: number;
  readonly deadlineSeconds: number;
  private readonly clock: () => number;

  constructor(limit: number, deadlineSeconds: number, clock: () => number = Date.now) {
    this.limit = limit;
    this.deadlineSeconds = deadlineSeconds;
    this.clock = clock;
    this.deadlineAt = clock() + deadlineSeconds * 1000;
  }

  /** Milliseconds left before the deadline (0 when it has passed). */
  remainingMs(): number {
    return Math.max(0, this.deadlineAt - this.clock());
  }

  /** Throws when the deadline has passed or the budget is spent; else takes one request. Synchronous, so concurrent askers cannot overshoot. */
  ask(): void {
    if (this.remainingMs() === 0) throw new DeadlineReached(this.deadlineSeconds);
    if (Math.max(this.asked, this.sentCount) >= this.limit) throw new BudgetExhausted(this.limit);
    this.asked += 1;
  }

  /** Counts one HTTP request about to be sent; throws after the deadline so a retry does not start. */
  sent(): void {
    if (this.remainingMs() === 0) throw new DeadlineReached(this.deadlineSeconds);
    this.sentCount += 1;
  }

  get requests(): number {
    return this.sentCount;
  }

  /** `work`, or a `DeadlineReached` rejection at the deadline, whichever comes first (a hung request or a long rate-limit wait does not hold the run). */
  race<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineReached(this.deadlineSeconds)), this.remainingMs());
    });
    work.catch(() => {}); // settled later in the background when the deadline won
    return Promise.race([work, stop]).finally(() => clearTimeout(timer));
  }
}

const budgets = new WeakMap<object, Map<string, RequestBudget>>();

/**
 * The budget of `credential` in one run, made by `make` on first use. A run
 * is its config object (every source of one `collect` gets the same one) at
 * its snapshot time, so a second collect in the same process starts afresh.
 */
export function sharedBudget(run: { config: object; now: Date }, credential: string, make: () => RequestBudget): RequestBudget {
  let byKey = budgets.get(run.config);
  if (!byKey) budgets.set(run.config, (byKey = new Map()));
  // Keyed by a hash: the credential itself is kept only where the client needs it.
  const key = `${run.now.getTime()}:${createHash('sha256').update(credential).digest('hex')}`;
  let budget = byKey.get(key);
  if (!budget) byKey.set(key, (budget = make()));
  return budget;
}
