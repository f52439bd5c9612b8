/**
 * The version label of a deployed commit. A branch name is never a version:
 * a deployment of `main` says which commit ran, not which version
 * (docs/sources.md, "Which version a GitHub deployment gets"). No I/O.
 */
import type { GqlRepository } from './types.ts';

/** The deployment's `ref` as GraphQL gives it; `prefix` is `refs/heads/` for a branch, `refs/tags/` for a tag. */
export interface DeployedRef {
  name: string;
  prefix?: string | null;
}

/** The label of a commit whose version nothing names: the commit itself, abbreviated as git does for long histories. */
export const unknownVersion = (commit: string): string => commit.slice(0, 12);

/**
 * In order: a published release's tag on the commit (a full release before a
 * pre-release), else a tag on it, else the deployed ref when it is a tag,
 * else the version the payload states (`stated`, see payload.ts), else
 * unknown (the abbreviated commit). Release and tags come first so that one
 * commit carries one version in every environment, whatever each
 * environment's deploy job wrote in its payload.
 */
export function versionOf(commit: string, repo: Pick<GqlRepository, 'releases' | 'tags'>, ref: DeployedRef | null, stated: string | null = null): string {
  const releases = (repo.releases?.nodes ?? []).filter((r) => r != null && !r.isDraft && r.tagCommit?.oid === commit);
  const release = releases.find((r) => !r!.isPrerelease) ?? releases[0];
  if (release) return release.tagName;
  for (const tag of repo.tags?.nodes ?? []) {
    if (!tag?.target) continue;
    const oid = tag.target.target?.oid ?? tag.target.oid;
    if (oid === commit) return tag.name;
  }
  if (ref && ref.prefix === 'refs/tags/') return ref.name;
  return stated ?? unknownVersion(commit);
}
