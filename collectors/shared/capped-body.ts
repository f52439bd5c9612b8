/**
 * An HTTP answer's body read whole, but never past a cap: the reading stops
 * (and the stream is cancelled) as soon as the bytes pass it, so an oversized
 * answer costs at most the cap in memory (docs/guarantees.md, "Bounded input").
 * Shared by the http source and the GitHub client's fetch.
 */
export async function readBodyCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<ReturnType<typeof Buffer.concat> | null> {
  if (!body) return Buffer.concat([]);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
