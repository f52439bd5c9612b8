/**
 * The configuration schema (`release-ledger.config.yaml`). This zod schema is
 * the authority: the TypeScript types, the JSON Schema in
 * `schema/config.schema.json` (for editors) and the reference in docs/configuration.md all come
 * from it. Every field carries a one-line doc comment (`.describe`), which is
 * also what editors show on hover.
 */
import semver from 'semver';
import { z } from 'zod';

/** Names that end up in URLs and file paths: letters, digits, `.`, `_`, `-`. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const nameSchema = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, `a ${what} name of letters, digits, ".", "_" or "-" (at most 100, starting with a letter or digit)`);

/** Severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const severitySchema = z.enum(SEVERITIES).describe('How serious a finding is, lowest first: info, low, medium, high, critical.');
export type Severity = z.infer<typeof severitySchema>;

/** Every rule id the ledger knows; see `src/rules/`. */
export const RULE_IDS = [
  'promotion.bypass',
  'promotion.artifact-mismatch',
  'drift.version',
  'drift.runtime',
  'config.drift',
  'config.unrecorded-change',
  'approval.missing',
  'approval.self',
  'branch.not-merged-back',
  'dependency.incompatible',
  'component.skew',
  'exception.expired',
  'source.gap',
  'release.partial',
  'release.mixed-scope',
  'deployment.outside-branch-policy',
] as const;
export const ruleIdSchema = z.enum(RULE_IDS).describe('A rule id from the rules table, e.g. "promotion.bypass".');
export type RuleId = z.infer<typeof ruleIdSchema>;

/** `YYYY-MM-DD`, a calendar date in UTC. */
const dateSchema = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .pipe(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      // Round-trip through Date so 2026-13-01 or 2026-02-30 is refused, not silently moved.
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'a real calendar date as YYYY-MM-DD'),
  );

const semverRangeSchema = z.string().refine((r) => semver.validRange(r) !== null, {
  message: 'a semver range such as ">=2.3.0 <3" or "^1.4"',
});

export const environmentConfigSchema = z
  .object({
    /** The ledger's name for the environment, e.g. `prod`. */
    name: nameSchema('environment').describe('The ledger\'s name for the environment, e.g. "prod"; used in URLs.'),
    /** Whether this environment serves customers; production deployments get approval checks. */
    production: z.boolean().default(false).describe('Whether this environment serves customers (approval rules apply).'),
    /** How many approvals a deployment here needs; 0 means none. */
    requiredApprovals: z.number().int().min(0).default(0).describe('How many approvals a deployment here needs (0: none).'),
    /** A short human description shown on pages. */
    description: z.string().max(500).optional().describe('A short description shown on the environment page.'),
  })
  .strict();
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;

const environmentMapSchema = z
  .record(z.string(), z.string())
  .default({})
  .describe('Ledger environment name -> this source\'s name for it, where they differ (e.g. { prod: production }).');

