/**
 * Plain checks of what GitHub answered, shared by the run, its phases and
 * the ETag cache: an answer is not trusted to have the documented shape
 * (docs/guarantees.md, "When the API lies").
 */
import type { GqlDeployment } from './types.ts';

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A GraphQL deployment node with the fields every later step reads. */
export function isDeployment(value: unknown): value is GqlDeployment {
  return isObject(value) && typeof value.commitOid === 'string' && typeof value.createdAt === 'string';
}

/** The error a body that is not GitHub's documented JSON becomes (a gap, never an empty list). */
export function malformed(method: string, path: string): Error {
  return Object.assign(new Error('malformed response body (not the JSON GitHub documents)'), { request: { method, url: `https://api.invalid${path}` } });
}
