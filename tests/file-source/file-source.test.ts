import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFile } from '../../collectors/file/source.ts';
import type { ConfigInput, FileSourceConfig } from '../../src/model/index.ts';
import { redactConfigs } from '../../src/model/index.ts';
import { parseInventory } from '../../collectors/file/inventory.ts';
import { ticketsIn } from '../../src/model/tickets.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const fixtures = fileURLToPath(new URL('../fixtures/file/', import.meta.url));

const configFor = (inventoryPath: string, extra: Partial<ConfigInput> = {}): ConfigInput => ({
  name: 'Acme',
  environments: [{ name: 'dev' }, { name: 'qa' }, { name: 'staging' }, { name: 'prod', production: true, requiredApprovals: 1 }],
  sources: { inventory: { type: 'file', path: inventoryPath, environments: { prod: 'production' } } },
  services: [
    { name: 'payments-api', sources: ['inventory'], secretKeys: ['STRIPE_*'] },
    { name: 'ledger-core', kind: 'library' },
    { name: 'fraud-check', sources: ['inventory'] },
  ],
  ...extra,
});

const collect = (inventoryPath: string, configDir: string, extra: Partial<ConfigInput> = {}) =>
  collectFile(sourceContext<FileSourceConfig>(configFor(inventoryPath, extra), 'inventory', { configDir }));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ledger-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('file source: one inventory file', () => {
  it('reads deployments, configs, observed, branches, changes and history, mapped and normalised', async () => {
    const evidence = await collect('inventory.yaml', path.join(fixtures, 'single'));
    expect(evidence.deployments).toEqual([
      {
        service: 'payments-api',
        environment: 'prod',
        version: '2.4.1',
        commit: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b',
        artifact: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
        deployedAt: '2026-11-20T10:00:00Z',
        deployedBy: 'alice',
        source: 'inventory',
        url: 'https://ci.acme.example/runs/42',
        components: { 'ledger-core': '2.3.1' },
        approvals: [{ by: 'bob', at: '2026-11-20T09:55:00Z', state: 'approved', kind: 'deployment' }],
      },
      // `version: 2.10` and `commit: 0123456` keep their written form; fractional seconds are dropped.
      { service: 'payments-api', environment: 'staging', version: '2.10', commit: '0123456', deployedAt: '2026-11-19T08:30:00Z', deployedBy: 'carol', source: 'inventory', approvals: [] },
    ]);
    expect(evidence.observed).toEqual([
      { service: 'payments-api', environment: 'prod', version: '2.4.1', commit: '9f86d08', at: '2026-03-14T02:00:00Z', source: 'inventory' },
      { service: 'payments-api', environment: 'staging', version: '2.10', commit: '0123456', at: '2026-11-20T06:00:00Z', source: 'inventory' },
    ]);
    expect(evidence.branches).toEqual([{ service: 'payments-api', name: 'release/2.4', aheadBy: 3, behindBy: 10, lastCommitAt: '2026-11-18T12:00:00Z', source: 'inventory' }]);
    expect(evidence.changes).toHaveLength(1);
    expect(evidence.changes[0]?.pullRequests.map((p) => p.number)).toEqual([799, 812]);
    expect(evidence.changes[0]?.pullRequests[1]?.reviewers).toEqual(['erin', 'frank']);
    // Ticket keys from PR titles and branches, with the default policies.ticketPattern.
    expect(evidence.changes[0]?.tickets).toEqual(['PAY-123', 'PAY-124']);
    expect(evidence.history.map((h) => [h.environment, h.at])).toEqual([
      ['qa', '2026-11-17T10:00:00Z'],
      ['staging', '2026-11-18T10:00:00Z'],
    ]);
    expect(evidence.configs).toEqual([
      {
        service: 'payments-api',
        environment: 'prod',
        source: 'inventory',
        origin: 'inventory.yaml',
        values: { DB_PASSWORD: 's3cr3t-value', LOG_LEVEL: 'info', REPLICAS: 6, STRIPE_KEY: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', VERSION_PIN: 2.1 },
      },
    ]);
    // fraud-check lists the source and has no record at all: a gap. ledger-core does not list it: nothing said.
    expect(evidence.gaps).toEqual([{ source: 'inventory', service: 'fraud-check', evidence: 'all', reason: 'no records for fraud-check in inventory.yaml' }]);
  });

  it('stores no secret from the inventory once redacted', async () => {
    const context = sourceContext<FileSourceConfig>(configFor('inventory.yaml'), 'inventory', { configDir: path.join(fixtures, 'single') });
    const evidence = await collectFile(context);
    const stored = JSON.stringify({ ...evidence, configs: redactConfigs(evidence.configs, context.config, null) });
    for (const secret of ['s3cr3t-value', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'hunter2']) expect(stored).not.toContain(secret);
    expect(stored).toContain('"LOG_LEVEL":"info"');
  });

  it('uses the configured ticket pattern and explicit tickets', async () => {
    const dir = path.join(tmp, 'tickets');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'inv.yaml'),
      `changes:
  - { service: payments-api, environment: prod, commit: a1, version: "1", deployedAt: 2026-11-20T10:00:00Z,
      pullRequests: [{ number: 1, title: "fix #42 and PAY-1", author: a, branch: gh-7-fix }] }
  - { service: payments-api, environment: qa, commit: a1, version: "1", deployedAt: 2026-11-19T10:00:00Z, tickets: [Z-2, A-1, Z-2] }
`,
    );
    const evidence = await collect('inv.yaml', dir, { policies: { ticketPattern: '#[0-9]+|gh-[0-9]+' } });
    expect(evidence.changes.map((c) => [c.environment, c.tickets])).toEqual([
      ['prod', ['#42', 'gh-7']],
      ['qa', ['A-1', 'Z-2']],
    ]);
  });

  it('turns a bad file into one gap with the line:column, not a crash', async () => {
    const dir = path.join(tmp, 'bad-single');
    await mkdir(dir);
    await writeFile(path.join(dir, 'inventory.yaml'), 'deployments:\n  - service: payments-api\n    environment: prod\n    version: 2.4.1\n    commit: abc\n    deployedAt: 2026-11-20T10:00:00Z\n    deployedBy: alice\n    approvals: [{ by: bob, state: aproved }]\n');
    const evidence = await collect('inventory.yaml', dir);
    expect(evidence.deployments).toEqual([]);
    expect(evidence.gaps).toMatchInlineSnapshot(`
      [
        {
          "evidence": "all",
          "reason": "inventory.yaml:8:35: deployments[0].approvals[0].state: expected one of "approved", "rejected", "commented", received "aproved"; did you mean "approved"?",
          "source": "inventory",
        },
      ]
    `);
  });

  it('reports a missing inventory path as a gap', async () => {
    const evidence = await collect('nowhere/inventory.yaml', tmp);
    expect(evidence.gaps).toMatchInlineSnapshot(`
      [
        {
          "evidence": "all",
          "reason": "nowhere/inventory.yaml: inventory not found (sources.inventory.path is relative to the config folder)",
          "source": "inventory",
        },
      ]
    `);
  });
});

