/**
 * The `repo` mode's reads through GitHub, as plain functions: the tree of a
 * commit (one REST answer) and the files a run needs with who last changed
 * each (batched GraphQL). The I/O is in `collectors/gitops/source.ts`.
 *
 * At 500 services × 6 environments a GitOps repository names about 3,000
 * files. One contents request and one commits request per file was 6,000
 * requests a run, past a token's hourly 5,000
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 * One GraphQL query reads `FILES_PER_QUERY` files and their last change
 * (https://docs.github.com/en/graphql/reference/objects#commit `history(path:)`,
 * `object(expression: "REV:path")` for the blob), so the same run is about
 * 60 requests.
 */

/** Files per GraphQL query: each is a blob and a one-commit history, well inside GitHub's node and time limits. */
export const FILES_PER_QUERY = 50;

/** A GraphQL string literal (JSON escaping is a subset of GraphQL's). */
const str = (value: string) => JSON.stringify(value);

/**
 * The query for `files` at `revision`: alias `b<i>` is file i's blob, alias
 * `h<i>` the newest commit that changed it, as `git log -1 REV -- file` gives
 * it. Each history sits in its own `object(oid:)`: `history` is non-null in
 * GitHub's schema, so one failing would otherwise null the others with it.
 */
export function gitOpsFilesQuery(owner: string, name: string, revision: string, files: readonly string[]): string {
  const fields = files.flatMap((file, i) => [
    `b${i}: object(expression: ${str(`${revision}:${file}`)}) { ... on Blob { text isBinary isTruncated } }`,
    `h${i}: object(oid: ${str(revision)}) { ... on Commit { history(first: 1, path: ${str(file)}) { nodes { author { name } committer { date } } } } }`,
  ]);
  return `query {\n  repository(owner: ${str(owner)}, name: ${str(name)}) {\n    ${fields.join('\n    ')}\n  }\n}\n`;
}

/** A file as the query found it: its text, or why there is none (`truncated`: ask the contents API). */
export type FileAnswer = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'binary' } | { kind: 'truncated' } | { kind: 'error'; reason: string };

/** Who last changed a file and when (the author's name, the committer time), or why that is unknown. */
export type ChangeAnswer = { changedBy?: string; changedAt?: string } | { error: string };

type GraphQLError = { path?: readonly (string | number)[]; message?: string; type?: string };

/**
 * Reads one answer of `gitOpsFilesQuery` (partial errors included) into a
 * file and a last change per file. An alias with an error gets that error;
 * an answer of the wrong shape is an error, never a silent empty value.
 */
export function readGitOpsFilesAnswer(
  data: unknown,
  errors: readonly GraphQLError[],
  files: readonly string[],
): { file: FileAnswer; change: ChangeAnswer }[] {
  const repository = (data as { repository?: unknown } | null)?.repository as Record<string, unknown> | null | undefined;
  const errorAt = (alias: string) => errors.find((e) => (e.path ?? [])[1] === alias);
  const whole = errors.find((e) => (e.path ?? []).length <= 1);
  const why = (e: GraphQLError | undefined) => (e?.message ? e.message.slice(0, 200) : 'GitHub returned an error');
  return files.map((_, i) => {
    let file: FileAnswer;
    const blobError = errorAt(`b${i}`);
    if (blobError || !repository) file = { kind: 'error', reason: why(blobError ?? whole) };
    else {
      const blob = repository[`b${i}`] as { text?: unknown; isBinary?: unknown; isTruncated?: unknown } | null | undefined;
      if (blob === null) file = { kind: 'missing' };
      else if (typeof blob !== 'object' || blob === undefined) file = { kind: 'error', reason: 'the GraphQL answer has no blob for it' };
      else if (blob.isTruncated === true) file = { kind: 'truncated' };
      else if (blob.isBinary === true || blob.text === null) file = { kind: 'binary' };
      else if (typeof blob.text !== 'string') file = { kind: 'error', reason: 'the GraphQL answer has no text for it' };
      else file = { kind: 'text', text: blob.text };
    }
    let change: ChangeAnswer;
    const historyError = errorAt(`h${i}`);
    const history = (repository?.[`h${i}`] as { history?: { nodes?: unknown } | null } | null | undefined)?.history;
    if (historyError || !repository) change = { error: why(historyError ?? whole) };
    else if (!history || !Array.isArray(history.nodes)) change = { error: 'the GraphQL answer has no history for it' };
    else {
      const node = history.nodes[0] as { author?: { name?: unknown } | null; committer?: { date?: unknown } | null } | undefined;
      const by = node?.author?.name;
      const date = node?.committer?.date;
      const at = typeof date === 'string' ? new Date(date) : null;
      change = typeof by === 'string' && by !== '' && at && !Number.isNaN(at.getTime()) ? { changedBy: by, changedAt: at.toISOString() } : {};
    }
    return { file, change };
  });
}

/**
 * The file paths of a recursive tree answer
 * (https://docs.github.com/en/rest/git/trees#get-a-tree), or null when
 * GitHub cut it (`truncated`: more than 100,000 entries or 7 MB) or it is not
 * a tree: then the folders are listed one by one instead.
 */
export function treeFiles(data: unknown): Set<string> | null {
  const body = data as { truncated?: unknown; tree?: unknown } | null;
  if (!body || body.truncated !== false || !Array.isArray(body.tree)) return null;
  const files = new Set<string>();
  for (const entry of body.tree as { path?: unknown; type?: unknown }[]) {
    if (entry && entry.type === 'blob' && typeof entry.path === 'string') files.add(entry.path);
  }
  return files;
}
