/**
 * The http source caps a response body at 1 MiB while it streams (issue 17,
 * item 5): an endless body is cut off after the cap and is a gap; the other
 * endpoints still count.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { collectHttp } from '../../collectors/http/source.ts';
import type { ConfigInput, HttpSourceConfig } from '../../src/model/index.ts';
import { json, startHttpServer, type TestServer } from '../helpers/http-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('collectHttp: body cap', () => {
  it('an endless body stops being read past 1 MiB and is a gap; other endpoints count', async () => {
    let sent = 0;
    const endless = (_request: unknown, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // Stop after 64 MiB whatever happens, so a failing test cannot run forever.
        while (sent < 64 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
        if (sent >= 64 * 1024 * 1024) response.end();
        else response.once('drain', pump);
      };
      pump();
    };
    server = await startHttpServer({ '/big': endless, '/ok': json({ version: '1.2.3' }) });
    const config: ConfigInput = {
      name: 'Acme',
      environments: [{ name: 'dev' }, { name: 'prod', production: true }],
      sources: { runtime: { type: 'http' } as never },
      services: [{ name: 'api', sources: ['runtime'], versionUrl: { dev: server.url('/ok'), prod: server.url('/big') } }],
    };
    const evidence = await collectHttp(sourceContext<HttpSourceConfig>(config, 'runtime'));
    expect(evidence.observed.map((o) => `${o.environment}:${o.version}`)).toEqual(['dev:1.2.3']);
    expect(evidence.gaps.map((g) => `${g.environment}: ${g.reason}`)).toEqual([`prod: GET ${server.url('/big')}: body larger than 1048576 bytes; not a version endpoint`]);
    // The reader cancelled the body: far less than the 64 MiB the server was ready to send went out.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });
});
