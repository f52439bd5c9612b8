/**
 * Container image references (shared by the GitOps source, which reads them
 * from manifests, and the GitHub source, which reads them from deployment
 * payloads), parsed the way the registry tooling does
 * (https://github.com/distribution/reference/blob/main/reference.go):
 *
 *   [registry[:port]/]path/name[:tag][@algorithm:hex]
 *
 * The first path component is a registry only when it contains `.` or `:`
 * or is `localhost`, so `localhost:5000/team/api:1.2` has a registry with a
 * port, while `team/api:1.2` is a Docker Hub path.
 */

export interface ImageRef {
  /** `registry.example.com:5000`, or null for the default registry. */
  registry: string | null;
  /** The path without the registry, e.g. `acme/payments-api`. */
  repository: string;
  /** The last path component, e.g. `payments-api`; what services are matched on. */
  name: string;
  tag: string | null;
  /** `sha256:…` */
  digest: string | null;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** Parses an image reference; null when it is not one. */
export function parseImageRef(input: string): ImageRef | null {
  const reference = input.trim();
  if (reference === '' || reference.length > 1024 || /\s/.test(reference)) return null;
  const at = reference.indexOf('@');
  const digest = at === -1 ? null : reference.slice(at + 1);
  if (digest !== null && !DIGEST.test(digest)) return null;
  let rest = at === -1 ? reference : reference.slice(0, at);
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag; one before it is a registry port.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return null;
  }
  const parts = rest.split('/');
  let registry: string | null = null;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!REGISTRY.test(first)) return null;
    registry = first;
    parts.shift();
  }
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) return null;
  return { registry, repository: parts.join('/'), name: parts[parts.length - 1]!, tag, digest };
}

/** The reference as text: `registry/repository:tag@digest`, each part only when present. */
export function formatImageRef(ref: Pick<ImageRef, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Whether `digest` is an `algorithm:hex` digest. */
export const isDigest = (digest: string): boolean => DIGEST.test(digest);
/** Whether `tag` is a valid image tag. */
export const isTag = (tag: string): boolean => TAG.test(tag);