describe('file source: a folder of inventory files', () => {
  it('merges *.yaml and *.yml in name order; bad files and bad records become gaps', async () => {
    const progress: string[] = [];
    const context = sourceContext<FileSourceConfig>(configFor('inventory'), 'inventory', { configDir: path.join(fixtures, 'folder'), progress });
    const evidence = await collectFile(context);
    expect(progress).toEqual(['inventory: reading 3 inventory files']);
    expect(evidence.deployments.map((d) => [d.service, d.environment, d.version, d.deployedBy])).toEqual([
      ['ledger-core', 'qa', '2.3.1', 'bob'],
      ['payments-api', 'prod', '2.4.1', 'alice'],
    ]);
    expect(evidence.gaps.map((g) => ({ ...g }))).toMatchInlineSnapshot(`
      [
        {
          "evidence": "all",
          "reason": "inventory/30-broken.yaml:6:17: deployments[0].deployedAt: expected a time such as 2026-11-20T10:00:00Z (with Z or an offset), received "yesterday"",
          "source": "inventory",
        },
        {
          "evidence": "deployment",
          "reason": "inventory/10-payments.yaml:6:16: deployments[2].service: no service named "billing" in the config",
          "source": "inventory",
        },
        {
          "evidence": "all",
          "reason": "no records for fraud-check in inventory (1 inventory file could not be used: inventory/30-broken.yaml)",
          "service": "fraud-check",
          "source": "inventory",
        },
        {
          "evidence": "deployment",
          "reason": "inventory/10-payments.yaml:4:43: deployments[1].environment: no environment named "perf" (ledger environments: dev, qa, staging, prod; map other names in sources.inventory.environments)",
          "service": "payments-api",
          "source": "inventory",
        },
        {
          "environment": "prod",
          "evidence": "deployment",
          "reason": "inventory/20-ledger.yml:5:5: a second deployment of payments-api to prod (the first is at inventory/10-payments.yaml:2:5); keep one",
          "service": "payments-api",
          "source": "inventory",
        },
      ]
    `);
  });

  it('says when a folder has no inventory files', async () => {
    const dir = path.join(tmp, 'empty', 'inventory');
    await mkdir(dir, { recursive: true });
    const evidence = await collect('inventory', path.join(tmp, 'empty'));
    expect(evidence.gaps).toMatchInlineSnapshot(`
      [
        {
          "evidence": "all",
          "reason": "inventory: no *.yaml or *.yml inventory files in this folder",
          "source": "inventory",
        },
      ]
    `);
  });
});

