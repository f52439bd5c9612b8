/**
 * Version labels as versions: their order and whether they satisfy a
 * dependency range, decided once for the dependency rule, the dependency
 * graphs, the blast radius and the history's rollback marks (whether two
 * records are the same build is build.ts's question).
 *
 * Tags and labels are often `v2.4.1` or `release-2.4.1`: `semver.clean`
 * handles the first, `coerce` the rest (https://github.com/npm/node-semver#coercion).
 * Prereleases keep their tag, so `2.5.0-rc.1` is judged as such, and a
 * release candidate inside a range is inside it
 * (https://github.com/npm/node-semver#prerelease-tags).
 */
import semver from 'semver';

/** The semantic version a label stands for, or null when it names none. */
export function parseVersion(label: string): string | null {
  const clean = semver.clean(label, { loose: true });
  if (clean) return clean;
  // Coerce only what holds a dotted number (`release-2.4.1`, `2.4`) or is a bare major (`v2`): a commit-named
  // label (`sha-9f86d08`) is no version, though coercion would read it as 9.0.0.
  if (!/(^|[^0-9a-z])v?\d+\.\d+/i.test(label) && !/^\s*v?\d+\s*$/i.test(label)) return null;
  return semver.coerce(label, { includePrerelease: true })?.version ?? null;
}

const satisfiesCache = new Map<string, boolean | null>();

/** Whether the version a label stands for satisfies `range`; null when either cannot be judged. Cached: asked for the same pairs on every page of every day. */
export function versionSatisfies(label: string, range: string): boolean | null {
  const key = `${label}\u0000${range}`;
  const known = satisfiesCache.get(key);
  if (known !== undefined) return known;
  const parsed = parseVersion(label);
  const result = parsed === null || semver.validRange(range) === null ? null : semver.satisfies(parsed, range, { includePrerelease: true });
  if (satisfiesCache.size >= 100_000) satisfiesCache.clear();
  satisfiesCache.set(key, result);
  return result;
}

/** Whether label `a` is a lower version than label `b`; false when either is not a version. */
export function isLowerVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x !== null && y !== null && semver.lt(x, y);
}

/**
 * The version of a dependency a consumer runs against: a library is built in,
 * so it is the consumer's `components` entry; a service runs on its own, so it
 * is that service's deployed version in the environment, else what the
 * consumer was built with.
 */
export function dependencyVersion(dependency: { isLibrary: boolean; fromComponents: string | undefined; deployedVersion: string | undefined }): string | undefined {
  return dependency.isLibrary ? dependency.fromComponents : (dependency.deployedVersion ?? dependency.fromComponents);
}
