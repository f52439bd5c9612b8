/**
 * The repo mode's plain functions: the batched GraphQL document (checked
 * against GitHub's published schema), reading its answers, partial errors
 * included, and reading a recursive tree.
 */
import { validate } from '@octokit/graphql-schema';
import { describe, expect, it } from 'vitest';
import { gitOpsFilesQuery, readGitOpsFilesAnswer, treeFiles } from '../../collectors/gitops/index.ts';

const REV = '3db819f9602d66405a2dc61fd438962aa3087992';

describe('gitOpsFilesQuery', () => {
  it('is valid against GitHub’s schema, with a blob and a one-commit history per file, pinned to the revision', () => {
    const query = gitOpsFilesQuery('acme', 'gitops', REV, ['environments/prod/api/values.yaml', 'a "quoted" \\ path.yaml']);
    expect(validate(query)).toEqual([]);
    expect(query).toContain(`b0: object(expression: "${REV}:environments/prod/api/values.yaml")`);
    expect(query).toContain(`h1: object(oid: "${REV}") { ... on Commit { history(first: 1, path: "a \\"quoted\\" \\\\ path.yaml")`);
    // A name cannot break out of its string literal.
    expect(validate(gitOpsFilesQuery('acme', 'x") { id } evil: repository(owner: "y', REV, ['f']))).toEqual([]);
  });
});

describe('readGitOpsFilesAnswer', () => {
  const files = ['a.yaml', 'b.yaml', 'c.bin', 'd.yaml', 'e.yaml'];
  const history = (name: string, date: string) => ({ history: { nodes: [{ author: { name }, committer: { date } }] } });

  it('reads text, missing, binary and truncated blobs, and last changes, one per file in order', () => {
    const data = {
      repository: {
        b0: { text: 'image: x\n', isBinary: false, isTruncated: false },
        h0: history('Alice Example', '2026-03-05T09:30:00+01:00'),
        b1: null,
        h1: { history: { nodes: [] } },
        b2: { text: null, isBinary: true, isTruncated: false },
        h2: history('Bob Example', '2026-03-01T10:00:00Z'),
        b3: { text: 'image: ', isBinary: false, isTruncated: true },
        h3: history('', 'not a date'),
        b4: { text: 'x', isBinary: false, isTruncated: false },
        h4: history('Carol Example', '2026-03-10T17:00:00Z'),
      },
    };
    expect(readGitOpsFilesAnswer(data, [], files)).toEqual([
      { file: { kind: 'text', text: 'image: x\n' }, change: { changedBy: 'Alice Example', changedAt: '2026-03-05T08:30:00.000Z' } },
      { file: { kind: 'missing' }, change: {} },
      { file: { kind: 'binary' }, change: { changedBy: 'Bob Example', changedAt: '2026-03-01T10:00:00.000Z' } },
      { file: { kind: 'truncated' }, change: {} },
      { file: { kind: 'text', text: 'x' }, change: { changedBy: 'Carol Example', changedAt: '2026-03-10T17:00:00.000Z' } },
    ]);
  });

  it('puts a partial error on exactly the file it names, and a wrong shape is an error, never an empty value', () => {
    const data = { repository: { b0: null, h0: null, b1: { text: 'ok' }, h1: history('Alice Example', '2026-03-01T10:00:00Z'), b2: 'nonsense', h2: { history: null } } };
    const errors = [
      { path: ['repository', 'b0'], message: 'Something went wrong' },
      { path: ['repository', 'h0', 'history'], message: 'Resource limits for this query exceeded.' },
    ];
    expect(readGitOpsFilesAnswer(data, errors, files.slice(0, 3))).toEqual([
      { file: { kind: 'error', reason: 'Something went wrong' }, change: { error: 'Resource limits for this query exceeded.' } },
      { file: { kind: 'text', text: 'ok' }, change: { changedBy: 'Alice Example', changedAt: '2026-03-01T10:00:00.000Z' } },
      { file: { kind: 'error', reason: 'the GraphQL answer has no blob for it' }, change: { error: 'the GraphQL answer has no history for it' } },
    ]);
    // No repository at all (e.g. NOT_FOUND): every file carries the query's error.
    const none = readGitOpsFilesAnswer({ repository: null }, [{ path: ['repository'], message: "Could not resolve to a Repository with the name 'acme/gitops'." }], ['a.yaml']);
    expect(none).toEqual([{ file: { kind: 'error', reason: "Could not resolve to a Repository with the name 'acme/gitops'." }, change: { error: "Could not resolve to a Repository with the name 'acme/gitops'." } }]);
  });
});

describe('treeFiles', () => {
  it('lists the blobs of a whole tree, and refuses a cut or malformed one (the caller then lists folders)', () => {
    const tree = [
      { path: 'environments', mode: '040000', type: 'tree', sha: 't1' },
      { path: 'environments/prod/values.yaml', mode: '100644', type: 'blob', sha: 'b1', size: 3 },
      { path: 'vendor/lib', mode: '160000', type: 'commit', sha: 'c1' },
    ];
    expect([...treeFiles({ sha: 's', tree, truncated: false })!]).toEqual(['environments/prod/values.yaml']);
    expect(treeFiles({ sha: 's', tree, truncated: true })).toBeNull();
    expect(treeFiles({ sha: 's', tree: 'nope', truncated: false })).toBeNull();
    expect(treeFiles({ sha: 's', tree })).toBeNull();
    expect(treeFiles(null)).toBeNull();
  });
});