export const githubSourceSchema = z
  .object({
    type: z.literal('github').describe('Source type: "github" (GitHub REST API, github.com or GitHub Enterprise Server).'),
    /** API root; `https://HOST/api/v3` for GitHub Enterprise Server. */
    baseUrl: z.url().default('https://api.github.com').describe('API root; https://HOST/api/v3 for GitHub Enterprise Server.'),
    /** Name of the environment variable holding a token (never the token itself). */
    tokenEnv: z.string().default('GITHUB_TOKEN').describe('Environment variable that holds the token (never the token itself).'),
    /** GitHub App credentials, read from environment variables, instead of a token. */
    app: z
      .object({
        appIdEnv: z.string().describe('Environment variable with the App id.'),
        privateKeyEnv: z.string().describe('Environment variable with the App private key (PEM).'),
        installationIdEnv: z.string().describe('Environment variable with the installation id.'),
      })
      .strict()
      .optional()
      .describe('Authenticate as a GitHub App installation instead of with a token.'),
    environments: environmentMapSchema,
    /** Branch name patterns (glob) that count as release or hotfix branches. */
    releaseBranches: z
      .array(z.string())
      .default(['release/*', 'hotfix/*'])
      .describe('Glob patterns of release and hotfix branches to compare with the default branch.'),
    /** Most requests one collect may spend; past it, the rest become gaps. */
    maxRequests: z.number().int().positive().default(5000).describe('Request budget for one collect; past it, the rest is recorded as gaps.'),
    /** How many requests run at once. */
    concurrency: z.number().int().min(1).max(32).default(8).describe('How many requests run at once.'),
    /** Per-request timeout in milliseconds; a request that takes longer is a gap. */
    timeoutMs: z.number().int().positive().max(300_000).default(30_000).describe('Per-request timeout in milliseconds; a slower answer becomes a gap.'),
    /** Whole-run deadline in seconds; what is not collected by then becomes gaps and the snapshot is still written. */
    deadlineSeconds: z
      .number()
      .int()
      .positive()
      .max(86_400)
      .default(1200)
      .describe('Deadline for the whole GitHub read (and a gitops repo mode reading through it), in seconds; what is not collected by then becomes gaps, and the snapshot is still written.'),
    /** Where ETags are cached between runs, relative to the config file. */
    cacheFile: z.string().default('.ledger-cache/github-etags.json').describe('ETag cache between runs, relative to the config file.'),
    /** Whether to read environment variables and secret names (two requests per repository and environment). */
    variables: z.boolean().default(true).describe('Read environment variables (values) and secrets (names, update times): two requests per repository and environment.'),
  })
  .strict();
/** Settings of a `github` source, defaults applied. */
export type GitHubSourceConfig = z.output<typeof githubSourceSchema>;

/**
 * Where a field is in a version endpoint's JSON body: a JSON Pointer when it
 * starts with `/` (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901: `~` only
 * as `~0` or `~1`), else the older dotted path (collectors/http/json-pointer.ts).
 */
const jsonPathSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(/^(?:[^/][^]*|(?:\/(?:[^~/]|~[01])*)+)$/, 'a JSON Pointer ("/git.commit.id"; "~" only as "~0" or "~1") or a dotted path ("build.version")');

export const httpSourceSchema = z
  .object({
    type: z.literal('http').describe('Source type: "http" (a service\'s version endpoint).'),
    /** Per-request timeout in milliseconds. */
    timeoutMs: z.number().int().positive().max(120_000).default(5000).describe('Per-request timeout in milliseconds.'),
    /** How many redirects to follow before giving up. */
    maxRedirects: z.number().int().min(0).max(10).default(3).describe('How many redirects to follow.'),
    /** How many endpoints are asked at once. */
    concurrency: z.number().int().min(1).max(64).default(8).describe('How many endpoints are asked at once.'),
    /** Request headers whose values come from environment variables: header -> variable name. */
    headersEnv: z.record(z.string(), z.string()).default({}).describe('Request header -> environment variable holding its value (never stored).'),
    /** Where the version is in a JSON body, for shapes not understood out of the box. */
    versionPath: jsonPathSchema.optional().describe('Where the version is in a JSON body: a JSON Pointer ("/build/version") or a dotted path ("build.version"); a service\'s own versionPath wins.'),
    /** Where the commit is in a JSON body. */
    commitPath: jsonPathSchema.optional().describe('Where the commit is in a JSON body: a JSON Pointer ("/git.commit.id" reads that literal key) or a dotted path; a service\'s own commitPath wins.'),
    /** Skip TLS certificate checks; off by default, for internal CAs only. */
    insecureTls: z.boolean().default(false).describe('Skip TLS certificate verification (not recommended).'),
    environments: environmentMapSchema,
  })
  .strict();

export const fileSourceSchema = z
  .object({
    type: z.literal('file').describe('Source type: "file" (a declared inventory in YAML).'),
    /** An inventory YAML file, or a folder of them, relative to the config file. */
    path: z.string().min(1).describe('Inventory YAML file, or a folder of them, relative to the config file.'),
    environments: environmentMapSchema,
  })
  .strict();

