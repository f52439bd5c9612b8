/**
 * Flat config key/values from a config file in a GitOps repository:
 *
 * - `.env` files (`KEY=value`, `export KEY=value`, `#` comments);
 * - `.properties` files (`key=value` or `key: value`, `#`/`!` comments);
 * - YAML or JSON: a Kubernetes ConfigMap's `data`; a workload's container
 *   `env:` list (`[{ name, value }]`, the container named like the service or
 *   the first); else the `env:` and `config:` maps (under the service's key
 *   when it has one, else at the top level); else the whole map.
 *
 * Nested maps are flattened with dots (`db.pool.size`), lists become JSON
 * text. Values may be secret: redaction happens later, in the snapshot step.
 */
import type { RawValue } from '../../src/model/index.ts';
import { WORKLOAD_KINDS, workloadContainers } from './kubernetes.ts';
import { PROTO_KEY } from '../../src/model/yaml-guard.ts';
import { isMap, parseYamlDocs } from './yaml-docs.ts';

export type ConfigResult = { ok: true; values: Record<string, RawValue> } | { ok: false; reason: string };

function scalar(value: unknown): RawValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function flatten(map: Record<string, unknown>, prefix: string, into: Record<string, RawValue>): void {
  for (const [key, value] of Object.entries(map)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isMap(value)) flatten(value, name, into);
    else into[name] = scalar(value);
  }
}

/** Kubernetes `env:` list `[{ name, value }]`; `valueFrom` entries have no value here and are skipped. */
function envList(list: unknown[], into: Record<string, RawValue>): void {
  for (const entry of list) {
    if (isMap(entry) && typeof entry['name'] === 'string' && 'value' in entry) into[entry['name']] = scalar(entry['value']);
  }
}

function fromEnvOrConfig(scope: Record<string, unknown>, into: Record<string, RawValue>): boolean {
  let found = false;
  for (const key of ['env', 'config'] as const) {
    const value = scope[key];
    if (isMap(value)) {
      flatten(value, '', into);
      found = true;
    } else if (Array.isArray(value)) {
      envList(value, into);
      found = true;
    }
  }
  return found;
}

function fromWorkload(doc: Record<string, unknown>, service: string, into: Record<string, RawValue>): void {
  const containers = workloadContainers(doc);
  const container = containers.find((c) => c['name'] === service) ?? containers[0];
  if (container && Array.isArray(container['env'])) envList(container['env'], into);
}

function fromYamlDoc(doc: Record<string, unknown>, service: string, into: Record<string, RawValue>): void {
  if (doc['kind'] === 'ConfigMap') {
    if (isMap(doc['data'])) flatten(doc['data'], '', into);
    return;
  }
  if (typeof doc['kind'] === 'string' && WORKLOAD_KINDS.has(doc['kind'])) {
    fromWorkload(doc, service, into);
    return;
  }
  if (typeof doc['kind'] === 'string' && typeof doc['apiVersion'] === 'string') return; // another Kubernetes object: no config in it
  const scoped = doc[service];
  if (isMap(scoped) && fromEnvOrConfig(scoped, into)) return;
  if (fromEnvOrConfig(doc, into)) return;
  flatten(doc, '', into);
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v.replace(/\s+#.*$/, '');
}

function fromLines(text: string, file: string, kind: 'env' | 'properties'): ConfigResult {
  const values: Record<string, RawValue> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || (kind === 'properties' && line.startsWith('!'))) continue;
    const match = kind === 'env' ? /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/.exec(line) : /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) return { ok: false, reason: `${file}: line ${i + 1} is not KEY=value` };
    if (match[1] === '__proto__') return { ok: false, reason: `${file}: line ${i + 1}: ${PROTO_KEY}` };
    values[match[1]!] = kind === 'env' ? unquote(match[2]!) : match[2]!.trim();
  }
  return { ok: true, values: sortKeys(values) };
}

const sortKeys = (values: Record<string, RawValue>) =>
  Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Reads the config values for `service` from the text of `file` (the extension picks the format). */
export function extractConfigValues(text: string, file: string, service: string): ConfigResult {
  if (/(^|\/)\.env$|\.env$/.test(file)) return fromLines(text, file, 'env');
  if (file.endsWith('.properties')) return fromLines(text, file, 'properties');
  const parsed = parseYamlDocs(text, file, 'core');
  if (!parsed.ok) return parsed;
  const values: Record<string, RawValue> = {};
  for (const doc of parsed.docs) {
    if (isMap(doc)) fromYamlDoc(doc, service, values);
  }
  if (parsed.docs.length > 0 && !parsed.docs.some(isMap)) return { ok: false, reason: `${file}: not a map of config values` };
  return { ok: true, values: sortKeys(values) };
}
