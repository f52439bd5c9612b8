/** `releases:` in the config: validated like the rest, one line naming file, line and field. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { parseConfig } from '../../src/model/index.ts';

const HEAD = `name: Acme
environments:
  - name: qa
  - name: prod
    production: true
services:
  - name: payments-api
  - name: web
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, 'release-ledger.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected parseConfig to fail');
}

describe('releases in the config', () => {
  it('parses a declared release; environments and planned are optional', () => {
    const config = parseConfig(
      `${HEAD}releases:\n  - name: checkout-2026-03\n    components: { payments-api: 2.4.0, web: v1.9.0 }\n    owner: team-payments\n    environments: [prod]\n    planned: 2026-03-20\n  - name: tiny\n    components: { web: 1.0.0 }\n    owner: carol\n`,
      'release-ledger.config.yaml',
    );
    expect(config.releases).toEqual([
      { name: 'checkout-2026-03', components: { 'payments-api': '2.4.0', web: 'v1.9.0' }, owner: 'team-payments', environments: ['prod'], planned: '2026-03-20' },
      { name: 'tiny', components: { web: '1.0.0' }, owner: 'carol' },
    ]);
    expect(parseConfig(HEAD, 'c.yaml').releases).toEqual([]);
  });

  it('an unknown service names the line and the field', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { payments-api: 2.4.0, wbe: 1.9.0 }\n    owner: carol\n`)).toMatch(
      /^release-ledger\.config\.yaml:11:\d+: releases\[0\]\.components\.wbe: no service named "wbe"/,
    );
  });

  it('a version that is not semver names the line and the field', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components:\n      payments-api: banana\n    owner: carol\n`)).toMatch(
      /^release-ledger\.config\.yaml:12:\d+: releases\[0\]\.components\.payments-api: expected a version such as "2\.4\.0" \(semver, a leading v allowed\)/,
    );
  });

  it('an unknown environment, a missing owner, a duplicate name and an empty release are refused', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n    owner: carol\n    environments: [qa, stagin]\n`)).toMatch(
      /^release-ledger\.config\.yaml:13:\d+: releases\[0\]\.environments\[1\]: no environment named "stagin"/,
    );
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n`)).toMatch(/^release-ledger\.config\.yaml:10:\d+: releases\[0\]/);
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n    owner: a\n  - name: r1\n    components: { web: 1.0.1 }\n    owner: b\n`)).toMatch(
      /^release-ledger\.config\.yaml:13:\d+: releases\[1\]\.name: "r1" is named twice/,
    );
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: {}\n    owner: a\n`)).toMatch(/releases\[0\]\.components: .*at least one service -> version/);
  });

  it('new policies are optional and bounded', () => {
    expect(parseConfig(`${HEAD}policies: { releaseGraceDays: 3, maxScopePerDeployment: 8 }\n`, 'c.yaml').policies).toMatchObject({ releaseGraceDays: 3, maxScopePerDeployment: 8 });
    expect(errorOf(`${HEAD}policies:\n  maxScopePerDeployment: 0\n`)).toMatch(/^release-ledger\.config\.yaml:10:\d+: policies\.maxScopePerDeployment/);
  });
});