export const gitopsSourceSchema = z
  .object({
    type: z.literal('gitops').describe('Source type: "gitops" (a GitOps repository).'),
    /** Path to a local clone of the GitOps repository, relative to the config file. */
    path: z.string().min(1).optional().describe('Local clone of the GitOps repository, relative to the config file.'),
    /** `owner/name` of the GitOps repository, read through a GitHub source instead of a clone. */
    repo: z.string().optional().describe('owner/name of the GitOps repository, read through the GitHub source named in `github`.'),
    /** Which configured GitHub source reads `repo`. */
    github: z.string().optional().describe('Name of the GitHub source used to read `repo`.'),
    /** Git ref to read; the current HEAD when absent. */
    ref: z.string().optional().describe('Git ref to read (default: HEAD).'),
    /** Path patterns with `{environment}` and `{service}` that locate each service's files. */
    files: z
      .array(z.string())
      .min(1)
      .default(['environments/{environment}/{service}/values.yaml'])
      .describe('Patterns with {environment} and {service} locating Helm values, Kustomize overlays or manifests.'),
    /** Path patterns with `{environment}` and `{service}` locating config value files (YAML `env:`/`config:` maps, plain maps, .env, .properties). */
    configFiles: z
      .array(z.string())
      .default([])
      .describe('Patterns with {environment} and {service} locating config value files (YAML env:/config: maps or plain maps, .env, .properties).'),
    environments: environmentMapSchema,
  })
  .strict()
  .refine((s) => Boolean(s.path) !== Boolean(s.repo), { message: 'set exactly one of `path` (a local clone) or `repo` (through GitHub)' });

/** Settings of an `http` (runtime version endpoint) source, defaults applied. */
export type HttpSourceConfig = z.output<typeof httpSourceSchema>;
/** Settings of a `gitops` (declared state in a GitOps repository) source, defaults applied. */
export type GitOpsSourceConfig = z.output<typeof gitopsSourceSchema>;

/** How to reach one cluster: a kubeconfig, the pod's service account, or a server and a token (docs/sources.md, "kubernetes"). */
const kubernetesClusterSchema = z
  .object({
    /** A kubeconfig file, relative to the config file (e.g. written from a CI secret). */
    kubeconfig: z.string().min(1).optional().describe('Kubeconfig file, relative to the config file (e.g. written from a CI secret by the nightly workflow).'),
    /** The kubeconfig context to use; its current-context when absent. */
    context: z.string().min(1).optional().describe('Context in the kubeconfig (default: its current-context).'),
    /** Use the service account of the pod the ledger runs in. */
    inCluster: z.boolean().default(false).describe('Use the service account of the pod the ledger runs in (KUBERNETES_SERVICE_HOST and the mounted token).'),
    /** API server URL, used with `tokenEnv` and `caFile`. */
    server: z.url().optional().describe('API server URL (https://…), used with tokenEnv and caFile.'),
    /** Environment variable holding a bearer token for `server`. */
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional().describe('Environment variable holding a bearer token for `server` (never the token itself).'),
    /** CA certificate (PEM) of `server`, relative to the config file. */
    caFile: z.string().min(1).optional().describe('CA certificate (PEM) that signed the API server\'s certificate, relative to the config file.'),
  })
  .strict()
  .refine((c) => [c.kubeconfig !== undefined, c.inCluster, c.server !== undefined].filter(Boolean).length === 1, {
    message: 'set exactly one of `kubeconfig`, `inCluster: true` or `server` (with `tokenEnv`)',
  })
  .refine((c) => c.server === undefined || c.tokenEnv !== undefined, { message: '`server` needs `tokenEnv`, the environment variable holding the token', path: ['tokenEnv'] });