describe('parseInventory', () => {
  it('gives one-line errors with line:column for each kind of problem', () => {
    const reason = (text: string) => {
      const result = parseInventory(text, 'inventory.yaml');
      if (result.ok) throw new Error('expected a failure');
      expect(result.reason).not.toContain('\n');
      return result.reason;
    };
    expect(reason('deployments:\n  - service: a\n    environment: prod\n')).toMatchInlineSnapshot(`"inventory.yaml:2:5: deployments[0]: missing required field "version" (The version label, e.g. 2.4.1) (and 3 more problems)"`);
    expect(reason('deployment: []\n')).toMatchInlineSnapshot(`"inventory.yaml:1:1: unknown key "deployment"; did you mean "deployments"?"`);
    expect(reason('branches:\n  - { service: a, name: release/1, aheadBy: -1, behindBy: 0 }\n')).toMatchInlineSnapshot(`"inventory.yaml:2:45: branches[0].aheadBy: expected a number ≥ 0, received -1"`);
    expect(reason('observed:\n  - { service: a, environment: prod, at: 2026-02-30T10:00:00Z }\n')).toMatchInlineSnapshot(`"inventory.yaml:2:42: observed[0].at: expected a time such as 2026-11-20T10:00:00Z (with Z or an offset), received "2026-02-30T10:00:00Z""`);
    expect(reason('configs:\n  - { service: a, environment: prod, values: { NESTED: { a: 1 } } }\n')).toMatchInlineSnapshot(`"inventory.yaml:2:56: configs[0].values.NESTED: expected text, a number, true or false, or an empty value, received a mapping"`);
    expect(reason('configs: [\n')).toMatchInlineSnapshot(`"inventory.yaml:1:10: YAML syntax error: this flow list ([) is never closed; add the closing ]"`);
    expect(reason('- just\n- a list\n')).toMatchInlineSnapshot(`"inventory.yaml:1:1: expected a mapping with \`deployments\`, \`configs\`, \`observed\`, \`branches\`, \`changes\` or \`history\` at the top, received a list"`);
  });

  it('accepts times with offsets and a space, in UTC', () => {
    const result = parseInventory('history:\n  - { service: a, environment: b, commit: c, at: "2026-11-20 12:00:00+02:00" }\n', 'i.yaml');
    expect(result.ok && result.inventory.history[0]?.at).toBe('2026-11-20T10:00:00Z');
  });
});

describe('extractTickets', () => {
  it('finds unique keys in sorted order', () => {
    expect(ticketsIn([{ title: 'PAY-12 and OPS-3', branch: 'feature/PAY-12-x' }, { title: '' }], '[A-Z][A-Z0-9]+-[0-9]+')).toEqual(['OPS-3', 'PAY-12']);
  });
});

