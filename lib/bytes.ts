/** Bytes read from streams, within a cap. */

/**
 * Everything `stream` sends, in one buffer, or null as soon as it passes
 * `maxBytes` (the stream is then cancelled). The chunks are kept as they
 * arrive and copied once: memory follows what was sent, and peaks at twice
 * it, briefly.
 */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