export const kubernetesSourceSchema = z
  .object({
    type: z.literal('kubernetes').describe('Source type: "kubernetes" (what runs in a cluster, read through its API).'),
    /** Ledger environment -> the cluster it runs in. */
    clusters: z.record(z.string(), kubernetesClusterSchema).describe('Ledger environment name -> how to reach the cluster it runs in.'),
    /** Where each service runs; services not listed use the defaults. */
    services: z
      .record(
        z.string(),
        z
          .object({
            namespace: z.string().min(1).optional().describe('Namespace of its workloads (default: any namespace).'),
            selector: z.string().min(1).optional().describe('Label selector of its workloads (default: app.kubernetes.io/name=<service>).'),
            container: z.string().min(1).optional().describe('Container that is the service (default: the one named as the service or workload, else the first).'),
          })
          .strict(),
      )
      .default({})
      .describe('Service name -> where it runs: namespace, label selector, container.'),
    /** Items per list request (`limit`); lists follow `continue` tokens. */
    pageSize: z.number().int().min(1).max(5000).default(500).describe('Items per list request (`limit`); the rest is read with `continue` tokens.'),
    /** Per-request timeout in milliseconds. */
    timeoutMs: z.number().int().positive().max(300_000).default(30_000).describe('Per-request timeout in milliseconds; a slower answer becomes a gap.'),
  })
  .strict();
/** Settings of a `kubernetes` source, defaults applied. */
export type KubernetesSourceConfig = z.output<typeof kubernetesSourceSchema>;

export const argocdSourceSchema = z
  .object({
    type: z.literal('argocd').describe('Source type: "argocd" (Argo CD applications: syncs, who started them, sync status).'),
    /** The Argo CD server, e.g. `https://argocd.example.com`. */
    baseUrl: z.url().optional().describe('The Argo CD server, e.g. https://argocd.example.com (its REST API is read at /api/v1/applications). Or set `cluster`.'),
    /** Read the `Application` resources from the cluster Argo CD runs in, instead of its API. */
    cluster: kubernetesClusterSchema.optional().describe('Read the Application resources from the cluster Argo CD runs in (as a kubernetes source reaches a cluster), instead of its API.'),
    /** Namespace of the Application resources, with `cluster`. */
    namespace: z.string().min(1).default('argocd').describe('Namespace of the Application resources, with `cluster` (default argocd).'),
    /** Environment variable holding an Argo CD API token (read-only account). */
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default('ARGOCD_TOKEN').describe('Environment variable holding an Argo CD API token (never the token itself).'),
    /** Only applications of this Argo CD project. */
    project: z.string().min(1).optional().describe('Only read applications of this Argo CD project.'),
    /** Application name -> the service (and environment) it deploys, where names do not say it. */
    applications: z
      .record(z.string(), z.object({ service: z.string().describe('The service the application deploys.'), environment: z.string().optional().describe('The ledger environment it deploys to (default: from its destination).') }).strict())
      .default({})
      .describe('Application name -> { service, environment }, where the name is not <service> or <service>-<environment>.'),
    /** Whether the latest sync is the service's deployment record; false when another source (e.g. GitHub deployments) records deployments. */
    deployments: z
      .boolean()
      .default(true)
      .describe('Record the latest sync as the deployment (with every kept sync). false: another source records deployments; the syncs (who started each) go to its record of the same service and environment, and into promotion history.'),
    /** Per-request timeout in milliseconds. */
    timeoutMs: z.number().int().positive().max(300_000).default(30_000).describe('Per-request timeout in milliseconds; a slower answer becomes a gap.'),
    environments: environmentMapSchema.describe('Ledger environment name -> the destination cluster (name or server URL) of its applications, where they differ.'),
  })
  .strict()
  .refine((s) => (s.baseUrl === undefined) !== (s.cluster === undefined), { message: 'set exactly one of `baseUrl` (the Argo CD API) or `cluster` (its Application resources)' });
/** Settings of an `argocd` source, defaults applied. */
export type ArgoCdSourceConfig = z.output<typeof argocdSourceSchema>;

export const sourceConfigSchema = z.discriminatedUnion('type', [githubSourceSchema, httpSourceSchema, fileSourceSchema, gitopsSourceSchema, kubernetesSourceSchema, argocdSourceSchema]);
export type SourceConfig = z.output<typeof sourceConfigSchema>;
export type SourceType = SourceConfig['type'];
/** Settings of a `file` source (an inventory file or folder). */
export type FileSourceConfig = z.output<typeof fileSourceSchema>;

/** Per-environment values: keys are environment names or `*` for all. */
const perEnvironmentSchema = z.record(z.string(), z.string()).default({});

