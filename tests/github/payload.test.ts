import { describe, expect, it } from 'vitest';
import { createdByWorkflowToken, runDeployer } from '../../collectors/github/deployer.ts';
import { sameEnvironment } from '../../collectors/github/environment-name.ts';
import { artifactOf, payloadOf, payloadVersion } from '../../collectors/github/payload.ts';
import { branchPolicyAllows, passedOver } from '../../collectors/github/what-runs.ts';
import type { GqlDeployment } from '../../collectors/github/types.ts';

/** The payload as GraphQL hands it over: JSON text of what the deploying tool sent. */
const sent = (payload: unknown) => ({ payload: JSON.stringify(payload) });
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('deployment payloads', () => {
  it('unwraps JSON strings up to three encodings; free text, lists and deeper nesting are no payload', () => {
    const object = { version: '1.0.0' };
    expect(payloadOf(sent(object))).toEqual(object);
    expect(payloadOf(sent(JSON.stringify(object)))).toEqual(object);
    expect(payloadOf(sent(JSON.stringify(JSON.stringify(object))))).toEqual(object);
    expect(payloadOf(sent(JSON.stringify(JSON.stringify(JSON.stringify(object)))))).toBeNull();
    expect(payloadOf(sent('deployed by hand'))).toBeNull();
    expect(payloadOf(sent([object]))).toBeNull();
    expect(payloadOf({ payload: null })).toBeNull();
  });

  it('reads the artifact from artifact/digest, an image reference or object, or the service\'s image in a list', () => {
    expect(artifactOf(sent({ digest: ` ${digest('a')} ` }))).toBe(digest('a'));
    expect(artifactOf(sent({ image: { name: 'ghcr.io/acme/api', digest: digest('b') } }))).toBe(digest('b'));
    expect(artifactOf(sent({ image: { ref: `ghcr.io/acme/api:1.0@${digest('c')}` } }))).toBe(digest('c'));
    expect(artifactOf(sent({ image: { digest: 'sha256:short' } }))).toBeNull();
    const images = { images: [`ghcr.io/acme/sidecar:2@${digest('d')}`, `ghcr.io/acme/api:1@${digest('e')}`] };
    expect(artifactOf(sent(images), 'api')).toBe(digest('e'));
    expect(artifactOf(sent(images), 'web')).toBeNull();
    expect(artifactOf(sent({ images: [`ghcr.io/acme/api:1@${digest('f')}`, `ghcr.io/acme/api:1@${digest('f')}`] }), 'web')).toBe(digest('f'));
    expect(artifactOf(sent({ image: 'ghcr.io/acme/api:1.2.0' }))).toBeNull();
  });

  it('reads a version from `version`, else a version-like image tag; latest, sha- tags and labels with spaces are none', () => {
    expect(payloadVersion(sent({ version: 7 }))).toBe('7');
    expect(payloadVersion(sent({ version: ' 2.0.1 ', image: 'ghcr.io/acme/api:9.9.9' }))).toBe('2.0.1');
    expect(payloadVersion(sent({ image: 'ghcr.io/acme/api:v1.4.2' }))).toBe('v1.4.2');
    expect(payloadVersion(sent({ image: 'ghcr.io/acme/api:latest' }))).toBeNull();
    expect(payloadVersion(sent({ image: { name: 'ghcr.io/acme/api', tag: 'sha-abc1234' } }))).toBeNull();
    expect(payloadVersion(sent({ version: 'two words' }))).toBeNull();
  });
});

describe('environment names, deployers and what runs', () => {
  it('matches environment names whatever their case', () => {
    expect(sameEnvironment('Production', 'production')).toBe(true);
    expect(sameEnvironment('prod', 'production')).toBe(false);
  });

  it('takes the triggering actor, else the actor, of a run made with GITHUB_TOKEN', () => {
    expect(createdByWorkflowToken('github-actions[bot]')).toBe(true);
    expect(createdByWorkflowToken('github-actions')).toBe(true);
    expect(createdByWorkflowToken('dependabot[bot]')).toBe(false);
    expect(runDeployer({ actor: { login: 'erin' }, triggering_actor: { login: 'dana' } })).toBe('dana');
    expect(runDeployer({ actor: { login: 'erin' }, triggering_actor: null })).toBe('erin');
    expect(runDeployer({ actor: { login: '' } })).toBeNull();
    expect(runDeployer('not a run')).toBeNull();
  });

  it('holds branches and tags to a custom policy\'s own patterns; an unknown ref or policy passes nothing over', () => {
    const policy = ['main', 'release/*', 'tag:v*'];
    const ref = (name: string, prefix: string | null) => ({ name, prefix });
    expect(branchPolicyAllows(ref('release/1.x', 'refs/heads/'), policy)).toBe(true);
    expect(branchPolicyAllows(ref('release/1.x/hotfix', 'refs/heads/'), policy)).toBe(false);
    expect(branchPolicyAllows(ref('v1.2.0', 'refs/tags/'), policy)).toBe(true);
    expect(branchPolicyAllows(ref('v1.2.0', 'refs/heads/'), policy)).toBe(false);
    expect(branchPolicyAllows(ref('main', 'refs/tags/'), policy)).toBe(false);
    expect(branchPolicyAllows(ref('feature/x', null), policy)).toBe(true);
    expect(branchPolicyAllows(null, policy)).toBe(true);
    expect(branchPolicyAllows(ref('feature/x', 'refs/heads/'), undefined)).toBe(true);
    const d = { ref: ref('feature/x', 'refs/heads/') } as GqlDeployment;
    expect(passedOver(d, undefined, false)).toBeNull();
    expect(passedOver(d, undefined, true)).toEqual({ kind: 'transient-environment', reason: 'it was made for a transient environment (transient_environment: true)' });
    expect(passedOver(d, policy, undefined)).toEqual({ kind: 'outside-branch-policy', reason: "its branch feature/x is outside the environment's deployment branch policy (main, release/*, tag:v*)" });
  });
});
