// Plain JavaScript on purpose: this must run on any Node to say, in one
// sentence, that the Node is too old, before anything newer is loaded.
// The minimum matches package.json "engines" (Astro 7, Vitest 5, mermaid 12).
export const MINIMUM_NODE = '22.12.0';

/** The one sentence for a too-old Node, or null when `version` (e.g. "20.20.2") is new enough. */
export function nodeVersionProblem(version) {
  const [major, minor] = version.split('.').map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return `release-ledger needs Node.js ${needMajor}.${needMinor} or newer (this is v${version}); install a current Node from https://nodejs.org and run it again.`;
}

/** Exits with code 2 and the sentence on stderr when this Node is too old. */
export function requireNode() {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
}

// `node bin/require-node.mjs && vitest run`: npm scripts check the Node first, so an old Node
// gets the sentence instead of a stack from a dependency that needs a newer one.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) requireNode();
