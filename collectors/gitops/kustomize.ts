/**
 * Kustomize overlays resolved the way `kustomize build` resolves them, for
 * the fields the ledger reads: which image each workload runs, how many
 * replicas, and the data of the ConfigMaps it generates or includes
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 * An overlay that shares bases and components across environments (per tier,
 * per region) is read as one environment's whole configuration, not one file.
 *
 * Resolved: `resources` (files, and folders holding a kustomization; the old
 * `bases` too), `components`, `configMapGenerator` (literals, `envs` and
 * `files`, with `behavior` create, merge or replace), `patches`,
 * `patchesStrategicMerge` and `patchesJson6902` (strategic merge patches by
 * kind and name or `target`, lists of named items merged by name; JSON
 * patches with add, replace, remove, copy and move), `images`, `replicas`,
 * `namespace`, `namePrefix`/`nameSuffix`. Said in `unresolved`, one line each,
 * never guessed: remote bases, Helm chart inflation, `replacements`/`vars`,
 * plugin transformers and generators, missing files. Secret generators are
 * never read: secret values do not enter the ledger. Checked against the real
 * `kubectl kustomize` in tests/gitops/kustomize.test.ts.
 *
 * Pure: files come through `read` (a local clone or the GitHub API).
 */
import path from 'node:path';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { readYaml } from '../../src/model/yaml.ts';
import { formatImageRef, parseImageRef } from '../shared/image-ref.ts';
import { isMap as isObject } from './yaml-docs.ts';

type KObject = Record<string, unknown>;

export interface Kustomized {
  /** The objects `kustomize build` would print (ConfigMaps with their generated name, without the content hash). */
  resources: KObject[];
  /** Every file read, in the order read (evidence: which files made the result). */
  files: string[];
  /** What was not resolved and why, one line each. */
  unresolved: string[];
  /** Each container image of the result and the file that set it (the manifest, or the kustomization whose `images:` changed it). */
  origins: Map<string, string>;
}

/** Reads a repository file's text, or null when there is no such file. */
export type ReadFile = (file: string) => Promise<string | null>;

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** Fields this resolver does not apply, and why each matters. */
const UNRESOLVED_FIELDS: Record<string, string> = {
  helmCharts: 'Helm chart inflation (helmCharts) is not rendered',
  helmGlobals: 'Helm chart inflation (helmGlobals) is not rendered',
  replacements: 'replacements are not applied',
  vars: 'vars are not substituted',
  generators: 'plugin generators are not run',
  validators: 'plugin validators are not run',
};
const MAX_DEPTH = 20;

/** Builds the kustomization in `dir` (a repository path, `/`-separated). */
export async function kustomize(dir: string, read: ReadFile): Promise<Kustomized> {
  const out: Kustomized = { resources: [], files: [], unresolved: [], origins: new Map() };
  out.resources = await build(normal(dir), read, out, 0, new Set());
  return out;
}

async function build(dir: string, read: ReadFile, out: Kustomized, depth: number, stack: Set<string>): Promise<KObject[]> {
  if (depth > MAX_DEPTH || stack.has(dir)) {
    out.unresolved.push(`${dir}: kustomizations refer to each other in a cycle (or nest deeper than ${MAX_DEPTH})`);
    return [];
  }
  const found = await readKustomization(dir, read, out);
  if (!found) {
    out.unresolved.push(`${dir}: no kustomization.yaml`);
    return [];
  }
  const { file, k } = found;
  stack.add(dir);
  try {
    for (const [field, why] of Object.entries(UNRESOLVED_FIELDS)) if (k[field] !== undefined) out.unresolved.push(`${file}: ${why}`);
    if (k['secretGenerator'] !== undefined) out.unresolved.push(`${file}: secretGenerator is not read (secret values never enter the ledger)`);
    await checkTransformers(k, dir, file, read, out);
    // kustomize's order: resources, then components, then this kustomization's generators and transformers.
    let resources: KObject[] = [];
    for (const entry of [...list(k['resources']), ...list(k['bases'])]) resources.push(...(await resource(dir, String(entry), read, out, depth, stack)));
    for (const entry of list(k['components'])) resources = await component(dir, String(entry), resources, read, out, depth, stack);
    resources = generate(resources, k, file, out, await generatorInputs(k, dir, read, out), dir);
    resources = await transform(resources, k, dir, file, read, out);
    return resources;
  } finally {
    stack.delete(dir);
  }
}

