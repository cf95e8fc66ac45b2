import { keys } from "../db/keys.ts";
import { newId } from "../ids.ts";

/** KV values are capped at 64 KiB; chunks stay under it with room for the key. */
const CHUNK_BYTES = 60_000;
/** An atomic may carry at most 800 KiB, so chunks are written a dozen at a time. */
const CHUNKS_PER_COMMIT = 12;

export interface StoredFile {
  v: 1;
  id: string;
  contentType: string;
  size: number;
  chunks: number;
  createdAt: string;
}

/**
 * Stores bytes as chunks, then the manifest: until the manifest commits the
 * file does not exist, so a crash mid-upload leaves nothing readable.
 */
export async function putFile(
  kv: Deno.Kv,
  file: { bytes: Uint8Array; contentType: string; id?: string },
): Promise<StoredFile> {
  const id = file.id ?? newId();
  const chunks = Math.max(1, Math.ceil(file.bytes.length / CHUNK_BYTES));
  for (let first = 0; first < chunks; first += CHUNKS_PER_COMMIT) {
    const atomic = kv.atomic();
    for (let n = first; n < Math.min(chunks, first + CHUNKS_PER_COMMIT); n++) {
      atomic.set(
        keys.fileChunk(id, n),
        file.bytes.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES),
      );
    }
    const res = await atomic.commit();
    if (!res.ok) throw new Error(`Could not store chunks of file ${id}`);
  }
  const manifest: StoredFile = {
    v: 1,
    id,
    contentType: file.contentType,
    size: file.bytes.length,
    chunks,
    createdAt: new Date().toISOString(),
  };
  const res = await kv.atomic().set(keys.file(id), manifest).commit();
  if (!res.ok) throw new Error(`Could not store file ${id}`);
  return manifest;
}

export async function getFile(
  kv: Deno.Kv,
  id: string,
): Promise<{ meta: StoredFile; bytes: Uint8Array<ArrayBuffer> } | null> {
  const meta = (await kv.get<StoredFile>(keys.file(id))).value;
  if (!meta) return null;
  const bytes = new Uint8Array(meta.size);
  let offset = 0;
  for await (
    const e of kv.list<Uint8Array>({ prefix: keys.fileChunksPrefix(id) })
  ) {
    bytes.set(e.value, offset);
    offset += e.value.length;
  }
  if (offset !== meta.size) return null;
  return { meta, bytes };
}
