/**
 * What `release-ledger init` writes, as pure functions of a few options:
 * a commented starter config, an example inventory for the `file` source,
 * and a GitHub Actions workflow that collects nightly, commits the snapshot,
 * verifies the chain, builds the site and publishes it to GitHub Pages.
 * `write.ts` does the I/O; tests check these texts directly.
 */
import { publishSettings, publishSteps, type PublishTarget } from './publish.ts';

/**
 * How the project uses release-ledger, which decides the schema path and the
 * command the workflow runs:
 * - `package`: the ledger lives in your own repository and release-ledger is
 *   an npm dependency (`npx release-ledger …`, schema under `node_modules/`);
 * - `clone`: this repository was cloned as the ledger repository (schema in
 *   `./schema/`, the CLI through `npm run release-ledger --`).
 */
export type InitMode = 'package' | 'clone';

export interface InitOptions {
  mode: InitMode;
  /**
   * Folder of the config relative to the repository root, `/`-separated; `''`
   * or `.` when the config is at the root. The workflow sits at the root
   * (`.github/workflows/` only works there) and points `--config` here.
   */
  configDir: string;
  /** Severity `collect --fail-on` gates on in CI. */
  failOn?: string;
  /** Nightly cron (UTC). */
  cron?: string;
  /** Collect over this many matrix jobs, merged into one snapshot (default 1: one job). */
  shards?: number;
  /** Where the site is published (publish.ts; default GitHub Pages). */
  publish?: PublishTarget;
}

export const CONFIG_FILE = 'release-ledger.config.yaml';
const PAGES_PERMISSIONS = `  pages: write # publish the site
  id-token: write # actions/deploy-pages proves the run's identity with OIDC
`;
export const INVENTORY_FILE = 'inventory.yaml';
export const WORKFLOW_FILE = '.github/workflows/release-ledger.yml';
/** Where the published site is built, relative to the repository root when the config is there. */
const SITE_DIR = 'dist';

const DEFAULT_FAIL_ON = 'high';
// 22:17 UTC: late in the UTC day, so day D's snapshot (and page) holds D's work
// (docs/time.md), with time to spare before midnight for a delayed run; and off
// the top of the hour, when GitHub's scheduler is busiest and drops or delays runs
// (https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule).
const DEFAULT_CRON = '17 22 * * *';

/** Path of the JSON Schema relative to the config folder, for the `yaml-language-server` modeline. */
export function schemaReference(options: Pick<InitOptions, 'mode' | 'configDir'>): string {
  const up = upFrom(options.configDir);
  return options.mode === 'package'
    ? `${up || './'}node_modules/release-ledger/schema/config.schema.json`
    : `${up || './'}schema/config.schema.json`;
}

/** `../` once per segment of `dir` (the way back to the repository root). */
function upFrom(dir: string): string {
  const segments = normaliseDir(dir).split('/').filter(Boolean);
  return segments.map(() => '../').join('');
}

function normaliseDir(dir: string): string {
  return dir.replace(/\\/g, '/').replace(/^\.\/?/, '').replace(/\/+$/, '');
}