/** A component is a kustomization applied to what its user has built so far. */
async function component(dir: string, entry: string, resources: KObject[], read: ReadFile, out: Kustomized, depth: number, stack: Set<string>): Promise<KObject[]> {
  if (isRemote(entry)) {
    out.unresolved.push(`${dir}: the remote component ${entry} is not fetched`);
    return resources;
  }
  const cdir = normal(path.posix.join(dir, entry));
  const found = await readKustomization(cdir, read, out);
  if (!found) {
    out.unresolved.push(`${dir}: component ${entry} has no kustomization.yaml`);
    return resources;
  }
  const { file, k } = found;
  for (const [field, why] of Object.entries(UNRESOLVED_FIELDS)) if (k[field] !== undefined) out.unresolved.push(`${file}: ${why}`);
  await checkTransformers(k, cdir, file, read, out);
  let next = [...resources];
  for (const r of [...list(k['resources']), ...list(k['bases'])]) next.push(...(await resource(cdir, String(r), read, out, depth + 1, stack)));
  for (const c of list(k['components'])) next = await component(cdir, String(c), next, read, out, depth + 1, stack);
  next = generate(next, k, file, out, await generatorInputs(k, cdir, read, out), cdir);
  return transform(next, k, cdir, file, read, out);
}

async function resource(dir: string, entry: string, read: ReadFile, out: Kustomized, depth: number, stack: Set<string>): Promise<KObject[]> {
  if (isRemote(entry)) {
    out.unresolved.push(`${dir}: the remote base ${entry} is not fetched`);
    return [];
  }
  const target = normal(path.posix.join(dir, entry));
  const text = await read(target);
  if (text !== null) {
    out.files.push(target);
    const docs = docsOf(text, target, out);
    for (const image of imagesOf(docs)) if (!out.origins.has(image)) out.origins.set(image, target);
    return docs;
  }
  return build(target, read, out, depth + 1, stack);
}

async function readKustomization(dir: string, read: ReadFile, out: Kustomized): Promise<{ file: string; k: KObject } | null> {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = normal(path.posix.join(dir, name));
    const text = await read(file);
    if (text === null) continue;
    out.files.push(file);
    const [k] = docsOf(text, file, out);
    return { file, k: k ?? {} };
  }
  return null;
}

function docsOf(text: string, file: string, out: Kustomized): KObject[] {
  const read = readYaml(text, { schema: 'core', maxBytes: INPUT_LIMITS.sourceFileBytes });
  if (!read.ok) {
    out.unresolved.push(`${file}: unparsable YAML at line ${read.position(read.offset).line}: ${read.message}`);
    return [];
  }
  // A `List` holds its objects in `items`, as kubectl prints them.
  return read.yaml.documents.flatMap((d) => (isObject(d.data) ? (d.data['kind'] === 'List' && Array.isArray(d.data['items']) ? d.data['items'].filter(isObject) : [d.data]) : []));
}

/** Built-in transformers that only touch labels or annotations (which the ledger does not read) change nothing here; any other is said. */
async function checkTransformers(k: KObject, dir: string, file: string, read: ReadFile, out: Kustomized): Promise<void> {
  for (const entry of list(k['transformers'])) {
    const f = normal(path.posix.join(dir, String(entry)));
    const text = typeof entry === 'string' ? await read(f) : null;
    const docs = text === null ? [] : docsOf(text, f, out);
    if (text !== null) out.files.push(f);
    const harmless = docs.length > 0 && docs.every((d) => d['apiVersion'] === 'builtin' && (d['kind'] === 'LabelTransformer' || d['kind'] === 'AnnotationsTransformer'));
    if (!harmless) out.unresolved.push(`${file}: the transformer ${typeof entry === 'string' ? entry : 'given inline'} is not run`);
  }
}

