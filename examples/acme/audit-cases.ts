/**
 * Demo cases for the audit export (docs/audit.md, issue 21), kept apart from
 * the main simulation so additions merge simply: generate.ts calls each hook
 * once, after the scripted incidents are placed.
 */
import type { DeployEvent } from './generate.ts';

/** The legacy service whose change the change advisory board approved after it was deployed, and from which day. */
export const LATE_APPROVAL = { service: 'reporting-service', after: '2026-10-01T00:00:00Z', by: 'rm-victor', minutesAfter: 95 } as const;

/**
 * A legacy prod deployment approved 95 minutes after it went out: the
 * inventory records the approval with its own time, and no rule weighs the
 * time, so only the export's approval timing says "after".
 */
export function approveAfterTheFact(deploys: readonly DeployEvent[]): DeployEvent {
  const event = deploys.find((d) => d.service === LATE_APPROVAL.service && d.env === 'prod' && d.at >= LATE_APPROVAL.after);
  if (!event) throw new Error(`demo: no ${LATE_APPROVAL.service} prod deployment after ${LATE_APPROVAL.after}`);
  const at = new Date(Date.parse(event.at) + LATE_APPROVAL.minutesAfter * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.approvals = [{ by: LATE_APPROVAL.by, at, state: 'approved' }];
  return event;
}
