/**
 * Where the nightly workflow publishes the site (`init --publish`): GitHub
 * Pages (the default, two steps and a deploy job in templates.ts), an
 * S3-compatible object store through `aws s3 sync`, or any host reachable
 * with rsync over SSH. The last two are for sites past GitHub Pages' 1 GB
 * (docs/scale.md); both write only new and changed files, and the object
 * store marks what never changes as immutable for caches (docs/site.md,
 * "Publishing"):
 *
 * - `_astro/` assets are named by their content hash;
 * - `snapshots/ID.json.gz` (config `site.snapshotCopies`, the default) is a
 *   gzip of the ledger file and `snapshots/ID.json` the file itself, never
 *   rewritten; the gzip is served as a file (`Content-Type: application/gzip`,
 *   no `Content-Encoding`), so what is downloaded is the gzip, whose content is
 *   what the listed hashes are of;
 * - a past day's pages (`days/D/…`) depend only on that day's snapshots and
 *   the one before (src/site/incremental.ts), except `days/D/next/`, which
 *   changes when the next day arrives; the newest day's may still change
 *   (another snapshot that day), so they are marked immutable the night after.
 *
 * Everything else (home, histories, search, stats, `next/`) is rewritten as
 * days arrive and gets a short max-age. Immutable files are never deleted
 * by the sync, so a page a cache kept from before a generator upgrade still
 * finds its assets.
 */

export type PublishTarget = 'pages' | 's3' | 'rsync';
export const PUBLISH_TARGETS: readonly PublishTarget[] = ['pages', 's3', 'rsync'];

/** `Cache-Control` of files that never change once published (RFC 8246 `immutable`). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** `Cache-Control` of the pages each night rewrites. */
export const SHORT = 'public, max-age=300';
/**
 * `Content-Type` of a gzip snapshot copy (RFC 6713). Set explicitly: `aws s3`
 * guesses from the name, and Python's `mimetypes` makes `x.json.gz`
 * `application/json` (with the encoding `gzip` it does not send).
 */
export const GZIP_TYPE = 'application/gzip';

/** The ledger job's publishing steps for `s3` or `rsync`, YAML at the steps' indentation. */
export function publishSteps(target: Exclude<PublishTarget, 'pages'>, siteDir: string): string {
  return target === 's3' ? s3Steps(siteDir) : rsyncSteps(siteDir);
}

/** The workflow header's line on repository settings for a target. */
export function publishSettings(target: PublishTarget): string {
  switch (target) {
    case 'pages':
      return '# Repository settings: Settings → Pages → Source: "GitHub Actions".';
    case 's3':
      return `# Repository settings: variables RELEASE_LEDGER_BUCKET (s3://bucket/prefix) and, for a
# store other than AWS S3 (R2, MinIO, …), RELEASE_LEDGER_S3_ENDPOINT; secrets
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and variable AWS_REGION).`;
    case 'rsync':
      return `# Repository settings: variable RELEASE_LEDGER_RSYNC_TARGET (user@host:/srv/ledger);
# secrets RELEASE_LEDGER_SSH_KEY (a deploy key allowed to write there) and
# RELEASE_LEDGER_SSH_KNOWN_HOSTS (ssh-keyscan host, checked by you).`;
  }
}

