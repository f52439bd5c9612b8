/**
 * Layered Helm values: the values files listed for a cell, merged in order as
 * `helm install -f base.yaml -f prod.yaml` merges them
 * (https://helm.sh/docs/chart_template_guide/values_files/): maps merge key by
 * key, anything else (a list, a scalar) replaces what was there, and a key set
 * to null is deleted ("override the value of the key to be null, in which
 * case Helm will remove the key"). Each value remembers the file that set it,
 * so the version and its evidence come from the file that set the tag.
 *
 * Parsed with the failsafe schema (every scalar a string, so `2.10` stays
 * "2.10"), an unquoted `null` or `~` is the text "null"/"~": both are read as
 * null here. A quoted "null" cannot be told apart and is read as null too.
 */
import { isMap } from './yaml-docs.ts';

export interface LayeredValues {
  /** The merged values. */
  values: Record<string, unknown>;
  /** The file that set the value at `path` (or the map holding it), or undefined when no layer set it. */
  origin(path: readonly string[]): string | undefined;
}

const NULLS = new Set(['null', 'Null', 'NULL', '~']);
const isNull = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && NULLS.has(value.trim()));

/** Whether parsed documents are a Helm values file: one map that is not a Kubernetes object or a Kustomization. */
export function isHelmValues(docs: readonly unknown[], file: string): docs is [Record<string, unknown>] {
  if (docs.length !== 1 || !isMap(docs[0])) return false;
  if (/(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file)) return false;
  return docs[0]['kind'] === undefined && docs[0]['apiVersion'] === undefined;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isNull(v)) out[k] = clone(v);
    return out;
  }
  return value;
}

/** Who set what: a tree shaped like the values, so forgetting a replaced map's parts costs nothing. */
interface OriginNode {
  file?: string;
  children: Map<string, OriginNode>;
}

/** Merges `layers` in order, later files over earlier ones. Linear in the size of the layers. */
export function mergeHelmValues(layers: readonly { file: string; values: Record<string, unknown> }[]): LayeredValues {
  const root: OriginNode = { children: new Map() };
  const merge = (into: Record<string, unknown>, over: Record<string, unknown>, node: OriginNode, file: string) => {
    for (const [key, value] of Object.entries(over)) {
      const here = into[key];
      if (isNull(value)) {
        delete into[key];
        node.children.delete(key);
      } else if (isMap(value) && isMap(here)) {
        let child = node.children.get(key);
        if (!child) node.children.set(key, (child = { children: new Map() }));
        merge(here, value, child, file);
      } else {
        into[key] = clone(value);
        node.children.set(key, { file, children: new Map() });
      }
    }
  };
  const values: Record<string, unknown> = {};
  for (const layer of layers) merge(values, layer.values, root, layer.file);
  return {
    values,
    origin: (path) => {
      // The deepest node on the path that a file set whole.
      let found: string | undefined;
      let node: OriginNode | undefined = root;
      for (const key of path) {
        node = node.children.get(key);
        if (!node) break;
        if (node.file !== undefined) found = node.file;
      }
      return found;
    },
  };
}
