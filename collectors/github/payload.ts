/**
 * What a deployment's payload says about the build it shipped. GitHub gives
 * the payload no schema ("JSON payload with extra information about the
 * deployment", https://docs.github.com/en/rest/deployments/deployments#create-a-deployment),
 * so these read the shapes CD tools put there, documented in docs/sources.md
 * ("GitHub deployment payloads"). Anything else names nothing rather than
 * something wrong. No I/O.
 */
import { isDigest, parseImageRef, type ImageRef } from '../shared/image-ref.ts';
import type { GqlDeployment } from './types.ts';

/** How many times a payload is unwrapped: GraphQL's JSON text, then a payload sent as a JSON string (double-encoded), then once more. */
const MAX_ENCODINGS = 3;

/**
 * The payload as an object. GraphQL returns it as JSON text; a payload that a
 * tool sent as a JSON *string* holding JSON (`"payload": "{\"image\": …}"`,
 * common with `curl` and some actions) is unwrapped too. Free text, a list or
 * a number is no payload.
 */
export function payloadOf(deployment: Pick<GqlDeployment, 'payload'>): Record<string, unknown> | null {
  let value: unknown = deployment.payload;
  for (let i = 0; i < MAX_ENCODINGS && typeof value === 'string'; i++) {
    try {
      value = JSON.parse(value);
    } catch {
      // Free text for some CD tools: it names nothing.
      return null;
    }
  }
  return isRecord(value) ? value : null;
}

/** The workflow run named in the payload (`run_id`, `workflow_run_id`, `runId`), for CD tools that link no Actions log. */
export function payloadRunId(payload: Record<string, unknown> | null): number | null {
  for (const key of ['run_id', 'workflow_run_id', 'runId']) {
    const value = payload?.[key];
    if ((typeof value === 'number' && Number.isSafeInteger(value) && value > 0) || (typeof value === 'string' && /^\d{1,15}$/.test(value))) return Number(value);
  }
  return null;
}

/** A version label read from a payload: short, printable, no spaces. */
const VERSION_LABEL = /^[\x21-\x7e]{1,128}$/;
/** An image tag that is a version (`1.4.2`, `v1.4.2-rc.1`), not `latest` or `sha-abc1234`. */
const VERSION_TAG = /^v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$/;

/** One image named in a payload: a reference string, or an object `{name|repository|image, tag, digest}` (or `{ref}`). */
function imageOf(value: unknown): ImageRef | null {
  if (typeof value === 'string') return parseImageRef(value);
  if (!isRecord(value)) return null;
  if (typeof value.ref === 'string') return parseImageRef(value.ref);
  const name = [value.name, value.repository, value.image].find((v): v is string => typeof v === 'string');
  const tag = typeof value.tag === 'string' ? value.tag : null;
  const digest = typeof value.digest === 'string' && isDigest(value.digest.trim()) ? value.digest.trim() : null;
  if (name) {
    const parsed = parseImageRef(name);
    if (!parsed) return null;
    return { ...parsed, tag: tag ?? parsed.tag, digest: digest ?? parsed.digest };
  }
  return digest || tag ? { registry: null, repository: '', name: '', tag, digest } : null;
}

/**
 * The images a payload names: `image` (a reference or an object) and
 * `images` (a list of either). With several, the one whose name is the
 * service's is the service's; otherwise several images name no single build.
 */
function serviceImage(payload: Record<string, unknown>, service: string | undefined): ImageRef | null {
  const images = [payload.image, ...(Array.isArray(payload.images) ? payload.images : [])].map(imageOf).filter((i): i is ImageRef => i !== null);
  if (images.length === 1) return images[0]!;
  const named = images.filter((i) => service !== undefined && i.name === service);
  if (named.length > 0) return named[0]!;
  const distinct = new Set(images.map((i) => `${i.repository}@${i.digest ?? ''}:${i.tag ?? ''}`));
  return distinct.size === 1 ? images[0]! : null;
}

/**
 * The artifact a deployment shipped: `artifact` or `digest` holding an
 * `algorithm:hex` digest, else the digest of the service's image
 * (`image`/`images`, by reference `…@sha256:…` or object `{digest}`). A
 * tag-only image names no artifact: a tag can be moved.
 */
export function artifactOf(deployment: Pick<GqlDeployment, 'payload'>, service?: string): string | null {
  const payload = payloadOf(deployment);
  if (!payload) return null;
  for (const key of ['artifact', 'digest']) {
    const value = payload[key];
    if (typeof value === 'string' && isDigest(value.trim())) return value.trim();
  }
  return serviceImage(payload, service)?.digest ?? null;
}

/**
 * The version a payload states: `version` (a label or number), else the tag
 * of the service's image when that tag is a version (`1.4.2`, `v1.4.2`; not
 * `latest` or `sha-…`). Null when it states none.
 */
export function payloadVersion(deployment: Pick<GqlDeployment, 'payload'>, service?: string): string | null {
  const payload = payloadOf(deployment);
  if (!payload) return null;
  const stated = typeof payload.version === 'number' && Number.isFinite(payload.version) ? String(payload.version) : typeof payload.version === 'string' ? payload.version.trim() : '';
  if (VERSION_LABEL.test(stated)) return stated;
  const tag = serviceImage(payload, service)?.tag;
  return tag && VERSION_TAG.test(tag) ? tag : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
