/**
 * GitOps controllers' own objects, read as plain checked data (no typed model
 * package: every field is checked for its type here, and anything else is
 * left alone, so a malformed object is "no image found", never a crash):
 *
 * - Flux `HelmRelease` (helm.toolkit.fluxcd.io): the Helm values in
 *   `spec.values`, else the chart version `spec.chart.spec.version` when it is
 *   an exact version (a range such as `1.2.x` names no release).
 *   `spec.valuesFrom` (ConfigMaps, Secrets) is not read: the config record
 *   says so with a gap. https://fluxcd.io/flux/components/helm/helmreleases/
 * - Flux `OCIRepository` (source.toolkit.fluxcd.io): the artifact `spec.url`
 *   (`oci://…`) pinned by `spec.ref.tag` and/or `spec.ref.digest`; a `semver`
 *   range is not read. https://fluxcd.io/flux/components/source/ocirepositories/
 * - Flux `Kustomization` (kustomize.toolkit.fluxcd.io): `spec.postBuild.substitute`
 *   variables, applied to `${VAR}`, `${VAR:=default}` and `${VAR:-default}` in
 *   the image references of the cell's other files, as Flux substitutes them
 *   after the build. `substituteFrom` is not read: a variable only it could
 *   set is a gap. https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
 * - Argo CD `Application` (argoproj.io): for `spec.source` and each of
 *   `spec.sources`, `helm.valuesObject` (or the `helm.values` text) overridden
 *   by `helm.parameters` (Argo CD applies parameters last), `kustomize.images`
 *   (`[old=]name:tag` or `name@digest`), and for a Helm chart source
 *   (`chart:` set) the chart version `targetRevision`. A git `targetRevision`
 *   (a branch, `HEAD`) is a ref, not a version, and is not read.
 *   https://argo-cd.readthedocs.io/en/stable/user-guide/helm/ and
 *   https://argo-cd.readthedocs.io/en/stable/user-guide/kustomize/
 */
import { parseYamlDocs, isMap } from './yaml-docs.ts';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

const isKind = (doc: Record<string, unknown>, kind: string, group: string) =>
  doc['kind'] === kind && typeof doc['apiVersion'] === 'string' && doc['apiVersion'].startsWith(`${group}/`);

export const isHelmRelease = (doc: Record<string, unknown>) => isKind(doc, 'HelmRelease', 'helm.toolkit.fluxcd.io');
export const isFluxKustomization = (doc: Record<string, unknown>) => isKind(doc, 'Kustomization', 'kustomize.toolkit.fluxcd.io');
export const isArgoApplication = (doc: Record<string, unknown>) => isKind(doc, 'Application', 'argoproj.io');
const isOciRepository = (doc: Record<string, unknown>) => isKind(doc, 'OCIRepository', 'source.toolkit.fluxcd.io');

/** An exact chart version (semver, optional `v`); a range (`1.2.x`, `>=1 <2`, `^1.2`) is not one. */
function exactChartVersion(value: unknown): string | undefined {
  const text = str(value);
  return text && /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(text) ? text : undefined;
}

/** What one controller object declares: Helm values (to read as a chart's values), Kustomize image overrides, and a chart version. */
export interface ControllerDeclaration {
  /** The object's `metadata.name` (or the release name), which names the service it deploys. */
  name?: string;
  values: Record<string, unknown>[];
  images: { name: string; newName?: string; newTag?: string; digest?: string }[];
  chart?: { name: string; version: string };
  /** A Flux OCIRepository's artifact: `spec.url` without `oci://`, pinned by `spec.ref.tag` and/or `spec.ref.digest`. */
  artifact?: { reference: string; tag?: string; digest?: string };
}

/** Sets `value` at the dotted Helm parameter path `name` (`image.tag`; `a\.b` is a literal dot). */
function setParameter(into: Record<string, unknown>, name: string, value: string): void {
  const parts = name.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  if (parts.some((p) => p === '' || p === '__proto__' || /\[/.test(p))) return; // list indexes are not followed
  let at = into;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at = isMap(next) ? next : (at[part] = {});
  }
  at[parts[parts.length - 1]!] = value;
}

/** `[old=]name:tag` or `name@digest`, as Argo CD's `kustomize.images` lists them. */
function argoKustomizeImage(entry: unknown): ControllerDeclaration['images'][number] | null {
  const text = str(entry);
  if (!text) return null;
  const eq = text.indexOf('=');
  const old = eq > 0 ? text.slice(0, eq) : undefined;
  const ref = eq > 0 ? text.slice(eq + 1) : text;
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const hasTag = at < 0 && colon > slash;
  const newName = hasTag ? base.slice(0, colon) : base;
  const newTag = hasTag ? base.slice(colon + 1) : undefined;
  return { name: old ?? newName, newName, ...(newTag ? { newTag } : {}), ...(digest ? { digest } : {}) };
}