export const serviceConfigSchema = z
  .object({
    /** The service's name, unique in the config; used in URLs. */
    name: nameSchema('service').describe('Unique service name; used in URLs.'),
    /** The repository, `owner/name`. */
    repo: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository as owner/name')
      .optional()
      .describe('The GitHub repository, owner/name.'),
    /** The owning team. */
    owner: z.string().max(100).optional().describe('The team that owns it.'),
    /** `service` is deployed; `library` is built into services. */
    kind: z.enum(['service', 'library']).default('service').describe('"service" is deployed; "library" is built into services.'),
    /** Names of the sources that describe this service. */
    sources: z.array(z.string()).default([]).describe('Names of the configured sources that describe it.'),
    /** Other services or libraries it needs, with the semver range it accepts. */
    dependsOn: z.record(z.string(), semverRangeSchema).default({}).describe('Service or library name -> accepted semver range.'),
    /** Version endpoint per environment (`*` for all, `{environment}` substituted). */
    versionUrl: perEnvironmentSchema.describe('Environment (or "*") -> URL of the version endpoint; {environment} is substituted.'),
    /** Where this service's version endpoint puts the version, when no built-in shape has it (over the http source's `versionPath`). */
    versionPath: jsonPathSchema.optional().describe('This service\'s version endpoint: where the version is (JSON Pointer or dotted path); overrides the http source\'s versionPath.'),
    /** Where this service's version endpoint puts the commit (over the http source's `commitPath`). */
    commitPath: jsonPathSchema.optional().describe('This service\'s version endpoint: where the commit is (JSON Pointer or dotted path); overrides the http source\'s commitPath.'),
    /** Config file path per environment in the repo (`*` for all, `{environment}` substituted). */
    configFiles: perEnvironmentSchema.describe('Environment (or "*") -> config file path in the repo; {environment} is substituted.'),
    /** Config keys that are meant to differ between environments. */
    envSpecificKeys: z.array(z.string()).default([]).describe('Config keys that are meant to differ between environments.'),
    /** Extra key patterns (glob, case-insensitive) whose values are secret. */
    secretKeys: z.array(z.string()).default([]).describe('Extra key patterns (glob, case-insensitive) whose values are secret.'),
    /** A short description shown on the service page. */
    description: z.string().max(500).optional().describe('A short description shown on the service page.'),
  })
  .strict();
export type ServiceConfig = z.output<typeof serviceConfigSchema>;

export const ruleSettingSchema = z
  .object({
    /** Whether the rule runs. */
    enabled: z.boolean().default(true).describe('Whether the rule runs.'),
    /** Severity of its findings, overriding the rule's default. */
    severity: severitySchema.optional(),
  })
  .strict();

export const policiesSchema = z
  .object({
    /** Days two neighbouring environments may differ before `drift.version` fires. */
    maxDriftDays: z.number().int().min(0).default(14).describe('Days neighbouring environments may differ before drift.version fires.'),
    /** Key patterns (glob, case-insensitive) whose values are secret, for every service. */
    secretKeys: z
      .array(z.string())
      .default(['*password*', '*passwd*', '*secret*', '*token*', '*api_key*', '*apikey*', '*private_key*', '*credential*', '*_key'])
      .describe('Key patterns (glob, case-insensitive) whose values are never stored (only a keyed fingerprint, see secretKeyEnv).'),
    /** Regular expression that finds ticket keys in PR titles and branch names. */
    ticketPattern: z.string().default('[A-Z][A-Z0-9]+-[0-9]+').describe('Regular expression for ticket keys in PR titles and branches, e.g. PAY-123.'),
    /** Days part of a release may run in an environment without the rest before `release.partial` fires. */
    releaseGraceDays: z
      .number()
      .min(0)
      .optional()
      .describe('Days part of a release or cross-service change may run in an environment without the rest before release.partial fires (absent: 2).'),
    /** Most unrelated tickets (a pull request without one counts alone) one production deployment may bring before `release.mixed-scope` fires. */
    maxScopePerDeployment: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Most unrelated tickets one production deployment may bring (a pull request without a ticket counts as one) before release.mixed-scope fires (absent: 5).'),
    /** Per-rule switches and severities. */
    rules: z.partialRecord(ruleIdSchema, ruleSettingSchema).default({}).describe('Rule id -> { enabled, severity }.'),
  })
  .strict()
  // prefault: an absent `policies` is parsed as {}, so every default above applies.
  .prefault({});