// ---------------------------------------------------------------------------
// Generators

/** The text of every file a configMapGenerator names (`envs`, `files`), read before generating. */
async function generatorInputs(k: KObject, dir: string, read: ReadFile, out: Kustomized): Promise<Map<string, string | null>> {
  const inputs = new Map<string, string | null>();
  for (const g of list(k['configMapGenerator']).filter(isObject)) {
    for (const entry of [...list(g['envs']), ...(g['env'] ? [g['env']] : []), ...list(g['files'])]) {
      const source = String(entry).includes('=') ? String(entry).slice(String(entry).indexOf('=') + 1) : String(entry);
      const file = normal(path.posix.join(dir, source));
      if (inputs.has(file)) continue;
      const text = await read(file);
      if (text !== null) out.files.push(file);
      inputs.set(file, text);
    }
  }
  return inputs;
}

function generate(resources: KObject[], k: KObject, file: string, out: Kustomized, inputs: Map<string, string | null>, dir: string): KObject[] {
  const result = [...resources];
  for (const g of list(k['configMapGenerator']).filter(isObject)) {
    const name = String(g['name'] ?? '');
    const data: Record<string, string> = {};
    for (const literal of list(g['literals'])) {
      const text = String(literal);
      const at = text.indexOf('=');
      if (at > 0) data[text.slice(0, at)] = unquote(text.slice(at + 1));
    }
    for (const entry of [...list(g['envs']), ...(g['env'] ? [g['env']] : [])]) {
      const f = normal(path.posix.join(dir, String(entry)));
      const text = inputs.get(f);
      if (text == null) out.unresolved.push(`${file}: configMapGenerator ${name}: ${f} not found`);
      else Object.assign(data, parseEnvFile(text));
    }
    for (const entry of list(g['files'])) {
      const text0 = String(entry);
      const [key, source] = text0.includes('=') ? [text0.slice(0, text0.indexOf('=')), text0.slice(text0.indexOf('=') + 1)] : [path.posix.basename(text0), text0];
      const f = normal(path.posix.join(dir, source));
      const text = inputs.get(f);
      if (text == null) out.unresolved.push(`${file}: configMapGenerator ${name}: ${f} not found`);
      else data[key] = text;
    }
    const behavior = String(g['behavior'] ?? 'create');
    const existing = result.findIndex((r) => r['kind'] === 'ConfigMap' && nameOf(r) === name);
    if (behavior === 'create' || existing < 0) {
      if (behavior !== 'create') out.unresolved.push(`${file}: configMapGenerator ${name} has behavior ${behavior} but no ConfigMap ${name} comes before it`);
      result.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: sortKeys(data) });
    } else {
      const before = result[existing]!;
      const merged = behavior === 'merge' ? { ...(isObject(before['data']) ? (before['data'] as Record<string, string>) : {}), ...data } : data;
      result[existing] = { ...before, data: sortKeys(merged) };
    }
  }
  return result;
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Transformers

async function transform(resources: KObject[], k: KObject, dir: string, file: string, read: ReadFile, out: Kustomized): Promise<KObject[]> {
  let result = resources.map((r) => structuredClone(r));
  for (const p of await patchesOf(k, dir, file, read, out)) result = applyPatch(result, p, file, out);
  const before = new Set(imagesOf(result));
  for (const image of list(k['images']).filter(isObject)) result = result.map((r) => setImages(r, image));
  for (const image of imagesOf(result)) if (!before.has(image)) out.origins.set(image, file);
  for (const r of list(k['replicas']).filter(isObject)) {
    for (const obj of result) if (nameOf(obj) === String(r['name']) && isObject(obj['spec'])) (obj['spec'] as KObject)['replicas'] = Number(r['count']);
  }
  if (typeof k['namespace'] === 'string') for (const obj of result) metadataOf(obj)['namespace'] = k['namespace'];
  const prefix = typeof k['namePrefix'] === 'string' ? k['namePrefix'] : '';
  const suffix = typeof k['nameSuffix'] === 'string' ? k['nameSuffix'] : '';
  if (prefix || suffix) result = rename(result, prefix, suffix);
  return result;
}

