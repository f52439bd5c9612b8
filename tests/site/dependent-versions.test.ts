/**
 * Issue 23: a service's page names what depends on it without that
 * dependent's version (it is on the dependent's own page), so a library with
 * hundreds of dependents is not given a new revision page every night one of
 * them deploys. What it depends on keeps its running version.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.ts';
import { environmentGraph, serviceNeighbourhood, serviceStateKeys, toMermaid } from '../../src/views/index.ts';
import { buildSnapshot } from '../helpers/snapshot-builder.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';

/** The same night with `service`'s prod deployment at a new version and commit. */
function deployed(s: Snapshot, service: string, version: string): Snapshot {
  return buildSnapshot({
    ...s, id: undefined, previous: null,
    deployments: s.deployments.map((d) => (d.service === service && d.environment === 'prod' ? { ...d, version, commit: 'f'.repeat(40) } : d)),
  });
}

describe('dependents on a service page', () => {
  const last = fixtureSnapshots().at(-1)!;
  // web-frontend depends on payments-api (the fixture's blast radius).
  it('a dependent\'s new version does not revise the service it depends on; the service\'s new version revises its dependent', () => {
    const before = serviceStateKeys(last);
    const frontend = serviceStateKeys(deployed(last, 'web-frontend', '9.9.9'));
    expect(frontend.get('web-frontend')).not.toBe(before.get('web-frontend'));
    expect(frontend.get('payments-api')).toBe(before.get('payments-api'));
    const payments = serviceStateKeys(deployed(last, 'payments-api', '9.9.9'));
    expect(payments.get('payments-api')).not.toBe(before.get('payments-api'));
    expect(payments.get('web-frontend')).not.toBe(before.get('web-frontend'));
  });

  it('the drawing names a dependent alone and gives a dependency its version', () => {
    const prod = environmentGraph(last, 'prod');
    const running = (service: string) => last.deployments.find((d) => d.service === service && d.environment === 'prod')!.version;
    const ofPayments = toMermaid(serviceNeighbourhood(prod, 'payments-api'))!;
    expect(ofPayments).toContain('["web-frontend"]');
    expect(ofPayments).not.toContain(`web-frontend ${running('web-frontend')}`);
    expect(ofPayments).toContain(`payments-api ${running('payments-api')}`);
    const ofFrontend = toMermaid(serviceNeighbourhood(prod, 'web-frontend'))!;
    expect(ofFrontend).toContain(`payments-api ${running('payments-api')}`);
  });
});
