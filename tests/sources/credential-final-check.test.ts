/**
 * The final check is wired into the write paths: `collect` and `collect
 * --shard` refuse to write a snapshot or shard that still holds a credential
 * the run was given, with one line naming the file and the field (never the
 * credential), and write nothing. Sources' evidence is scrubbed before it
 * gets there, so the credential is planted where no source puts it: in the
 * config's own `name`, which the snapshot copies.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, collectShard } from '../../src/collect/collect.ts';
import { LedgerWriteError } from '../../src/errors.ts';
import { loadConfig } from '../../src/model/load-config.ts';
import { baseInventory, useTempRoot, writeWorld } from '../reliability/world.ts';

const SECRET = 'hdr_Fin4lCheckSecretValue0123456789';
const tempRoot = useTempRoot('final-check');
const AT = new Date('2026-03-14T02:00:00Z');

async function world() {
  const dir = await tempRoot();
  const services = ['svc-a', 'svc-b'];
  const file = await writeWorld(dir, {
    services,
    inventory: baseInventory(services),
    // An http source whose header value comes from API_KEY: that value is a credential of this run.
    sources: { api: { type: 'http', headersEnv: { authorization: 'API_KEY' } } },
    extra: { name: `Acme ${Buffer.from(`robot:${SECRET}`).toString('base64')}` },
  });
  return { dir, loaded: await loadConfig(file) };
}

const files = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

describe('the final credential check before a snapshot or shard is written', () => {
  it('collect refuses the snapshot: one line naming the file and the field, nothing written', async () => {
    const { dir, loaded } = await world();
    const error = await collect({ loaded, at: AT, env: { API_KEY: `Bearer ${SECRET}` } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerWriteError);
    expect((error as LedgerWriteError).exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).toBe(`refusing to write ${path.join(loaded.snapshotsDir, '2026-03-14T020000Z.json')}: config.name holds a credential this run was given (in some encoding); nothing was written`.replace('config.name', 'name'));
    expect(message).not.toContain(SECRET);
    expect((await files(dir)).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('collect --shard refuses the shard the same way', async () => {
    // A shard holds the sources' scrubbed evidence, not the config's name; a source named like the credential is copied into it as is.
    const dir = await tempRoot();
    const services = ['svc-a', 'svc-b'];
    const file = await writeWorld(dir, { services, inventory: baseInventory(services), sources: { [SECRET]: { type: 'http', headersEnv: { authorization: 'API_KEY' } } } });
    const loaded = await loadConfig(file);
    const error = await collectShard({ loaded, at: AT, env: { API_KEY: `Bearer ${SECRET}` }, shard: { index: 1, count: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerWriteError);
    expect((error as Error).message).toMatch(/^refusing to write \S+\/1-of-1\.json: outcomes\[\d\]\.name holds a credential this run was given \(in some encoding\); nothing was written$/);
    expect((error as Error).message).not.toContain(SECRET);
    expect((await files(dir)).filter((f) => f.includes('shard'))).toEqual([]);
  });

  it('without that credential in the environment the same config is written', async () => {
    const { loaded } = await world();
    const result = await collect({ loaded, at: AT, env: { API_KEY: 'Bearer another-value-entirely' } });
    expect(result.file.endsWith('2026-03-14T020000Z.json')).toBe(true);
  });
});
