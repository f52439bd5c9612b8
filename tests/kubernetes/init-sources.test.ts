/** `init` writes the kubernetes and argocd sources commented; uncommented, they are valid settings. */
import { describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/init/templates.ts';
import { parseConfig } from '../../src/model/index.ts';

/** The starter config with the commented block that starts at `  # <name>:` uncommented. */
function uncomment(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`  # ${name}:`);
  if (start < 0) throw new Error(`no commented source ${name}`);
  for (let i = start; i < lines.length && lines[i]!.startsWith('  # '); i++) lines[i] = `  ${lines[i]!.slice(4)}`;
  return lines.join('\n');
}

describe('init: kubernetes and argocd sources', () => {
  it('are in the starter config, commented, and valid once uncommented', () => {
    const text = starterConfig({ mode: 'package', configDir: '' });
    expect(parseConfig(text, 'release-ledger.config.yaml').sources.cluster).toBeUndefined();
    const config = parseConfig(uncomment(uncomment(text, 'cluster'), 'argocd'), 'release-ledger.config.yaml');
    const cluster = config.sources.cluster;
    expect(cluster?.type === 'kubernetes' && Object.keys(cluster.clusters)).toEqual(['prod', 'qa']);
    expect(config.sources.argocd?.type).toBe('argocd');
  });
});