export type Policies = z.output<typeof policiesSchema>;

export const exceptionConfigSchema = z
  .object({
    /** The rule whose finding is excepted. */
    rule: ruleIdSchema,
    /** The service it applies to. */
    service: z.string().describe('The service the exception applies to.'),
    /** The environment it applies to; absent means every environment. */
    environment: z.string().optional().describe('The environment it applies to (absent: all).'),
    /** Why the finding is accepted for now. */
    reason: z.string().min(1).describe('Why the finding is accepted for now.'),
    /** Who approved the exception. */
    approvedBy: z.string().min(1).describe('Who approved the exception.'),
    /** Last day (UTC, inclusive) the exception is in force. */
    expires: dateSchema.describe('Last day (UTC, inclusive) the exception is in force, YYYY-MM-DD.'),
  })
  .strict();
export type ExceptionConfig = z.output<typeof exceptionConfigSchema>;

/** A version label a declared release names: semver, a leading `v` allowed (`2.4.0`, `v2.4.0`). */
const releaseVersionSchema = z
  .string()
  .refine((v) => semver.valid(v.trim().replace(/^v(?=\d)/i, '')) !== null, { message: 'a version such as "2.4.0" (semver, a leading v allowed)' });

export const releaseConfigSchema = z
  .object({
    /** The release's name, unique in the config; used in URLs. */
    name: nameSchema('release').describe('Unique release name; used in URLs (/releases/NAME/).'),
    /** Service -> the version of it the release ships. */
    components: z
      .record(z.string(), releaseVersionSchema)
      .refine((c) => Object.keys(c).length > 0, { message: 'at least one service -> version' })
      .describe('Service -> the version of it this release ships, e.g. { payments-api: 2.4.0, web: 1.9.0 }.'),
    /** Who answers for a rollback: a person or team. */
    owner: z.string().min(1).max(100).describe('The person or team who answers for the release and for a rollback.'),
    /** The environments it targets; absent means every environment. */
    environments: z.array(z.string()).optional().describe('The environments the release targets (absent: all).'),
    /** The day it is planned for (UTC). */
    planned: dateSchema.optional().describe('The day it is planned for (UTC), YYYY-MM-DD.'),
    /** A short description shown on the release page. */
    description: z.string().max(500).optional().describe('A short description shown on the release page.'),
  })
  .strict();
export type ReleaseConfig = z.output<typeof releaseConfigSchema>;

/**
 * What is wrong with `releases` beyond their own shape: a name used twice (or
 * already in `taken`), a service or an environment the config does not have.
 * Paths start at `releases`; shared by the config and the release files.
 */
function releaseIssues(
  releases: readonly ReleaseConfig[],
  known: { services: ReadonlySet<string>; environments: ReadonlySet<string>; taken: ReadonlySet<string> },
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const names = releases.map((r) => r.name);
  releases.forEach((release, i) => {
    if (names.indexOf(release.name) !== i || known.taken.has(release.name)) issues.push({ path: ['releases', i, 'name'], message: `"${release.name}" is named twice; names must be unique` });
    for (const service of Object.keys(release.components)) {
      if (!known.services.has(service)) issues.push({ path: ['releases', i, 'components', service], message: `no service named "${service}"` });
    }
    (release.environments ?? []).forEach((env, j) => {
      if (!known.environments.has(env)) issues.push({ path: ['releases', i, 'environments', j], message: `no environment named "${env}"` });
    });
  });
  return issues;
}

/** One file of `releasesDir`: `releases: [...]`, checked against the config's services and environments and the names already taken. */
export function releaseFileSchema(known: { services: ReadonlySet<string>; environments: ReadonlySet<string>; taken: ReadonlySet<string> }) {
  return z
    .object({ releases: z.array(releaseConfigSchema).describe('The releases this file declares.') })
    .strict()
    .superRefine((file, ctx) => {
      for (const issue of releaseIssues(file.releases, known)) ctx.addIssue({ code: 'custom', ...issue });
    });
}

