/**
 * The image a GitOps file declares for a service. The layouts, in this order
 * within one file:
 *
 * 1. Kustomize `images:` overrides (`{ name, newName, newTag, digest }`),
 *    https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/
 *    (also a Flux Kustomization's `spec.images`);
 * 2. Flux HelmRelease / OCIRepository and Argo CD Application objects
 *    (gitops-kinds.ts): their Helm values, image overrides, pinned artifacts,
 *    else an exact chart version (a record with a version and no image);
 * 3. plain manifests: `containers[].image` of workloads (kubernetes.ts),
 *    multi-document YAML;
 * 4. Helm values: `image:` under the service's key, else at the top level,
 *    either `{ registry?, repository, tag?, digest? }` or one string.
 *
 * Among the images found the best match wins (`DeclaredImage.match`): an
 * image override (Kustomize or Argo CD `images`, the image updater's file)
 * named like the service, the container of the workload
 * named like the service, an image or container named like it, else the
 * first. Flux post-build variables (`${VAR}`) are substituted in the chosen
 * reference from `substitutions`.
 */
import { formatImageRef, isDigest, isTag, parseImageRef } from '../shared/image-ref.ts';
import { workloadContainers } from './kubernetes.ts';
import { isMap, parseYamlDocs } from './yaml-docs.ts';
import { controllerDeclaration, isArgoApplication, isFluxKustomization, substitute } from './gitops-kinds.ts';

export interface DeclaredImage {
  /** The full reference as declared, normalised: `registry/repo:tag@digest`; empty for a chart version (layout `chart`), which names no image. */
  image: string;
  tag: string | null;
  digest: string | null;
  layout: 'kustomize' | 'manifest' | 'helm' | 'helmrelease' | 'argocd' | 'chart' | 'ocirepository';
  /**
   * How the image was chosen, best first: an image override (Kustomize
   * `images:`, Argo CD's image updater) named like the service, the container of the workload named like the service, an image or
   * container named like it, or (`first`) the first image found.
   */
  match: 'override' | 'workload' | 'named' | 'first';
  /** Helm values only: where the value that gave the version sits (`image.tag`, else the image string or repository), for layered values' evidence. */
  versionPath?: string[];
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
  /** An image override (Kustomize `images:`, Argo CD image updater), which overrides the manifests. */
  override?: boolean;
  /** A manifest: the workload's `metadata.name`. */
  workload?: string;
  /** Helm values: the path of the image value, and the value. */
  path?: string[];
  value?: unknown;
}

const str = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === 'null' || trimmed === '~' ? undefined : trimmed;
};

function kustomizeCandidates(doc: Record<string, unknown>, file: string): Candidate[] {
  // A Flux Kustomization has the same `images:` overrides under `spec`.
  if (isFluxKustomization(doc)) return isMap(doc['spec']) ? kustomizeImages(doc['spec']['images']) : [];
  const isKustomization =
    doc['kind'] === 'Kustomization' ||
    String(doc['apiVersion'] ?? '').startsWith('kustomize.config.k8s.io/') ||
    /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file);
  if (!isKustomization) return [];
  return kustomizeImages(doc['images']);
}

function kustomizeImages(images: unknown): Candidate[] {
  if (!Array.isArray(images)) return [];
  return images.filter(isMap).flatMap((entry): Candidate[] => {
    const name = str(entry['name']);
    const target = str(entry['newName']) ?? name;
    if (!target) return [];
    return [{ reference: target, tag: str(entry['newTag']), digest: str(entry['digest']), layout: 'kustomize', alsoNamed: name ? [lastSegment(name)] : [], override: true }];
  });
}

function manifestCandidates(doc: Record<string, unknown>): Candidate[] {
  if (doc['kind'] === 'List' && Array.isArray(doc['items'])) return doc['items'].filter(isMap).flatMap(manifestCandidates);
  const metadata = doc['metadata'];
  const workload = isMap(metadata) ? str(metadata['name']) : undefined;
  return workloadContainers(doc).flatMap((container): Candidate[] => {
    const image = str(container['image']);
    const name = str(container['name']);
    return image ? [{ reference: image, layout: 'manifest', alsoNamed: name ? [name] : [], ...(workload ? { workload } : {}) }] : [];
  });
}

function helmImage(value: unknown, path: string[]): Candidate | null {
  const text = str(value);
  if (text) return { reference: text, layout: 'helm', alsoNamed: [], path, value };
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
    path,
    value,
  };
}

function helmCandidates(doc: Record<string, unknown>, service: string): Candidate[] {
  const scoped = doc[service];
  return [isMap(scoped) ? helmImage(scoped['image'], [service, 'image']) : null, helmImage(doc['image'], ['image'])].filter((c): c is Candidate => c !== null);
}