/** The starter config. It loads and validates as written (tests check it with `loadConfig`). */
export function starterConfig(options: Pick<InitOptions, 'mode' | 'configDir'>): string {
  return `# yaml-language-server: $schema=${schemaReference(options)}
#
# Release Ledger configuration. Your editor completes and checks this file
# through the JSON Schema above (VS Code: the "YAML" extension by Red Hat).
# Relative paths are relative to this file's folder; so is the ledger.
# Check it with: release-ledger collect --at <time> (a dry run in a scratch copy)

# The organisation or system, shown on every page.
name: Example Org

# Where snapshots go (default content/snapshots beside this file). They are
# written once, hash-chained, and never rewritten: commit them.
# snapshotsDir: content/snapshots

# The promotion path, lowest first. A commit must reach each environment
# after the one before it, or "promotion.bypass" fires.
environments:
  - name: dev
  - name: qa
  - name: staging
    requiredApprovals: 1
  - name: prod
    production: true
    requiredApprovals: 1

# The environment variable holding the ledger key: secret config values are
# never stored, only an HMAC-SHA-256 fingerprint under this key, so a change
# stays visible and nobody without the key can test guesses. Create it once
# (openssl rand -base64 32), keep it as the repository secret
# RELEASE_LEDGER_SECRET_KEY (the workflow passes it) and in a password
# manager. Without it, secret changes cannot be detected.
secretKeyEnv: RELEASE_LEDGER_SECRET_KEY

# Named sources. Each service lists the ones that describe it.
sources:
  # A declared inventory for systems with no API (one YAML file, or a folder).
  inventory:
    type: file
    path: ${INVENTORY_FILE}

  # GitHub deployments, environment approvals, variables and release branches.
  # The token is read from the variable named in tokenEnv; it is never stored.
  # github:
  #   type: github
  #   baseUrl: https://api.github.com   # GitHub Enterprise Server: https://HOST/api/v3
  #   tokenEnv: GITHUB_TOKEN
  #   environments: { prod: production } # ledger name -> GitHub environment name

  # What is observed running: each service's version endpoint (versionUrl).
  # runtime:
  #   type: http
  #   timeoutMs: 5000

  # What actually runs in Kubernetes: the image digest of every pod, read-only
  # (docs/sources.md has the ClusterRole). One cluster per environment; the
  # nightly workflow writes the kubeconfig from a CI secret, or passes a token.
  # cluster:
  #   type: kubernetes
  #   clusters:
  #     prod: { kubeconfig: .kube/prod.yaml, context: prod }
  #     qa: { server: "https://qa.k8s.example:6443", tokenEnv: KUBE_TOKEN_QA, caFile: .kube/qa-ca.pem }
  #   services:  # default: any namespace, selector app.kubernetes.io/name=<service>
  #     example-api: { namespace: payments }

  # Argo CD: every sync (who started it, when), sync status and health.
  # argocd:
  #   type: argocd
  #   baseUrl: https://argocd.example.com
  #   tokenEnv: ARGOCD_TOKEN
  #   environments: { prod: prod-cluster } # ledger name -> destination cluster

# The services and libraries the ledger tracks.
services:
  - name: example-api
    repo: example-org/example-api
    owner: team-example
    kind: service
    sources: [inventory]
    # Ranges this service accepts of the libraries built into it.
    dependsOn: { example-lib: ">=1.0.0 <2" }
    # Config keys that are meant to differ between environments.
    envSpecificKeys: [LOG_LEVEL, REPLICAS, DATABASE_URL, DB_PASSWORD]
  - name: example-lib
    repo: example-org/example-lib
    owner: team-example
    kind: library

policies:
  # Days two neighbouring environments may run different versions.
  maxDriftDays: 14
  # Keys whose values are stored only as a hash (in addition to the defaults:
  # *password*, *secret*, *token*, *_key, ...).
  # secretKeys: ["*password*", "*secret*", "*token*", "*_key"]
  # Per-rule switches and severities.
  rules:
    component.skew: { severity: low }

# Temporary, approved exceptions: each silences one finding until it expires
# (inclusive, UTC) and is listed on every page while in force.
exceptions: []
#  - rule: drift.version
#    service: example-api
#    environment: qa
#    reason: QA pinned for a certification run
#    approvedBy: cto
#    expires: 2026-12-31

# Releases: versions of several services that ship together, and who answers
# for a rollback (docs/releases.md). Tickets that changed several services are
# found without being declared.
releases: []
#  - name: spring-launch
#    components: { example-api: 1.5.0 }
#    owner: team-example
#    environments: [prod]
#    planned: 2026-04-01
`;
}

