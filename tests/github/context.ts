/** Builds a validated config and a SourceContext for the GitHub collector against the local server. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type GitHubSourceConfig, type SourceContext } from '../../src/model/index.ts';
import type { Scenario } from '../helpers/github-server.ts';

export const TOKEN = 'ghp_testTokenValue0123456789abcdefABCDEF';

export interface ContextOptions {
  baseUrl: string;
  scenario: Scenario;
  settings?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  configDir?: string;
  progress?: (line: string) => void;
  /** Services' config files (default: deploy/{environment}/values.yaml). */
  configFiles?: Record<string, string>;
}

export function makeContext(options: ContextOptions): SourceContext<GitHubSourceConfig> {
  const config = configSchema.parse({
    name: 'Acme',
    environments: [{ name: 'dev' }, { name: 'qa' }, { name: 'staging' }, { name: 'prod', production: true, requiredApprovals: 1 }],
    sources: { github: { type: 'github', baseUrl: options.baseUrl, environments: { prod: 'production' }, ...options.settings } },
    services: [
      ...options.scenario.repos.map((r) => ({
        name: r.name,
        repo: `${r.owner}/${r.name}`,
        sources: ['github'],
        configFiles: options.configFiles ?? { '*': 'deploy/{environment}/values.yaml' },
      })),
      { name: 'ledger-core', repo: 'acme/ledger-core', kind: 'library' },
    ],
  });
  const settings = config.sources.github as GitHubSourceConfig;
  return {
    name: 'github',
    settings,
    config,
    services: config.services.filter((s) => s.sources.includes('github')),
    configDir: options.configDir ?? mkdtempSync(join(tmpdir(), 'ledger-github-')),
    now: new Date('2026-03-14T02:00:00Z'),
    env: options.env ?? { GITHUB_TOKEN: TOKEN },
    fetch: globalThis.fetch,
    progress: options.progress ?? (() => {}),
  };
}
