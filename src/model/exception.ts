/**
 * Whether an exception is in force and which findings it covers, decided
 * once: the rules silence findings with it, and pages list the exceptions in
 * force with it (docs/time.md: `expires` is a UTC day, inclusive).
 */
import type { ExceptionConfig } from './config.ts';
import type { Finding } from './snapshot.ts';

/** The last instant an exception is in force: the end of its `expires` day, UTC. */
export function expiresAt(exception: Pick<ExceptionConfig, 'expires'>): number {
  return Date.parse(`${exception.expires}T23:59:59.999Z`);
}

/** Whether the exception is in force at `at` (an ISO time or epoch milliseconds). */
export function inForce(exception: Pick<ExceptionConfig, 'expires'>, at: number | string): boolean {
  return (typeof at === 'number' ? at : Date.parse(at)) <= expiresAt(exception);
}

/** Open: not silenced by an exception in force when the snapshot was taken (rules freeze that in `exception`); only open findings count for `--fail-on` and the pages' ⚠. */
export function isOpen(finding: Pick<Finding, 'exception'>): boolean {
  return finding.exception === undefined;
}

/** Rule + service + (the exception's environment, or any when it names none). */
export function matches(exception: ExceptionConfig, finding: Pick<Finding, 'rule' | 'service' | 'environment'>): boolean {
  return (
    exception.rule === finding.rule &&
    exception.service === finding.service &&
    (exception.environment === undefined || exception.environment === finding.environment)
  );
}