/** The example inventory the starter config's `file` source reads. */
export function exampleInventory(): string {
  const commit = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b';
  return `# What runs where, for systems with no API. Replace these examples with yours
# (or generate this file from your deploy tooling). Environment names are the
# ledger's unless mapped in sources.inventory.environments.
deployments:
  - service: example-api
    environment: dev
    version: 1.4.0
    commit: ${commit}
    deployedAt: 2026-01-05T09:00:00Z
    deployedBy: ci-bot
    components: { example-lib: 1.2.0 }
  - service: example-api
    environment: qa
    version: 1.4.0
    commit: ${commit}
    deployedAt: 2026-01-05T12:00:00Z
    deployedBy: ci-bot
    components: { example-lib: 1.2.0 }
  - service: example-api
    environment: staging
    version: 1.4.0
    commit: ${commit}
    deployedAt: 2026-01-06T10:00:00Z
    deployedBy: alice
    components: { example-lib: 1.2.0 }
    approvals:
      - { by: bob, at: 2026-01-06T09:50:00Z, state: approved }
  - service: example-api
    environment: prod
    version: 1.4.0
    commit: ${commit}
    deployedAt: 2026-01-07T10:00:00Z
    deployedBy: alice
    components: { example-lib: 1.2.0 }
    approvals:
      - { by: bob, at: 2026-01-07T09:55:00Z, state: approved }
configs:
  - service: example-api
    environment: prod
    # DB_PASSWORD matches a secret pattern: only its keyed fingerprint is stored.
    values: { LOG_LEVEL: info, REPLICAS: 4, DB_PASSWORD: "change-me" }
`;
}

/**
 * The body of the step that writes the snapshot (collect, or merge): its exit
 * code goes to the `code` output, and the job goes on to commit and publish
 * when a snapshot was written (0, 3, 4), else stops with that code.
 */
function writtenOrStop(command: string): string {
  return `          set +e
          ${command} > "$RUNNER_TEMP/collect.txt"
          code=$?
          set -e
          cat "$RUNNER_TEMP/collect.txt"
          echo "code=$code" >> "$GITHUB_OUTPUT"
          case "$code" in
            0|3|4) exit 0 ;; # a snapshot was written: commit and publish it
            *) exit "$code" ;; # nothing was written
          esac
`;
}

