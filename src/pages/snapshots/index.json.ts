/** `/snapshots/index.json`: every snapshot with both hashes, oldest first (views/snapshots.ts); rendered on every build, like `/changes/index.json`. */
import type { APIRoute } from 'astro';
import { snapshotCopies, snapshotListing } from '../../site/data.ts';
import { href } from '../../site/url.ts';
import { snapshotsIndexJson } from '../../views/snapshots.ts';

export const GET: APIRoute = async () => new Response(snapshotsIndexJson(await snapshotListing(), snapshotCopies, href), { headers: { 'content-type': 'application/json' } });
