/** Pure parts of the `gitops` source; the git I/O is in `collectors/gitops/source.ts`. */
export { parseImageRef, formatImageRef } from '../shared/image-ref.ts';
export type { ImageRef } from '../shared/image-ref.ts';
export { extractImage } from './extract-image.ts';
export type { DeclaredImage, ImageResult } from './extract-image.ts';
export { extractConfigValues } from './config-values.ts';
export type { ConfigResult } from './config-values.ts';
export { expandPattern, selectFiles } from './paths.ts';
export type { Expanded } from './paths.ts';
export { FILES_PER_QUERY, gitOpsFilesQuery, readGitOpsFilesAnswer, treeFiles } from './github-files.ts';
export type { ChangeAnswer, FileAnswer } from './github-files.ts';