/** What a HelmRelease, an OCIRepository or an Argo CD Application declares; null for any other object. */
export function controllerDeclaration(doc: Record<string, unknown>): ControllerDeclaration | null {
  const metadata = isMap(doc['metadata']) ? doc['metadata'] : {};
  const spec = isMap(doc['spec']) ? doc['spec'] : {};
  if (isHelmRelease(doc)) {
    const chartSpec = isMap(spec['chart']) && isMap(spec['chart']['spec']) ? spec['chart']['spec'] : {};
    const chartName = str(chartSpec['chart']);
    const version = exactChartVersion(chartSpec['version']);
    const name = str(spec['releaseName']) ?? str(metadata['name']);
    return { ...(name ? { name } : {}), values: isMap(spec['values']) ? [spec['values']] : [], images: [], ...(chartName && version ? { chart: { name: chartName, version } } : {}) };
  }
  if (isOciRepository(doc)) {
    // https://fluxcd.io/flux/components/source/ocirepositories/ — a `semver` range names no release and is not read.
    const url = str(spec['url']);
    const ref = isMap(spec['ref']) ? spec['ref'] : {};
    const tag = str(ref['tag']);
    const digest = str(ref['digest']);
    const name = str(metadata['name']);
    if (!url?.startsWith('oci://') || (!tag && !digest)) return { ...(name ? { name } : {}), values: [], images: [] };
    return { ...(name ? { name } : {}), values: [], images: [], artifact: { reference: url.slice('oci://'.length), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } };
  }
  if (isArgoApplication(doc)) {
    const sources = [spec['source'], ...(Array.isArray(spec['sources']) ? spec['sources'] : [])].filter(isMap);
    const out: ControllerDeclaration = { values: [], images: [] };
    const name = str(metadata['name']);
    if (name) out.name = name;
    for (const source of sources) {
      const helm = isMap(source['helm']) ? source['helm'] : null;
      if (helm) {
        // Argo CD: valuesObject wins over values; parameters override both.
        let values: Record<string, unknown> = {};
        if (isMap(helm['valuesObject'])) values = structuredClone(helm['valuesObject']);
        else if (typeof helm['values'] === 'string') {
          const parsed = parseYamlDocs(helm['values'], 'spec.source.helm.values', 'failsafe');
          if (parsed.ok && isMap(parsed.docs[0])) values = parsed.docs[0];
        }
        for (const p of Array.isArray(helm['parameters']) ? helm['parameters'] : []) {
          if (isMap(p) && typeof p['name'] === 'string' && (typeof p['value'] === 'string' || typeof p['value'] === 'number')) setParameter(values, p['name'], String(p['value']));
        }
        if (Object.keys(values).length > 0) out.values.push(values);
      }
      const kustomize = isMap(source['kustomize']) ? source['kustomize'] : null;
      if (kustomize && Array.isArray(kustomize['images'])) out.images.push(...kustomize['images'].map(argoKustomizeImage).filter((i) => i !== null));
      const chart = str(source['chart']);
      const version = exactChartVersion(source['targetRevision']);
      if (chart && version && !out.chart) out.chart = { name: chart, version };
    }
    return out;
  }
  return null;
}

/** Flux post-build variables of every Flux Kustomization among `docs` (later ones override earlier ones). */
export function postBuildSubstitutions(docs: readonly unknown[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const doc of docs) {
    if (!isMap(doc) || !isFluxKustomization(doc) || !isMap(doc['spec'])) continue;
    const postBuild = doc['spec']['postBuild'];
    const substitute = isMap(postBuild) ? postBuild['substitute'] : undefined;
    if (!isMap(substitute)) continue;
    for (const [key, value] of Object.entries(substitute)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && typeof value === 'string') vars[key] = value;
  }
  return vars;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]([^}]*))?\}/g;

/** `text` with Flux's `${VAR}` variables substituted; `missing` names any that neither `vars` nor a default set. */
export function substitute(text: string, vars: Readonly<Record<string, string>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(VARIABLE, (whole, name: string, fallback: string | undefined) => {
    if (Object.hasOwn(vars, name)) return vars[name]!;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return whole;
  });
  return { text: out, missing };
}
