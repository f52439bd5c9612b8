/**
 * Astro's log destination for `release-ledger build` without --debug
 * (the `logger` setting, https://docs.astro.build/en/reference/logger-reference/):
 * Astro's node destination, less the error events. Every error Astro logs
 * during a build is thrown again (an error log line carries the error's stack,
 * and a stack can carry request objects); `buildSite` turns it into one line
 * for the CLI. With --debug the build keeps Astro's own logger, stacks and all.
 * JavaScript, not TypeScript: Astro loads a logger entrypoint as a plain module.
 */
import node from 'astro/logger/node';

export default function withoutErrors(config) {
  const destination = node(config);
  return {
    write(event) {
      if (event.level !== 'error') destination.write(event);
    },
  };
}
