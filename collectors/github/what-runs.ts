/**
 * Which successful deployments of an environment count as what runs there
 * (docs/sources.md, "What runs: deployments that are passed over"). GitHub
 * records a deployment for every workflow job that names an environment,
 * including jobs that only borrow its secrets, and tools create deployments
 * for preview (transient) environments under the same name. A deployment is
 * passed over, as active, as the one before it and as promotion history, when:
 *
 * - the environment has a custom deployment branch policy and the deployed
 *   branch or tag matches none of its patterns (GitHub's own rule for which
 *   refs may deploy there:
 *   https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#deployment-branches-and-tags);
 * - or it says `transient_environment: true`
 *   (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment).
 *
 * An unknown ref (a deployment by sha) or a policy that could not be read
 * passes nothing over: not knowing is never a reason to hide a deployment.
 * What is passed over is recorded in the snapshot (`passedOver`), never
 * only dropped. No I/O.
 */
import picomatch from 'picomatch';
import type { GqlDeployment } from './types.ts';

/**
 * Whether a deployed ref satisfies a custom branch policy's patterns (`main`,
 * `release/*`, and `tag:v*` for tags, as `mapProtection` records them).
 * GitHub matches with Ruby's `File.fnmatch`: `*` stops at `/`, as picomatch does.
 */
export function branchPolicyAllows(ref: GqlDeployment['ref'], patterns: readonly string[] | undefined): boolean {
  if (!ref || !patterns || (ref.prefix !== 'refs/heads/' && ref.prefix !== 'refs/tags/')) return true;
  const isTag = ref.prefix === 'refs/tags/';
  const own = patterns.filter((p) => p.startsWith('tag:') === isTag).map((p) => (isTag ? p.slice(4) : p));
  return own.some((pattern) => picomatch.isMatch(ref.name, pattern, { dot: true }));
}

/**
 * Whether a deployment's `transient_environment` must be asked (one REST
 * request, cached by deployment): only for a branch other than the default
 * branch, where preview environments and borrowed-secret jobs come from.
 */
export function mayBeTransient(deployment: GqlDeployment, defaultBranch: string | undefined): boolean {
  return deployment.ref?.prefix === 'refs/heads/' && deployment.ref.name !== defaultBranch;
}

/** Why a deployment is passed over, in the snapshot's terms (`passedOver[].kind`) and in words. */
export interface PassedOverReason {
  kind: 'outside-branch-policy' | 'transient-environment';
  reason: string;
}

/** Why a deployment is passed over, or null when it may be what runs. `transient` is what GitHub said (undefined: not asked). */
export function passedOver(deployment: GqlDeployment, branchPolicies: readonly string[] | undefined, transient: boolean | undefined): PassedOverReason | null {
  if (!branchPolicyAllows(deployment.ref, branchPolicies)) {
    return {
      kind: 'outside-branch-policy',
      reason: `its ${deployment.ref!.prefix === 'refs/tags/' ? 'tag' : 'branch'} ${deployment.ref!.name} is outside the environment's deployment branch policy (${[...branchPolicies!].sort().join(', ') || 'no patterns'})`,
    };
  }
  if (transient === true) return { kind: 'transient-environment', reason: 'it was made for a transient environment (transient_environment: true)' };
  return null;
}