interface Patch {
  /** A strategic merge patch (an object) or a JSON patch (a list of operations). */
  body: KObject | KObject[];
  target?: KObject;
  where: string;
}

async function patchesOf(k: KObject, dir: string, file: string, read: ReadFile, out: Kustomized): Promise<Patch[]> {
  const patches: Patch[] = [];
  const load = async (entry: KObject | string, where: string): Promise<(KObject | KObject[])[]> => {
    if (typeof entry === 'string' && !entry.includes('\n') && !entry.trim().startsWith('{') && !entry.trim().startsWith('-')) {
      const f = normal(path.posix.join(dir, entry));
      const text = await read(f);
      if (text === null) {
        out.unresolved.push(`${where}: patch file ${f} not found`);
        return [];
      }
      out.files.push(f);
      return patchDocs(text, f, out);
    }
    return typeof entry === 'string' ? patchDocs(entry, where, out) : [entry];
  };
  for (const entry of list(k['patches'])) {
    if (!isObject(entry)) continue;
    const bodies = entry['path'] !== undefined ? await load(String(entry['path']), file) : entry['patch'] !== undefined ? await load(String(entry['patch']), `${file} (inline patch)`) : [];
    for (const body of bodies) patches.push({ body, ...(isObject(entry['target']) ? { target: entry['target'] } : {}), where: file });
  }
  for (const entry of list(k['patchesStrategicMerge'])) for (const body of await load(entry as KObject | string, file)) patches.push({ body, where: file });
  for (const entry of list(k['patchesJson6902'])) {
    if (!isObject(entry)) continue;
    const bodies = entry['path'] !== undefined ? await load(String(entry['path']), file) : entry['patch'] !== undefined ? await load(String(entry['patch']), `${file} (inline patch)`) : [];
    for (const body of bodies) patches.push({ body, ...(isObject(entry['target']) ? { target: entry['target'] } : {}), where: file });
  }
  return patches;
}

function patchDocs(text: string, where: string, out: Kustomized): (KObject | KObject[])[] {
  const read = readYaml(text, { schema: 'core', maxBytes: INPUT_LIMITS.sourceFileBytes });
  if (!read.ok) {
    out.unresolved.push(`${where}: unparsable patch at line ${read.position(read.offset).line}: ${read.message}`);
    return [];
  }
  return read.yaml.documents.map((d) => d.data).filter((d): d is KObject | KObject[] => isObject(d) || (Array.isArray(d) && d.every(isObject)));
}

function applyPatch(resources: KObject[], patch: Patch, file: string, out: Kustomized): KObject[] {
  const matches = (obj: KObject): boolean => {
    const t = patch.target ?? (isObject(patch.body) ? { kind: patch.body['kind'], name: nameOf(patch.body) } : {});
    if (t['kind'] !== undefined && obj['kind'] !== t['kind']) return false;
    if (t['name'] !== undefined && !new RegExp(`^(?:${String(t['name'])})$`).test(nameOf(obj))) return false;
    if (t['namespace'] !== undefined && metadataOf(obj)['namespace'] !== t['namespace']) return false;
    if (t['labelSelector'] !== undefined || t['annotationSelector'] !== undefined) return selectorMatches(obj, t);
    return true;
  };
  let hit = false;
  const result = resources.map((obj) => {
    if (!matches(obj)) return obj;
    hit = true;
    return Array.isArray(patch.body) ? jsonPatch(obj, patch.body, file, out) : (strategicMerge(obj, patch.body) as KObject);
  });
  if (!hit) out.unresolved.push(`${patch.where}: a patch matches no resource${patch.target ? ` (target ${JSON.stringify(patch.target)})` : isObject(patch.body) ? ` (${String(patch.body['kind'])} ${nameOf(patch.body)})` : ''}`);
  return result;
}

