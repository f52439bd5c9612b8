/**
 * "Is this the same build?", decided once. Rules, the matrix, compare pages,
 * tables and history all ask these functions; nothing else compares commits,
 * artifacts or version labels (docs/architecture.md, "One decision, one home").
 *
 * A build is known by its commit, its artifact digest and its version label,
 * in that order of trust: two records with commits are the same build when
 * the commits are (an abbreviation of at least 7 hex digits counts, as git
 * abbreviates) and their artifacts, where both are known, are equal; without
 * commits, artifacts decide; without either, version labels, where a leading
 * `v` and surrounding space do not matter (`v4.10.0` is `4.10.0`).
 */

/** Shortest abbreviated commit accepted as the same commit as a longer one (git's default abbreviation). */
const MIN_ABBREVIATION = 7;

/** Whether two commit shas name the same commit: equal, or one an abbreviation (≥ 7 chars) of the other. */
export function sameCommit(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === y) return x.length > 0;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length >= MIN_ABBREVIATION && long.startsWith(short);
}

/**
 * Commits, each with a value, found by `sameCommit` without comparing against
 * every one: two commits it calls the same share their first
 * `MIN_ABBREVIATION` characters (or are equal), so only those are compared.
 * `find` gives the value of the commit equal to the one asked, else of the
 * first added that `sameCommit` matches: what a scan in insertion order finds.
 */
export class CommitLookup<T> {
  #exact = new Map<string, T>();
  #byPrefix = new Map<string, { commit: string; value: T }[]>();

  /** Adds `commit` unless an equal one is already there (the first value stays). */
  add(commit: string, value: T): void {
    const x = commit.trim().toLowerCase();
    if (x.length === 0 || this.#exact.has(x)) return;
    this.#exact.set(x, value);
    if (x.length < MIN_ABBREVIATION) return;
    const prefix = x.slice(0, MIN_ABBREVIATION);
    const bucket = this.#byPrefix.get(prefix);
    if (bucket) bucket.push({ commit: x, value });
    else this.#byPrefix.set(prefix, [{ commit: x, value }]);
  }

  find(commit: string): T | undefined {
    const y = commit.trim().toLowerCase();
    if (this.#exact.has(y)) return this.#exact.get(y);
    if (y.length < MIN_ABBREVIATION) return undefined;
    for (const c of this.#byPrefix.get(y.slice(0, MIN_ABBREVIATION)) ?? []) if (sameCommit(c.commit, y)) return c.value;
    return undefined;
  }
}

/** Version labels compared loosely: surrounding space and a leading `v` do not matter. */
export function sameVersion(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return false;
  return normaliseVersion(a) === normaliseVersion(b);
}

/** The form of a version label that `sameVersion` compares (`v4.10.0 ` → `4.10.0`). */
export function normaliseVersion(label: string): string {
  return label.trim().replace(/^v(?=\d)/i, '');
}

/** What identifies a build; any part may be unknown. */
export interface BuildIdentity {
  version?: string | null;
  commit?: string | null;
  artifact?: string | null;
}

/** Whether two records are different builds: by commit (and artifact where both know it), else artifact, else version label. */
export function differentBuilds(a: BuildIdentity, b: BuildIdentity): boolean {
  if (a.commit && b.commit) return !sameCommit(a.commit, b.commit) || Boolean(a.artifact && b.artifact && a.artifact !== b.artifact);
  if (a.artifact && b.artifact) return a.artifact !== b.artifact;
  return !sameVersion(a.version, b.version);
}

/** A version label that embeds an abbreviated commit (`sha-9f86d08`) matches that commit. */
function labelNamesCommit(label: string | null | undefined, commit: string | null | undefined): boolean {
  if (!label || !commit) return false;
  return (label.match(/[0-9a-f]{7,40}/gi) ?? []).some((hex) => sameCommit(hex, commit));
}

const short = (commit: string) => commit.slice(0, 7);

/**
 * Why record `a` is not the build of record `b`, or null when they agree or
 * cannot be compared (one knows only a commit, the other only a label that
 * does not name one). Artifacts first, then commits; labels only when a
 * commit is missing. `aName`/`bName` say which records they are.
 */
function buildMismatch(aName: string, a: BuildIdentity, bName: string, b: BuildIdentity): string | null {
  // A digest names the bytes that run: where both sides know one, it decides (issue 22), whatever the labels say.
  if (a.artifact && b.artifact) return a.artifact === b.artifact ? null : `${aName} artifact ${a.artifact} is not ${bName} artifact ${b.artifact}`;
  if (a.commit && b.commit) return sameCommit(a.commit, b.commit) ? null : `${aName} commit ${short(a.commit)} is not ${bName} commit ${short(b.commit)}`;
  if (a.version && b.version) {
    if (sameVersion(a.version, b.version) || labelNamesCommit(a.version, b.commit) || labelNamesCommit(b.version, a.commit)) return null;
    return `${aName} version ${a.version} is not ${bName} version ${b.version}`;
  }
  return null;
}

/** One observation of what runs: a build, and where a runtime reports it, every digest its pods run. */
export interface ObservedBuild extends BuildIdentity {
  source: string;
  /** `Kind/namespace/name` of the workload, when the source observes workloads. */
  workload?: string;
  digests?: readonly { digest: string; pods: readonly string[] }[];
}

/** What runs in one place, by kind of evidence. */
export interface RuntimeEvidence {
  deployed: BuildIdentity | null;
  observed: readonly ObservedBuild[];
  declared: readonly (BuildIdentity & { source: string; file?: string; revision?: string; syncStatus?: string })[];
}

/** Pods of one workload running more than one digest (a stuck or partial rollout): the reason, or null. */
function mixedDigests(o: ObservedBuild): string | null {
  if (!o.digests || o.digests.length < 2) return null;
  const list = o.digests.map((d) => `${d.digest} (${d.pods.length === 1 ? 'pod' : 'pods'} ${d.pods.join(', ')})`).join(', ');
  return `observed (${o.source})${o.workload ? ` ${o.workload}` : ''}: pods run ${o.digests.length} different digests: ${list}`;
}

/**
 * Every disagreement between what was recorded as deployed, what is observed
 * running and what is declared, in one place: the reasons `drift.runtime`
 * raises and the matrix shows. Empty when all that can be compared agrees.
 */
export function runtimeMismatches(place: RuntimeEvidence): string[] {
  const reasons: string[] = [];
  const { deployed } = place;
  for (const o of place.observed) {
    const observed = { version: o.version ?? null, commit: o.commit ?? null, artifact: o.artifact ?? null };
    const name = `observed (${o.source})${o.workload ? ` ${o.workload}` : ''}`;
    const mixed = mixedDigests(o);
    if (mixed) reasons.push(mixed);
    if (deployed) {
      const why = buildMismatch(name, observed, 'deployed', deployed);
      if (why) reasons.push(why);
    }
    for (const d of place.declared) {
      const why = buildMismatch(name, observed, `declared (${d.source})`, { version: d.version ?? null, artifact: d.artifact ?? null });
      if (why) reasons.push(why);
    }
  }
  for (const d of place.declared) {
    // The deploying tool itself found the live resources differ from the declaration (Argo CD OutOfSync).
    if (d.syncStatus === 'OutOfSync') reasons.push(`declared (${d.source}) ${d.file} at ${d.revision} is OutOfSync with what is live`);
  }
  if (deployed) {
    for (const d of place.declared) {
      const why = buildMismatch(`declared (${d.source})`, { version: d.version ?? null, artifact: d.artifact ?? null }, 'deployed', deployed);
      if (why) reasons.push(why);
    }
  }
  return reasons;
}
