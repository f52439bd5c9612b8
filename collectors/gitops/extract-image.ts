/**
 * The image a GitOps file declares for a service. Three layouts, tried in
 * this order within one file:
 *
 * 1. Kustomize `images:` overrides (`{ name, newName, newTag, digest }`),
 *    https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/
 * 2. plain manifests: `containers[].image` of Deployments, StatefulSets,
 *    DaemonSets, ReplicaSets, Jobs, CronJobs and Pods (multi-document YAML);
 * 3. Helm values: `image:` under the service's key, else at the top level,
 *    either `{ registry?, repository, tag?, digest? }` or one string.
 *
 * Among the images found, the first whose name (last path component) is the
 * service's name wins, else the first one.
 */
import { formatImageRef, isDigest, isTag, parseImageRef } from '../shared/image-ref.ts';
import { workloadContainers } from './kubernetes.ts';
import { isMap, parseYamlDocs } from './yaml-docs.ts';

export interface DeclaredImage {
  /** The full reference as declared, normalised: `registry/repo:tag@digest`. */
  image: string;
  tag: string | null;
  digest: string | null;
  layout: 'kustomize' | 'manifest' | 'helm';
}

export type ImageResult = { ok: true; found: DeclaredImage } | { ok: false; reason: string };

interface Candidate {
  /** The reference text (or pieces) as found. */
  reference: string;
  tag?: string | undefined;
  digest?: string | undefined;
  layout: DeclaredImage['layout'];
  /** Extra names that identify the service (Kustomize `name`, container `name`). */
  alsoNamed: string[];
}

const str = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === 'null' || trimmed === '~' ? undefined : trimmed;
};

function kustomizeCandidates(doc: Record<string, unknown>, file: string): Candidate[] {
  const isKustomization =
    doc['kind'] === 'Kustomization' ||
    String(doc['apiVersion'] ?? '').startsWith('kustomize.config.k8s.io/') ||
    /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file);
  if (!isKustomization || !Array.isArray(doc['images'])) return [];
  return doc['images'].filter(isMap).flatMap((entry): Candidate[] => {
    const name = str(entry['name']);
    const target = str(entry['newName']) ?? name;
    if (!target) return [];
    return [{ reference: target, tag: str(entry['newTag']), digest: str(entry['digest']), layout: 'kustomize', alsoNamed: name ? [lastSegment(name)] : [] }];
  });
}

function manifestCandidates(doc: Record<string, unknown>): Candidate[] {
  if (doc['kind'] === 'List' && Array.isArray(doc['items'])) return doc['items'].filter(isMap).flatMap(manifestCandidates);
  return workloadContainers(doc).flatMap((container): Candidate[] => {
    const image = str(container['image']);
    const name = str(container['name']);
    return image ? [{ reference: image, layout: 'manifest', alsoNamed: name ? [name] : [] }] : [];
  });
}

function helmImage(value: unknown): Candidate | null {
  const text = str(value);
  if (text) return { reference: text, layout: 'helm', alsoNamed: [] };
  if (!isMap(value)) return null;
  const repository = str(value['repository']) ?? str(value['name']);
  if (!repository) return null;
  const registry = str(value['registry']);
  return {
    reference: registry ? `${registry}/${repository}` : repository,
    tag: str(value['tag']),
    digest: str(value['digest']),
    layout: 'helm',
    alsoNamed: [],
  };
}

function helmCandidates(doc: Record<string, unknown>, service: string): Candidate[] {
  const scoped = doc[service];
  return [isMap(scoped) ? helmImage(scoped['image']) : null, helmImage(doc['image'])].filter((c): c is Candidate => c !== null);
}

const lastSegment = (name: string) => name.split('@', 1)[0]!.split('/').pop()!.split(':', 1)[0]!;

/**
 * Reads the declared image for `service` from the text of `file`. With
 * `fallbackToFirst: false` (a file shared by several services), an image
 * must be named like the service; otherwise the first image is taken.
 */
export function extractImage(text: string, file: string, service: string, options: { fallbackToFirst?: boolean } = {}): ImageResult {
  const parsed = parseYamlDocs(text, file, 'failsafe');
  if (!parsed.ok) return parsed;
  const maps = parsed.docs.filter(isMap);
  const candidates = [
    ...maps.flatMap((doc) => kustomizeCandidates(doc, file)),
    ...maps.flatMap((doc) => manifestCandidates(doc)),
    ...maps.flatMap((doc) => helmCandidates(doc, service)),
  ];
  if (candidates.length === 0) {
    return {
      ok: false,
      reason: `${file}: no image found (looked for Kustomize images:, containers[].image in workloads, Helm image: under "${service}" or at the top level)`,
    };
  }
  const named = candidates.find((c) => lastSegment(c.reference) === service || c.alsoNamed.includes(service));
  if (!named && options.fallbackToFirst === false) {
    return { ok: false, reason: `${file}: no image named "${service}" (the file is shared, so the first image is not assumed to be this service's)` };
  }
  const chosen = named ?? candidates[0]!;
  const ref = parseImageRef(chosen.reference);
  if (!ref) return { ok: false, reason: `${file}: image reference "${chosen.reference}" is not valid` };
  const tag = chosen.tag ?? ref.tag;
  const digest = chosen.digest ?? ref.digest;
  if (tag !== null && !isTag(tag)) return { ok: false, reason: `${file}: image tag "${tag}" is not valid` };
  if (digest !== null && !isDigest(digest)) return { ok: false, reason: `${file}: image digest "${digest}" is not valid (expected algorithm:hex, e.g. sha256:…)` };
  return { ok: true, found: { image: formatImageRef({ ...ref, tag, digest }), tag, digest, layout: chosen.layout } };
}
