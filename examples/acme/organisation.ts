/**
 * The demo organisation "Acme Payments": its teams, services, shared
 * libraries and people. `release-ledger.config.yaml` beside this file declares
 * the same services for the ledger; `tests/demo/` checks that the two agree.
 */

export const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'] as const;
export type Env = (typeof ENVIRONMENTS)[number];

export interface ServiceSpec {
  name: string;
  team: string;
  kind: 'service' | 'library';
  /** Ticket key prefix of the team's tracker project, e.g. PAY for PAY-123. */
  ticket: string;
  /** Version running everywhere when the simulation starts. */
  startVersion: string;
  /** Other services and libraries it needs, with the accepted range (as in the config). */
  dependsOn: Record<string, string>;
  /** Has a database (DATABASE_URL, DB_PASSWORD). */
  database: boolean;
  /** Secret config keys of its own, beyond DB_PASSWORD (matched by the default or per-service patterns). */
  secrets: string[];
  /** FEATURE_FLAGS value, the same in every environment. */
  flags: string;
  /** Replicas in prod at the start. */
  prodReplicas: number;
}

export const TEAMS: Record<string, readonly string[]> = {
  'team-payments': ['alice', 'bob', 'carol', 'dmitri'],
  'team-checkout': ['erin', 'farah', 'gus'],
  'team-ledger': ['grace', 'hiro', 'ines'],
  'team-risk': ['jonas', 'kemal', 'lucia'],
  'team-identity': ['lena', 'marco', 'nils'],
  'team-platform': ['nadia', 'omar', 'priya'],
  'team-merchant': ['quinn', 'rosa', 'sami'],
  'team-data': ['sven', 'tara', 'umar'],
};

/** Who approves staging and production deployments besides team mates. */
export const RELEASE_MANAGERS = ['rm-uma', 'rm-victor'] as const;
/** The automation that deploys to dev and qa. */
export const CI_BOT = 'acme-deploy-bot';

const svc = (s: Omit<ServiceSpec, 'kind'>): ServiceSpec => ({ ...s, kind: 'service' });

export const SERVICES: readonly ServiceSpec[] = [
  // Shared libraries: built into services, never deployed on their own.
  { name: 'ledger-core', team: 'team-ledger', kind: 'library', ticket: 'LED', startVersion: '2.8.1', dependsOn: {}, database: false, secrets: [], flags: '', prodReplicas: 0 },
  { name: 'auth-client', team: 'team-identity', kind: 'library', ticket: 'AUTH', startVersion: '1.6.0', dependsOn: {}, database: false, secrets: [], flags: '', prodReplicas: 0 },
  svc({ name: 'payments-api', team: 'team-payments', ticket: 'PAY', startVersion: '2.6.0', dependsOn: { 'ledger-core': '>=2.3.0 <3', 'auth-client': '^1.4.0' }, database: true, secrets: ['PSP_API_TOKEN'], flags: '3ds2,smart-retries', prodReplicas: 6 }),
  svc({ name: 'checkout-web', team: 'team-checkout', ticket: 'CHK', startVersion: '5.12.0', dependsOn: { 'payments-api': '>=2.3.0 <3', 'auth-client': '^1.5.0' }, database: false, secrets: [], flags: 'apple-pay,saved-cards', prodReplicas: 4 }),
  svc({ name: 'card-gateway', team: 'team-payments', ticket: 'CARD', startVersion: '4.3.0', dependsOn: { 'ledger-core': '^2.5.0', 'auth-client': '^1.4.0' }, database: true, secrets: ['NETWORK_API_TOKEN', 'HSM_PIN'], flags: 'network-tokens', prodReplicas: 6 }),
  svc({ name: 'fraud-scoring', team: 'team-risk', ticket: 'FRAUD', startVersion: '3.2.0', dependsOn: { 'ledger-core': '^2.0.0' }, database: true, secrets: ['MODEL_REGISTRY_TOKEN'], flags: 'velocity-v2', prodReplicas: 4 }),
  svc({ name: 'ledger-service', team: 'team-ledger', ticket: 'LED', startVersion: '5.2.0', dependsOn: { 'ledger-core': '^2.0.0' }, database: true, secrets: [], flags: 'double-entry-audit', prodReplicas: 5 }),
  svc({ name: 'settlement-batch', team: 'team-ledger', ticket: 'SETL', startVersion: '1.8.0', dependsOn: { 'ledger-core': '^2.4.0', 'ledger-service': '^5.0.0' }, database: true, secrets: ['SFTP_PASSWORD'], flags: 'sepa-instant', prodReplicas: 2 }),
  svc({ name: 'merchant-portal', team: 'team-merchant', ticket: 'MER', startVersion: '7.4.0', dependsOn: { 'payments-api': '^2.0.0', 'auth-client': '^1.4.0' }, database: false, secrets: [], flags: 'new-dashboard', prodReplicas: 3 }),
  svc({ name: 'identity-service', team: 'team-identity', ticket: 'AUTH', startVersion: '3.4.0', dependsOn: {}, database: true, secrets: ['JWT_SIGNING_KEY'], flags: 'webauthn', prodReplicas: 4 }),
  svc({ name: 'notification-service', team: 'team-platform', ticket: 'NOTIF', startVersion: '1.15.0', dependsOn: { 'auth-client': '^1.4.0' }, database: false, secrets: ['SMTP_PASSWORD', 'SMS_API_TOKEN'], flags: 'sms-fallback', prodReplicas: 3 }),
  svc({ name: 'reporting-service', team: 'team-data', ticket: 'REP', startVersion: '2.1.0', dependsOn: { 'ledger-core': '^2.1.0', 'ledger-service': '>=5.0.0 <6' }, database: true, secrets: [], flags: 'csv-export', prodReplicas: 2 }),
  svc({ name: 'payout-service', team: 'team-payments', ticket: 'PAYOUT', startVersion: '1.3.0', dependsOn: { 'ledger-core': '>=2.6.0 <3', 'auth-client': '^1.4.0', 'ledger-service': '^5.1.0' }, database: true, secrets: ['BANK_API_TOKEN'], flags: 'instant-payouts', prodReplicas: 3 }),
  svc({ name: 'risk-rules-engine', team: 'team-risk', ticket: 'RISK', startVersion: '7.9.0', dependsOn: {}, database: false, secrets: [], flags: 'rules-v7', prodReplicas: 3 }),
  svc({ name: 'api-gateway', team: 'team-platform', ticket: 'GW', startVersion: '4.0.0', dependsOn: { 'identity-service': '^3.1.0', 'auth-client': '^1.4.0' }, database: false, secrets: [], flags: 'rate-limit-v2', prodReplicas: 6 }),
  svc({ name: 'webhook-dispatcher', team: 'team-platform', ticket: 'HOOK', startVersion: '2.3.0', dependsOn: { 'auth-client': '^1.4.0' }, database: true, secrets: ['SIGNING_SEED'], flags: 'retry-backoff', prodReplicas: 2 }),
];

