/**
 * Builds a real `SourceContext` for one source from a small config, parsed by
 * the real zod schema (so defaults apply exactly as in production). Used by
 * the http and gitops source tests.
 */
import type { ConfigInput, SourceConfig, SourceContext } from '../../src/model/index.ts';
import { configSchema } from '../../src/model/index.ts';

export const NOW = new Date('2026-03-14T02:00:00Z');

export function sourceContext<C extends SourceConfig>(
  input: ConfigInput,
  sourceName: string,
  options: { configDir?: string; env?: Record<string, string | undefined>; progress?: string[]; fetch?: typeof globalThis.fetch; lookup?: SourceContext['lookup'] } = {},
): SourceContext<C> {
  const config = configSchema.parse(input);
  const settings = config.sources[sourceName];
  if (!settings) throw new Error(`test config has no source ${sourceName}`);
  return {
    name: sourceName,
    settings: settings as C,
    config,
    services: config.services.filter((s) => s.sources.includes(sourceName)),
    configDir: options.configDir ?? '/nonexistent',
    now: NOW,
    env: options.env ?? {},
    fetch: options.fetch ?? globalThis.fetch,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    progress: (message) => options.progress?.push(message),
  };
}