/** A Flux HelmRelease's or an Argo CD Application's images: Helm values, Kustomize overrides, else the chart version (gitops-kinds.ts). */
function controllerCandidates(doc: Record<string, unknown>, service: string, file: string): Candidate[] {
  // Argo CD Image Updater's write-back file holds one source's overrides (`helm.parameters`, `kustomize.images`).
  // https://argocd-image-updater.readthedocs.io/en/stable/basics/update-methods/
  const updater = /(^|\/)\.argocd-source(-[^/]*)?\.ya?ml$/.test(file);
  const declared = updater ? controllerDeclaration({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', spec: { source: doc } }) : controllerDeclaration(doc);
  if (!declared) return [];
  const layout = updater || isArgoApplication(doc) ? 'argocd' : 'helmrelease';
  const override = updater ? { override: true } : {};
  const workload = declared.name ? { workload: declared.name } : {};
  const images = [
    ...declared.images.map((i): Candidate => ({ reference: i.newName ?? i.name, tag: i.newTag, digest: i.digest, layout, alsoNamed: [lastSegment(i.name)], ...workload, override: true })),
    ...declared.values.flatMap((values) => helmCandidates(values, service).map((c): Candidate => ({ ...c, layout, ...workload, ...override }))),
    ...(declared.artifact ? [{ reference: declared.artifact.reference, tag: declared.artifact.tag, digest: declared.artifact.digest, layout: 'ocirepository' as const, alsoNamed: [], ...workload }] : []),
  ];
  if (images.length > 0 || !declared.chart) return images;
  return [{ reference: declared.chart.name, tag: declared.chart.version, layout: 'chart', alsoNamed: [declared.chart.name], ...workload }];
}

/** Where the version of a Helm image came from: its `tag`, else its `digest`, else the reference (the string, or `repository`/`name`). */
function versionPath(c: Candidate): string[] | undefined {
  const value = c.value;
  if (!c.path) return undefined;
  if (!isMap(value)) return c.path;
  if (c.tag !== undefined) return [...c.path, 'tag'];
  if (c.digest !== undefined) return [...c.path, 'digest'];
  return [...c.path, str(value['repository']) ? 'repository' : 'name'];
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
  return extractImageFromDocs(parsed.docs, file, service, options);
}

/** `extractImage` on documents already parsed with the failsafe schema (e.g. layered Helm values; `file` names them in messages). */
export function extractImageFromDocs(
  docs: readonly unknown[],
  file: string,
  service: string,
  options: { fallbackToFirst?: boolean; substitutions?: Readonly<Record<string, string>> } = {},
): ImageResult {
  const maps = docs.filter(isMap);
  const candidates = [
    ...maps.flatMap((doc) => kustomizeCandidates(doc, file)),
    ...maps.flatMap((doc) => controllerCandidates(doc, service, file)),
    ...maps.flatMap((doc) => manifestCandidates(doc)),
    ...maps.flatMap((doc) => helmCandidates(doc, service)),
  ];
  if (candidates.length === 0) {
    return {
      ok: false,
      reason: `${file}: no image found (looked for Kustomize images:, containers[].image in workloads, Helm image: under "${service}" or at the top level, Flux HelmRelease and Argo CD Application values, images and exact chart versions)`,
    };
  }
  const isNamed = (c: Candidate) => lastSegment(c.reference) === service || c.alsoNamed.includes(service);
  // An override of the service's image overrides the manifests; the workload of the service's name beats a Job or CronJob beside it.
  const ranked = [
    ['override', candidates.filter((c) => c.override === true && isNamed(c))],
    ['workload', candidates.filter((c) => c.workload === service && (isNamed(c) || workloadContainersOf(candidates, c) === 1))],
    ['named', candidates.filter(isNamed)],
  ] as const;
  const best = ranked.find(([, list]) => list.length > 0);
  if (!best && options.fallbackToFirst === false) {
    return { ok: false, reason: `${file}: no image named "${service}" (the file is shared, so the first image is not assumed to be this service's)` };
  }
  const match: DeclaredImage['match'] = best ? best[0] : 'first';
  let chosen = best ? best[1][0]! : candidates[0]!;
  // Flux post-build variables (`${APP_VERSION}`), set by a Flux Kustomization among the cell's files.
  const missing: string[] = [];
  const sub = (text: string | undefined) => {
    if (text === undefined) return undefined;
    const done = substitute(text, options.substitutions ?? {});
    missing.push(...done.missing);
    return done.text;
  };
  chosen = { ...chosen, reference: sub(chosen.reference)!, tag: sub(chosen.tag), digest: sub(chosen.digest) };
  if (missing.length > 0) {
    return { ok: false, reason: `${file}: \${${missing[0]}} in the image of "${service}" is set by no Flux Kustomization postBuild.substitute among the files read (substituteFrom is not read)` };
  }
  if (chosen.layout === 'chart') {
    return { ok: true, found: { image: '', tag: chosen.tag ?? null, digest: null, layout: 'chart', match } };
  }
  const ref = parseImageRef(chosen.reference);
  if (!ref) return { ok: false, reason: `${file}: image reference "${chosen.reference}" is not valid` };
  const tag = chosen.tag ?? ref.tag;
  const digest = chosen.digest ?? ref.digest;
  if (tag !== null && !isTag(tag)) return { ok: false, reason: `${file}: image tag "${tag}" is not valid` };
  if (digest !== null && !isDigest(digest)) return { ok: false, reason: `${file}: image digest "${digest}" is not valid (expected algorithm:hex, e.g. sha256:…)` };
  const at = versionPath(chosen);
  return { ok: true, found: { image: formatImageRef({ ...ref, tag, digest }), tag, digest, layout: chosen.layout, match, ...(at ? { versionPath: at } : {}) } };
}

/** How many containers the workload of candidate `c` has (a one-container workload of the service's name is the service's). */
function workloadContainersOf(candidates: readonly Candidate[], c: Candidate): number {
  return candidates.filter((x) => x.layout === c.layout && x.workload === c.workload).length;
}