// `aws s3 sync` compares size and modification time and uploads only what differs
// (https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html); filters apply in order, the last match wins.
// Content-addressed files compare by size alone: same name, same bytes.
function s3Steps(siteDir: string): string {
  return `      # Only new and changed files are uploaded. What never changes (content-hashed
      # assets, snapshot copies, the pages of past days) first and as immutable for caches;
      # the newest day's pages may still change (a second snapshot that day), so they get a
      # short max-age and are uploaded again as immutable the night after; then the pages
      # each night rewrites; last, what no longer belongs is deleted.
      - name: Publish to the object store
        env:
          AWS_ACCESS_KEY_ID: \${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
          AWS_REGION: \${{ vars.AWS_REGION || 'us-east-1' }}
          BUCKET: \${{ vars.RELEASE_LEDGER_BUCKET }}
          S3_ENDPOINT: \${{ vars.RELEASE_LEDGER_S3_ENDPOINT }}
        run: |
          set -eu
          test -n "$BUCKET" || { echo "::error::set the repository variable RELEASE_LEDGER_BUCKET (s3://bucket/prefix)"; exit 1; }
          s3() { aws s3 "$@" --only-show-errors \${S3_ENDPOINT:+--endpoint-url "$S3_ENDPOINT"}; }
          immutable='${IMMUTABLE}'
          short='${SHORT}'
          newest=$(ls ${siteDir}/days | sort | tail -n 1)
          previous=$(ls ${siteDir}/days | sort | tail -n 2 | head -n 1)
          if [ -d ${siteDir}/_astro ]; then s3 sync ${siteDir}/_astro "$BUCKET/_astro" --size-only --cache-control "$immutable"; fi
          s3 sync ${siteDir}/snapshots "$BUCKET/snapshots" --size-only --exclude '*' --include '????-??-??T??????Z.json' --cache-control "$immutable"
          s3 sync ${siteDir}/snapshots "$BUCKET/snapshots" --size-only --exclude '*' --include '????-??-??T??????Z.json.gz' --content-type '${GZIP_TYPE}' --cache-control "$immutable"
          s3 sync ${siteDir}/days "$BUCKET/days" --exclude '*/next/*' --exclude "$newest/*" --cache-control "$immutable"
          if [ "$previous" != "$newest" ]; then s3 cp --recursive ${siteDir}/days/"$previous" "$BUCKET/days/$previous" --exclude 'next/*' --cache-control "$immutable"; fi
          s3 sync ${siteDir} "$BUCKET" --delete --exclude '_astro/*' --exclude 'snapshots/????-??-??T??????Z.json' --exclude 'snapshots/????-??-??T??????Z.json.gz' --exclude 'days/*' --include 'days/*/next/*' --include "days/$newest/*" --cache-control "$short"
          s3 sync ${siteDir}/days "$BUCKET/days" --delete --exclude '*/next/*' --exclude "$newest/*" --cache-control "$immutable"

`;
}

// rsync sends only files whose size or modification time differ (https://download.samba.org/pub/rsync/rsync.1);
// Cache-Control is the web server's to set (docs/site.md, "Publishing", has the nginx lines).
function rsyncSteps(siteDir: string): string {
  return `      # Only new and changed files are sent. Content-hashed assets are never deleted
      # (a page cached before an upgrade still finds its own); the rest mirrors the build.
      # The web server marks _astro/, snapshots/ID.json(.gz) and days/ (but next/) immutable and serves
      # .json.gz as application/gzip with no Content-Encoding (docs/site.md).
      - name: Publish with rsync
        env:
          TARGET: \${{ vars.RELEASE_LEDGER_RSYNC_TARGET }}
          SSH_KEY: \${{ secrets.RELEASE_LEDGER_SSH_KEY }}
          KNOWN_HOSTS: \${{ secrets.RELEASE_LEDGER_SSH_KNOWN_HOSTS }}
        run: |
          set -eu
          test -n "$TARGET" || { echo "::error::set the repository variable RELEASE_LEDGER_RSYNC_TARGET (user@host:/path)"; exit 1; }
          ssh_dir="$RUNNER_TEMP/release-ledger-ssh"
          mkdir -p "$ssh_dir" && chmod 700 "$ssh_dir"
          printf '%s\\n' "$SSH_KEY" > "$ssh_dir/key" && chmod 600 "$ssh_dir/key"
          printf '%s\\n' "$KNOWN_HOSTS" > "$ssh_dir/known_hosts"
          ssh_cmd="ssh -i $ssh_dir/key -o IdentitiesOnly=yes -o UserKnownHostsFile=$ssh_dir/known_hosts -o StrictHostKeyChecking=yes"
          rsync -rlt --delay-updates -e "$ssh_cmd" ${siteDir}/_astro/ "$TARGET/_astro/"
          rsync -rlt --delay-updates --delete --exclude '/_astro/' -e "$ssh_cmd" ${siteDir}/ "$TARGET/"
          rm -rf "$ssh_dir"

`;
}