export const LIBRARIES = SERVICES.filter((s) => s.kind === 'library').map((s) => s.name);
export const DEPLOYED = SERVICES.filter((s) => s.kind === 'service');

/**
 * Services deployed by an older pipeline that records nothing in GitHub: the
 * platform team keeps a YAML inventory for them (the `file` source). Every
 * other service deploys through GitHub Actions environments, is declared in
 * the GitOps repository and answers on a version endpoint.
 */
export const LEGACY: readonly string[] = ['reporting-service', 'webhook-dispatcher'];
/** The services read from GitHub, the GitOps repository and their version endpoints. */
export const ON_GITHUB = DEPLOYED.filter((s) => !LEGACY.includes(s.name));

/** How each service's version endpoint answers (see examples/servers/runtime-server.ts); `flat` unless listed. */
export const VERSION_SHAPES: Readonly<Record<string, 'spring-boot' | 'plain-text'>> = {
  'card-gateway': 'spring-boot',
  'ledger-service': 'spring-boot',
  'settlement-batch': 'spring-boot',
  'payout-service': 'spring-boot',
  'risk-rules-engine': 'plain-text',
};

/** Library releases over the timeline (time of the release; the start versions exist before). */
export const LIBRARY_RELEASES: readonly { library: string; version: string; at: string }[] = [
  { library: 'ledger-core', version: '2.8.1', at: '2026-07-01T10:00:00Z' },
  { library: 'auth-client', version: '1.6.0', at: '2026-07-01T10:00:00Z' },
  { library: 'ledger-core', version: '2.9.0', at: '2026-09-08T10:00:00Z' },
  // A breaking major: no dependent's declared range accepts it.
  { library: 'ledger-core', version: '3.0.0', at: '2026-10-12T10:00:00Z' },
  { library: 'auth-client', version: '1.7.0', at: '2026-10-26T10:00:00Z' },
];

/** Phrases for pull request titles; a ticket key is added in front. */
export const PR_PHRASES: readonly string[] = [
  'Retry idempotent captures on 502',
  'Add currency rounding for JPY',
  'Paginate merchant search',
  'Drop legacy v1 endpoint',
  'Cache FX rates for 60 seconds',
  'Fix race in settlement cut-off',
  'Structured logs for audit trail',
  'Bump base image to distroless 12',
  'Handle chargeback webhooks',
  'Validate IBAN checksum',
  'Expose p99 latency metric',
  'Refund partial captures',
  'Rotate signing keys without downtime',
  'Reduce cold start with lazy imports',
  'Add SCA exemption for low-value payments',
  'Tighten CSP headers',
  'Backfill missing merchant categories',
  'Speed up nightly reconciliation',
  'Translate receipts to Polish',
  'Circuit breaker for acquirer timeouts',
  'Remove unused feature toggle',
  'Make payout cut-off configurable',
  'Alert on stuck webhooks',
  'Harden JWT audience check',
];
