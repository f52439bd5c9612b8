/**
 * Validates payloads against GitHub's OpenAPI description (the single
 * api.github.com file of @octokit/openapi, not the package index), so the
 * local server cannot drift from the real REST API.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const file = require.resolve('@octokit/openapi/generated/api.github.com.json');

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
}

let doc: OpenApi | undefined;
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): { doc: OpenApi; ajv: Ajv } {
  if (!doc || !ajv) {
    doc = toJsonSchema(JSON.parse(readFileSync(file, 'utf8'))) as OpenApi;
    // GitHub's description has extension keywords (x-github, example), hence strict: false.
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema(doc as object, 'github');
  }
  return { doc, ajv };
}

/** Errors (empty when valid) of `body` against the response schema of METHOD path-template with the given status. */
export function validateResponse(method: string, template: string, status: number, body: unknown): string[] {
  const { doc, ajv } = load();
  const operation = doc.paths[template]?.[method.toLowerCase()];
  if (!operation) return [`no operation ${method} ${template} in the OpenAPI description`];
  const content = operation.responses[String(status)]?.content?.['application/json'];
  if (!content) return [`no ${status} JSON response for ${method} ${template}`];
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const pointer = `github#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
    validate = ajv.compile({ $ref: pointer });
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * OpenAPI 3.0 `nullable: true` -> JSON Schema: `type: [t, "null"]`, or
 * `anyOf: [schema, {type: "null"}]` where there is no `type` (GitHub puts
 * `nullable` beside `oneOf`/`anyOf`/`$ref`, which Ajv's own support rejects).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string' && !('$ref' in out)) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  if (out.nullable === false) delete out.nullable;
  return out;
}
