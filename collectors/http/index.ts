/** Pure parts of the `http` runtime source; the I/O is in `collectors/http/source.ts`. */
export { parseVersionBody, mediaType } from './parse-version.ts';
export { readPath } from './json-pointer.ts';
export type { VersionReport, ParseResult, ParseOptions } from './parse-version.ts';
export { planHttpTargets, resolveHeaders, safeUrl } from './targets.ts';
export type { HttpTarget, PlanInput } from './targets.ts';
export { isForbiddenAddress, redirectHost, redirectRefusal } from './redirect.ts';