/**
 * How the site publishes the snapshot copies (docs/site.md, "Snapshot copies"):
 * gzip of the ledger file's bytes (default: GitHub Pages publishes at most 1 GB),
 * the file itself, or none.
 */
export const SNAPSHOT_COPIES = ['gzip', 'json', 'none'] as const;
export type SnapshotCopies = (typeof SNAPSHOT_COPIES)[number];

export const configSchema = z
  .object({
    /** Editors' schema reference; ignored by the ledger. */
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    /** The organisation or system the ledger describes, shown on every page. */
    name: z.string().min(1).max(200).describe('The organisation or system, shown on every page.'),
    /** Where snapshots are written, relative to the config file. */
    snapshotsDir: z.string().default('content/snapshots').describe('Where snapshots are written, relative to the config file.'),
    /** The promotion path, lowest environment first. */
    environments: z.array(environmentConfigSchema).min(1).describe('The promotion path, lowest first.'),
    /** Named source instances. */
    sources: z.record(nameSchema('source'), sourceConfigSchema).default({}).describe('Source name -> settings.'),
    /** The services and libraries the ledger tracks. */
    services: z.array(serviceConfigSchema).default([]).describe('The services and libraries tracked.'),
    /** The environment variable holding the key that fingerprints secret values (never the key itself). */
    secretKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as RELEASE_LEDGER_SECRET_KEY')
      .optional()
      .describe(
        'Environment variable that holds the ledger key (32+ characters, e.g. `openssl rand -base64 32`, kept as a CI secret). Secret values are fingerprinted with HMAC-SHA-256 under it; without it they are stored with no fingerprint and their changes cannot be detected.',
      ),
    /** How the published site presents itself to crawlers. */
    site: z
      .object({
        robots: z
          .enum(['disallow', 'allow'])
          .default('disallow')
          .describe('robots.txt of the built site: `disallow` (the default: audit sites are often private) asks every crawler to stay away; `allow` lets them index it.'),
        snapshotCopies: z
          .enum(SNAPSHOT_COPIES)
          .default('gzip')
          .describe(
            'How the site publishes each snapshot as evidence under /snapshots/: `gzip` (the default) as `ID.json.gz`, a gzip whose content is the ledger file byte for byte (about 14× smaller: three years of copies at 100 services are 60 MB instead of 850 MB, where GitHub Pages publishes at most 1 GB in all); `json` as `ID.json`, the ledger file itself; `none` publishes no copies (the pages then point to the ledger repository; the hashes are still listed).',
          ),
      })
      .strict()
      .prefault({})
      .describe('The published site: robots.txt and the snapshot copies.'),
    /** Thresholds and rule settings. */
    policies: policiesSchema.describe('Thresholds, secret key patterns, the ticket pattern and rule settings.'),
    /** Temporary, approved exceptions to findings. */
    exceptions: z.array(exceptionConfigSchema).default([]).describe('Temporary, approved exceptions to findings.'),
    /** Releases: versions of several services meant to move together (docs/releases.md). */
    releases: z.array(releaseConfigSchema).default([]).describe('Releases: versions of several services that belong together, with an owner (docs/releases.md).'),
    /** A folder of release files, relative to the config file, added to `releases`. */
    releasesDir: z
      .string()
      .min(1)
      .optional()
      .describe('A folder of release files (*.yaml, each `releases: [...]`), relative to the config file; added to `releases` (docs/releases.md).'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const duplicates = (names: string[], path: 'environments' | 'services' | 'releases') =>
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: [path, i, 'name'], message: `"${name}" is named twice; names must be unique` });
      });
    duplicates(config.environments.map((e) => e.name), 'environments');
    duplicates(config.services.map((s) => s.name), 'services');
    const environments = new Set(config.environments.map((e) => e.name));
    const services = new Set(config.services.map((s) => s.name));
    const sources = new Set(Object.keys(config.sources));
    config.services.forEach((service, i) => {
      service.sources.forEach((source, j) => {
        if (!sources.has(source))
          ctx.addIssue({ code: 'custom', path: ['services', i, 'sources', j], message: `no source named "${source}" (known: ${[...sources].join(', ') || 'none'})` });
      });
      for (const dep of Object.keys(service.dependsOn)) {
        if (!services.has(dep)) ctx.addIssue({ code: 'custom', path: ['services', i, 'dependsOn', dep], message: `no service named "${dep}"` });
        if (dep === service.name) ctx.addIssue({ code: 'custom', path: ['services', i, 'dependsOn', dep], message: 'a service cannot depend on itself' });
      }
      for (const field of ['versionUrl', 'configFiles'] as const) {
        for (const env of Object.keys(service[field])) {
          if (env !== '*' && !environments.has(env))
            ctx.addIssue({ code: 'custom', path: ['services', i, field, env], message: `no environment named "${env}"` });
        }
      }
    });
    const cycle = findDependencyCycle(config.services);
    if (cycle) {
      const index = config.services.findIndex((s) => s.name === cycle[0]);
      ctx.addIssue({ code: 'custom', path: ['services', index, 'dependsOn'], message: `dependency cycle: ${cycle.join(' -> ')}` });
    }
    config.exceptions.forEach((exception, i) => {
      if (!services.has(exception.service)) ctx.addIssue({ code: 'custom', path: ['exceptions', i, 'service'], message: `no service named "${exception.service}"` });
      if (exception.environment !== undefined && !environments.has(exception.environment))
        ctx.addIssue({ code: 'custom', path: ['exceptions', i, 'environment'], message: `no environment named "${exception.environment}"` });
    });
    for (const issue of releaseIssues(config.releases, { services, environments, taken: new Set() })) ctx.addIssue({ code: 'custom', ...issue });
    for (const [name, source] of Object.entries(config.sources)) {
      const mapped = source.type === 'kubernetes' ? { field: 'clusters', keys: Object.keys(source.clusters) } : { field: 'environments', keys: Object.keys(source.environments) };
      for (const env of mapped.keys) {
        if (!environments.has(env)) ctx.addIssue({ code: 'custom', path: ['sources', name, mapped.field, env], message: `no environment named "${env}"` });
      }
      if (source.type === 'argocd') {
        for (const [app, target] of Object.entries(source.applications)) {
          if (!services.has(target.service)) ctx.addIssue({ code: 'custom', path: ['sources', name, 'applications', app, 'service'], message: `no service named "${target.service}"` });
          if (target.environment !== undefined && !environments.has(target.environment))
            ctx.addIssue({ code: 'custom', path: ['sources', name, 'applications', app, 'environment'], message: `no environment named "${target.environment}"` });
        }
      }
      if (source.type === 'kubernetes') {
        for (const service of Object.keys(source.services)) {
          if (!services.has(service)) ctx.addIssue({ code: 'custom', path: ['sources', name, 'services', service], message: `no service named "${service}"` });
        }
      }
      if (source.type === 'gitops' && source.repo) {
        const github = source.github ? config.sources[source.github] : undefined;
        if (!github || github.type !== 'github')
          ctx.addIssue({ code: 'custom', path: ['sources', name, 'github'], message: 'name the GitHub source that reads `repo`' });
      }
    }
    if (config.policies.ticketPattern) {
      try {
        new RegExp(config.policies.ticketPattern);
      } catch (error) {
        // V8 says "Invalid regular expression: /([A-Z/: Unterminated character class"; keep the reason after the last ": ".
        const reason = error instanceof Error ? error.message.split(': ').pop() : undefined;
        ctx.addIssue({ code: 'custom', path: ['policies', 'ticketPattern'], message: `not a valid regular expression${reason ? ` (${reason})` : ''}` });
      }
    }
  });

/** What a user writes (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The validated config with defaults applied. */
export type Config = z.output<typeof configSchema>;

/** The first dependency cycle among services, as names ending where it began, or null. */
export function findDependencyCycle(services: readonly Pick<ServiceConfig, 'name' | 'dependsOn'>[]): string[] | null {
  const edges = new Map(services.map((s) => [s.name, Object.keys(s.dependsOn)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const s of services) {
    const found = visit(s.name);
    if (found) return found;
  }
  return null;
}
