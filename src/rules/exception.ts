/**
 * Exceptions: an exception in force silences the findings it names (they are
 * kept, with `exception` set, so auditors see what is excepted); once its
 * `expires` day is over (end of that day, UTC), the findings come back and
 * `exception.expired` is raised for it until it is renewed or removed.
 *
 * An exception in force that matches no finding is harmless and raises
 * nothing: the problem it covered is fixed, and the pages list it as an
 * exception in force. Raising a finding for it would punish fixing things.
 */
import type { ExceptionConfig } from '../model/config.ts';
import type { Finding } from '../model/snapshot.ts';
import { expiresAt, inForce, matches } from '../model/exception.ts';
import { exceptionHint, type RuleResult } from './_context.ts';

export const docs = {
  title: 'Exception expired',
  why: 'A temporary exception has passed its `expires` day, so the finding it silenced is back, and the reason it was accepted needs a fresh decision.',
  resolve: 'Fix the finding the exception covered and delete the exception, or renew it with a new `expires` date, a current reason and an approver.',
};

/** `exception.expired` for every expired exception, naming the findings it would have covered (now open again). */
export function exceptionExpired(exceptions: ExceptionConfig[], findings: Pick<Finding, 'id' | 'rule' | 'service' | 'environment'>[], now: number): RuleResult[] {
  return exceptions
    .filter((e) => !inForce(e, now))
    .map((e) => {
      const covered = findings.filter((f) => matches(e, f)).map((f) => f.id).sort();
      return {
        rule: 'exception.expired' as const,
        service: e.service,
        ...(e.environment !== undefined ? { environment: e.environment } : {}),
        detail: [e.rule],
        message: `The exception for ${e.rule} on ${e.service}${e.environment ? ` in ${e.environment}` : ' (all environments)'} (approved by ${e.approvedBy}: "${e.reason}") expired at the end of ${e.expires}${covered.length ? `; ${covered.length} finding${covered.length === 1 ? ' is' : 's are'} open again` : ''}.`,
        resolution: `Fix what it covered and delete the exception, or renew it with a new expires date, reason and approver. ${exceptionHint('exception.expired', e.service, e.environment)}`,
        evidence: { exception: e, expiredAt: new Date(expiresAt(e)).toISOString(), findings: covered },
      };
    });
}