function selectorMatches(obj: KObject, t: KObject): boolean {
  const labels = (metadataOf(obj)['labels'] ?? {}) as Record<string, string>;
  for (const part of String(t['labelSelector'] ?? '').split(',').filter(Boolean)) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (value === undefined ? !(key! in labels) : labels[key!] !== value) return false;
  }
  return true;
}

/** Kubernetes strategic merge: maps merge, lists of named items merge by name, other lists replace, `$patch: delete` removes. */
function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObject(patch) && patch['$patch'] === 'delete') return undefined;
  if (isObject(base) && isObject(patch)) {
    const out: KObject = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (key === '$patch') continue;
      if (value === null) delete out[key];
      else {
        const merged = strategicMerge(base[key], value);
        if (merged === undefined) delete out[key];
        else out[key] = merged;
      }
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && patch.every((p) => isObject(p) && typeof p['name'] === 'string') && base.every((b) => isObject(b) && typeof b['name'] === 'string')) {
    const out = base.map((b) => structuredClone(b) as KObject);
    for (const p of patch as KObject[]) {
      const at = out.findIndex((b) => b['name'] === p['name']);
      if (p['$patch'] === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at], p) as KObject;
      else out.push(p);
    }
    return out;
  }
  return structuredClone(patch);
}

/** RFC 6902 operations on one object; `test` is checked, an operation that cannot apply is said. */
function jsonPatch(obj: KObject, ops: KObject[], file: string, out: Kustomized): KObject {
  let doc: unknown = structuredClone(obj);
  for (const op of ops) {
    const pointer = String(op['path'] ?? '');
    try {
      switch (op['op']) {
        case 'add':
          doc = setAt(doc, pointer, structuredClone(op['value']), 'add');
          break;
        case 'replace':
          doc = setAt(doc, pointer, structuredClone(op['value']), 'replace');
          break;
        case 'remove':
          doc = setAt(doc, pointer, undefined, 'remove');
          break;
        case 'copy':
        case 'move': {
          const from = String(op['from'] ?? '');
          const value = structuredClone(getAt(doc, from));
          if (op['op'] === 'move') doc = setAt(doc, from, undefined, 'remove');
          doc = setAt(doc, pointer, value, 'add');
          break;
        }
        case 'test':
          break;
        default:
          throw new Error(`unknown op ${String(op['op'])}`);
      }
    } catch (error) {
      out.unresolved.push(`${file}: JSON patch ${String(op['op'])} ${pointer} on ${String(obj['kind'])} ${nameOf(obj)}: ${(error as Error).message}`);
    }
  }
  return doc as KObject;
}

const segments = (pointer: string) => (pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

function getAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const s of segments(pointer)) {
    if (Array.isArray(node)) node = node[Number(s)];
    else if (isObject(node)) node = node[s];
    else throw new Error('no such path');
  }
  return node;
}

function setAt(doc: unknown, pointer: string, value: unknown, mode: 'add' | 'replace' | 'remove'): unknown {
  const parts = segments(pointer);
  if (parts.length === 0) return value;
  const parent = getAt(doc, `/${parts.slice(0, -1).map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`.replace(/^\/$/, ''));
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error('no such index');
    if (mode === 'add') parent.splice(index, 0, value);
    else if (mode === 'replace') parent[index] = value;
    else parent.splice(index, 1);
  } else if (isObject(parent)) {
    if (mode !== 'add' && !(last in parent)) throw new Error('no such path');
    if (mode === 'remove') delete parent[last];
    else parent[last] = value;
  } else throw new Error('no such path');
  return doc;
}