/** The nightly workflow. Every `\${{ }}` expression is passed through `env:`, so each `run:` is plain shell (and can be run locally). */
export function workflow(options: InitOptions): string {
  const dir = normaliseDir(options.configDir);
  const configPath = dir ? `${dir}/${CONFIG_FILE}` : CONFIG_FILE;
  const siteDir = dir ? `${dir}/${SITE_DIR}` : SITE_DIR;
  const snapshotsDir = dir ? `${dir}/content/snapshots` : 'content/snapshots';
  // `collect --shard` writes beside the snapshots folder (src/collect/shard.ts shardsDir).
  const shardsDir = dir ? `${dir}/content/shards` : 'content/shards';
  const etagCache = dir ? `${dir}/.ledger-cache` : '.ledger-cache';
  // The default cache folder of an incremental build: `.<site folder>-cache` beside it (src/site/build.ts defaultCacheDir).
  const siteCache = dir ? `${dir}/.${SITE_DIR}-cache` : `.${SITE_DIR}-cache`;
  const cli = options.mode === 'package' ? 'npx --no-install release-ledger' : 'npm run --silent release-ledger --';
  const failOn = options.failOn ?? DEFAULT_FAIL_ON;
  const shards = options.shards ?? 1;
  const publish = options.publish ?? 'pages';

  // `matrix`: the comment on collecting past one runner, which differs between the two shapes.
  const header = (matrix: string) => `# Release Ledger, nightly: collect → commit the snapshot → verify → build → publish.
# Written by "release-ledger init"; edit freely.
#
# Exit codes of collect: 0 written; 3 written with gaps (shown on the pages);
# 4 written, but an open finding is at or above --fail-on. In every one of
# these the snapshot is committed and the site published; 4 then fails the
# run (last step). 1 and 2 mean nothing was written: the run stops there.
#
${matrix}
#
${publishSettings(publish)}
# Other CI: run the same commands in this order; any static host can serve
# the built folder (${siteDir}/).
name: release-ledger

on:
  schedule:
    - cron: '${options.cron ?? DEFAULT_CRON}' # nightly, UTC
  workflow_dispatch:
    inputs:
      at:
        description: Snapshot time (ISO time, or a date = end of that day, UTC); empty = now. Never rewrites history.
        required: false
        default: ''

# Two runs must never collect at once: both would chain to the same head and
# fork the ledger. Queue instead of cancelling, so no night is lost.
concurrency:
  group: release-ledger
  cancel-in-progress: false

permissions:
  contents: write # commit the snapshot
${publish === 'pages' ? PAGES_PERMISSIONS : ''}
`;
  // The ledger job needs the full history (the rebase on a push race); a shard job only the files.
  const checkout = (fullHistory: boolean) => `      - name: Checkout
        uses: actions/checkout@v5
${fullHistory ? '        with:\n          fetch-depth: 0 # full history: the rebase on a push race needs it\n' : ''}
      - name: Setup Node
        uses: actions/setup-node@v5
        with:
          node-version: 24
          cache: npm

      - name: Install
        run: npm ci

`;
  const etag = `      # ETag cache of the GitHub source: unchanged answers cost no rate limit.
      # Restored by prefix, saved under a new key each run (caches are immutable).
      - name: Cache GitHub ETags
        uses: actions/cache@v4
        with:
          path: ${etagCache}
          key: release-ledger-etags-\${{ github.run_id }}
          restore-keys: release-ledger-etags-

`;
  const site = `      # Incremental site build: past day pages are immutable, so the build reuses
      # the previous output and renders only the new day and the cross-day pages.
      # Keep the output and its cache folder (beside it) from run to run; without
      # them the build is simply a full one. Restored after "npm ci".
      - name: Cache the site and its incremental-build cache
        uses: actions/cache@v4
        with:
          path: |
            ${siteDir}
            ${siteCache}
          key: release-ledger-site-\${{ hashFiles('package-lock.json') }}-\${{ github.run_id }}
          restore-keys: release-ledger-site-\${{ hashFiles('package-lock.json') }}-

`;
  const collect = `      - name: Collect
        id: collect
        env:
          AT: \${{ inputs.at }}
          GITHUB_TOKEN: \${{ secrets.RELEASE_LEDGER_TOKEN || github.token }}
          RELEASE_LEDGER_SECRET_KEY: \${{ secrets.RELEASE_LEDGER_SECRET_KEY }}
          # The kubernetes and argocd sources' tokens, from CI secrets (docs/sources.md):
          # KUBE_TOKEN_QA: \${{ secrets.KUBE_TOKEN_QA }}
          # ARGOCD_TOKEN: \${{ secrets.ARGOCD_TOKEN }}
          # A kubeconfig kept as a secret is written to the file the config names first:
          # KUBECONFIG_PROD: \${{ secrets.KUBECONFIG_PROD }}   and in run: mkdir -p .kube && printf '%s' "$KUBECONFIG_PROD" > .kube/prod.yaml
        run: |
${writtenOrStop(`${cli} collect --config ${configPath} --fail-on ${failOn} \${AT:+--at "$AT"}`)}
`;
  // The gate fails the run last, after the evidence is committed and published: in the deploy
  // job for GitHub Pages (from the ledger job's outputs), else in the ledger job itself.
  const gate = (job: 'ledger' | 'deploy') => `      # The gate fails the run only now, after the evidence is committed and published.
      - name: Fail on findings at or above ${failOn}
        env:
          COLLECT_EXIT: \${{ ${job === 'deploy' ? 'needs.ledger.outputs.collect-exit' : 'steps.collect.outputs.code'} }}
        run: |
          if [ "$COLLECT_EXIT" = "4" ]; then
            echo "::error::open findings at or above ${failOn}; see the published day page"
            exit 4
          fi
`;
  const pagesSteps = `      # Published GitHub Pages sites may be no larger than 1 GB
      # (https://docs.github.com/en/pages/getting-started-with-github-pages/github-pages-limits).
      # A large organisation gets there in about five months (about 6.5 MB a day at 500 services × 6 environments; docs/scale.md): then
      # publish ${siteDir}/ to another static host instead of the two GitHub Pages steps.
      - name: Check the site fits GitHub Pages
        run: |
          limit=1073741824 # 1 GiB: fail only where Pages surely refuses
          # Measured as upload-pages-artifact packs it: a tar (each file rounded up to 512 bytes, plus a 512-byte
          # header a file and a folder), which at 50,000 pages is ~60 MB more than the files themselves.
          bytes=$(tar --dereference --hard-dereference -cf - -C ${siteDir} . | wc -c)
          days=$( (find ${siteDir}/days -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true) | wc -l)
          per_day=$(( bytes / (days > 0 ? days : 1) + 1 ))
          mb=$(( bytes / 1000000 )); kb_a_day=$(( per_day / 1000 ))
          echo "site: $mb MB for $days days, about $kb_a_day KB a day"
          if [ "$bytes" -gt "$limit" ]; then
            echo "::error::the site is $mb MB, past the 1 GB GitHub Pages publishes; serve ${siteDir}/ from another static host (docs/scale.md in release-ledger)"
            exit 1
          fi
          left=$(( (limit - bytes) / per_day ))
          if [ "$left" -lt 90 ]; then
            echo "::warning::at about $kb_a_day KB a day the site reaches GitHub Pages' 1 GB in about $left days; plan another static host (docs/scale.md in release-ledger)"
          fi

      - name: Upload the site
        uses: actions/upload-pages-artifact@v4
        with:
          path: ${siteDir}

`;
  const tail = `      - name: Commit the snapshot
        env:
          GIT_AUTHOR_NAME: github-actions[bot]
          GIT_AUTHOR_EMAIL: 41898282+github-actions[bot]@users.noreply.github.com
          GIT_COMMITTER_NAME: github-actions[bot]
          GIT_COMMITTER_EMAIL: 41898282+github-actions[bot]@users.noreply.github.com
        run: |
          git add -- ${snapshotsDir}
          git commit --signoff --quiet -m "release-ledger: $(head -n 1 "$RUNNER_TEMP/collect.txt")"
          # Never force-push. If the branch moved meanwhile, rebase onto it:
          # a snapshot is a new file, so the rebase cannot conflict.
          for attempt in 1 2 3 4 5; do
            if git push origin HEAD; then exit 0; fi
            echo "push rejected (attempt $attempt); rebasing onto the remote branch"
            git pull --rebase --quiet origin "$(git rev-parse --abbrev-ref HEAD)"
          done
          echo "::error::could not push the snapshot after 5 attempts"
          exit 1

      # Scheduled nights read only what is new since the last verified head (a checkpoint kept in
      # the cache: three years are ~1,100 files of ~6 MB). A run started by hand (Actions → Run
      # workflow) verifies every file: do that now and then, e.g. monthly.
      - name: Verify the hash chain
        env:
          CHECKPOINT: \${{ github.event_name == 'schedule' && '${etagCache}/verified-head' || '' }}
        run: ${cli} verify --config ${configPath} \${CHECKPOINT:+--checkpoint "$CHECKPOINT"}

      - name: Build the site
        run: ${cli} build --config ${configPath} --out ${siteDir}

${publish === 'pages' ? pagesSteps : `${publishSteps(publish, siteDir)}${gate('ledger')}`}`;
  const deploy = `  deploy:
    needs: ledger
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: \${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4

${gate('deploy')}`;

  if (shards <= 1) {
    return `${header(`# Past one runner, split collect over a matrix: "release-ledger init --shards N"
# writes this workflow with a job per shard.`)}jobs:
  ledger:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    outputs:
      collect-exit: \${{ steps.collect.outputs.code }}
    steps:
${checkout(true)}${etag}${site}${collect}${tail}${publish === 'pages' ? deploy : ''}`;
  }

  const list = Array.from({ length: shards }, (_, i) => i + 1).join(', ');
  return `${header(`# Collect is split over ${shards} jobs of a matrix ("release-ledger init --shards ${shards}"):
# the plan job picks one time T for all; each shard job runs "collect --shard i/${shards} --at T"
# and uploads its part as an artifact; the ledger job downloads them all and runs
# "merge --at T --shards ${shards}", which refuses a missing or duplicate shard (nothing written).
# A shard that fails leaves the night without a snapshot, never with a partial one.`)}jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      at: \${{ steps.at.outputs.at }}
    steps:
      # One time for every shard, or they would be parts of different snapshots.
      - name: Pick the snapshot time
        id: at
        env:
          AT: \${{ inputs.at }}
        run: |
          at="\${AT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
          echo "snapshot time: $at"
          echo "at=$at" >> "$GITHUB_OUTPUT"

  collect:
    needs: plan
    runs-on: ubuntu-latest
    timeout-minutes: 60
    strategy:
      # Let every shard finish: merge then names exactly the shards that are missing.
      fail-fast: false
      matrix:
        shard: [${list}]
    steps:
${checkout(false)}      # Each shard keeps its own ETag cache: it asks for the same services every night.
      - name: Cache GitHub ETags
        uses: actions/cache@v4
        with:
          path: ${etagCache}
          key: release-ledger-etags-shard-\${{ matrix.shard }}-of-${shards}-\${{ github.run_id }}
          restore-keys: release-ledger-etags-shard-\${{ matrix.shard }}-of-${shards}-

      - name: Collect a shard
        env:
          AT: \${{ needs.plan.outputs.at }}
          SHARD: \${{ matrix.shard }}
          GITHUB_TOKEN: \${{ secrets.RELEASE_LEDGER_TOKEN || github.token }}
          RELEASE_LEDGER_SECRET_KEY: \${{ secrets.RELEASE_LEDGER_SECRET_KEY }}
        run: ${cli} collect --config ${configPath} --shard "$SHARD/${shards}" --at "$AT"

      - name: Upload the shard
        uses: actions/upload-artifact@v4
        with:
          name: release-ledger-shard-\${{ matrix.shard }}
          path: ${shardsDir}/
          if-no-files-found: error
          retention-days: 1

  ledger:
    needs: [plan, collect]
    runs-on: ubuntu-latest
    timeout-minutes: 60
    outputs:
      collect-exit: \${{ steps.collect.outputs.code }}
    steps:
${checkout(true)}      # The verify checkpoint of scheduled nights (see "Verify the hash chain").
      - name: Cache the verify checkpoint
        uses: actions/cache@v4
        with:
          path: ${etagCache}
          key: release-ledger-checkpoint-\${{ github.run_id }}
          restore-keys: release-ledger-checkpoint-

${site}      - name: Download the shards
        uses: actions/download-artifact@v4
        with:
          pattern: release-ledger-shard-*
          merge-multiple: true
          path: ${shardsDir}/

      # Same exit codes as collect: 0 written; 3 with gaps; 4 past --fail-on; 1 or 2 nothing written.
      - name: Merge the shards
        id: collect
        env:
          AT: \${{ needs.plan.outputs.at }}
          RELEASE_LEDGER_SECRET_KEY: \${{ secrets.RELEASE_LEDGER_SECRET_KEY }}
        run: |
${writtenOrStop(`${cli} merge --config ${configPath} --at "$AT" --shards ${shards} --fail-on ${failOn}`)}
${tail}${publish === 'pages' ? deploy : ''}`;
}

/** Every file `init` writes: path relative to the repository root (workflow) or the config folder (the rest). */
export interface InitFile {
  /** Where it goes, relative to `base`. */
  path: string;
  base: 'config' | 'repository';
  content: string;
}

export function initFiles(options: InitOptions): InitFile[] {
  return [
    { path: CONFIG_FILE, base: 'config', content: starterConfig(options) },
    { path: INVENTORY_FILE, base: 'config', content: exampleInventory() },
    { path: WORKFLOW_FILE, base: 'repository', content: workflow(options) },
  ];
}