/** The images transformer: every container and init container whose image name matches. */
function setImages(obj: KObject, image: KObject): KObject {
  const name = String(image['name'] ?? '');
  for (const container of containersOf([obj])) container['image'] = retag(container['image'] as string, name, image);
  return obj;
}

function retag(reference: string, name: string, image: KObject): string {
  const at = reference.indexOf('@');
  const base = at >= 0 ? reference.slice(0, at) : reference;
  const colon = base.lastIndexOf(':');
  const repo = colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
  if (repo !== name) return reference;
  const tag = colon > base.lastIndexOf('/') ? base.slice(colon + 1) : null;
  const digest = at >= 0 ? reference.slice(at + 1) : null;
  const newName = typeof image['newName'] === 'string' ? image['newName'] : repo;
  if (image['digest'] !== undefined) return `${newName}@${String(image['digest'])}`;
  if (image['newTag'] !== undefined) return `${newName}:${String(image['newTag'])}`;
  return `${newName}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`;
}

/** Every container and init container with an image, anywhere in `objects` (the paths kustomize's images transformer sets). */
function containersOf(objects: readonly KObject[]): KObject[] {
  const found: KObject[] = [];
  const visit = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if ((key === 'containers' || key === 'initContainers') && isObject(item) && typeof item['image'] === 'string') found.push(item);
        visit(item);
      }
    } else if (isObject(node)) for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  objects.forEach((o) => visit(o));
  return found;
}

/** Every container and init container image among `objects`. */
function imagesOf(objects: readonly KObject[]): string[] {
  return containersOf(objects).map((c) => c['image'] as string);
}

/** The file that set `image` (as the extractors normalise it) in a built overlay, if known. */
export function originOf(origins: ReadonlyMap<string, string>, image: string): string | undefined {
  const exact = origins.get(image);
  if (exact) return exact;
  for (const [raw, file] of origins) {
    const ref = parseImageRef(raw);
    if (ref && formatImageRef(ref) === image) return file;
  }
  return undefined;
}

/** A kustomize overlay (not a Flux `Kustomization`, which names one): a kustomization file that builds something. */
export function isOverlay(docs: readonly unknown[], file: string): boolean {
  const [doc] = docs;
  if (docs.length !== 1 || !isObject(doc) || !/(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file)) return false;
  const api = String(doc['apiVersion'] ?? 'kustomize.config.k8s.io/');
  return api.startsWith('kustomize.config.k8s.io/') && ['resources', 'bases', 'components', 'patches', 'patchesStrategicMerge', 'configMapGenerator'].some((key) => doc[key] !== undefined);
}

/** namePrefix/nameSuffix: every name, and the ConfigMap references that name those resources. */
function rename(resources: KObject[], prefix: string, suffix: string): KObject[] {
  const configMaps = new Set(resources.filter((r) => r['kind'] === 'ConfigMap').map(nameOf));
  const renamed = (n: string) => `${prefix}${n}${suffix}`;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'configMapRef' || k === 'configMapKeyRef' || k === 'configMap') && isObject(v) && typeof v['name'] === 'string' && configMaps.has(v['name'])) v['name'] = renamed(v['name']);
        else visit(v);
      }
    }
  };
  return resources.map((r) => {
    const copy = structuredClone(r);
    metadataOf(copy)['name'] = renamed(nameOf(copy));
    visit(copy['spec']);
    return copy;
  });
}

// ---------------------------------------------------------------------------

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const normal = (p: string) => path.posix.normalize(p).replace(/^\.\//, '').replace(/\/$/, '');
const isRemote = (entry: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || entry.includes('?ref=') || entry.startsWith('git@');
const unquote = (v: string) => v.replace(/^(["'])(.*)\1$/, '$2');

function metadataOf(obj: KObject): KObject {
  if (!isObject(obj['metadata'])) obj['metadata'] = {};
  return obj['metadata'] as KObject;
}

function nameOf(obj: KObject): string {
  return isObject(obj['metadata']) && typeof obj['metadata']['name'] === 'string' ? obj['metadata']['name'] : '';
}

function sortKeys(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
