/**
 * Files in KV (DESIGN §5): fixed-size chunks under a manifest written last,
 * so a file exists only once all of it does.
 *
 * An upload that dies half-way (a crash, a failed commit, a lost instance)
 * would leave chunks that no manifest points at, and nothing would ever read
 * or delete them. So every write starts with a pending marker
 * (`["uploads_pending", id]`), in an atomic that also schedules a cleanup
 * sweep; each chunk commit checks the marker, and the manifest's atomic
 * deletes it. A marker older than an hour therefore means a failed upload:
 * the sweep (`FILE_CLEANUP_JOB`) deletes its chunks, then the marker.
 * Deleting a file goes the same way: the manifest goes with a marker in
 * place, so a crash mid-delete is finished by the sweep.
 */
import { keys } from "../db/keys.ts";
import { newId } from "../ids.ts";
import { addJob, getJob } from "../jobs/outbox.ts";
import { FILE_CLEANUP_JOB } from "../job_names.ts";

/** KV values are capped at 64 KiB; chunks stay under it with room for the key. */
const CHUNK_BYTES = 60_000;
/** An atomic may carry at most 800 KiB, so chunks are written a dozen at a time. */
const CHUNKS_PER_COMMIT = 12;
/** Deletes per atomic, well inside KV's 1,000 mutations. */
const DELETES_PER_COMMIT = 500;

/** An upload still without its manifest after this long has failed. */
export const ORPHAN_AFTER_MS = 60 * 60_000;
/** A write of a caller-chosen id this old has died: another may take over. */
const STUCK_AFTER_MS = 5 * 60_000;

// Belongs with the other key builders in lib/db/keys.ts; spelled here only
// until that file is free to change (nothing else reads these keys).
const pendingUploadKey = keys.pendingUpload;
const pendingUploadsPrefix = keys.pendingUploadsPrefix;

export interface StoredFile {
  v: 1;
  id: string;
  contentType: string;
  size: number;
  chunks: number;
  createdAt: string;
  /** The user the file belongs to (a host id for kitchen photos). */
  owner?: string;
  /** What the file is, e.g. "kitchen-photo". */
  purpose?: string;
}

/** A write or delete in progress; see the module comment. */
interface PendingUpload {
  id: string;
  /** Epoch ms the write started; 0 for a delete, which is due at once. */
  createdAt: number;
  /** Set once the sweep has started removing the chunks. */
  removing?: boolean;
}

/**
 * The sweep that covers a marker made at `now`: one job per hour, named by
 * the hour it runs in, so every upload in an hour shares it and it runs at
 * least ORPHAN_AFTER_MS after any of them.
 */
function sweepFor(now: number): { id: string; runAt: number } {
  const hour = Math.floor(now / ORPHAN_AFTER_MS) + 2;
  return { id: `${FILE_CLEANUP_JOB}:${hour}`, runAt: hour * ORPHAN_AFTER_MS };
}

/**
 * Writes a pending marker for `id`, plus whatever `also` adds, in one atomic
 * that also schedules the covering sweep unless it is already scheduled.
 * Returns the marker's versionstamp.
 */
async function markPending(
  kv: Deno.Kv,
  marker: PendingUpload,
  now: number,
  also: (atomic: Deno.AtomicOperation) => void = () => {},
): Promise<string> {
  const sweep = sweepFor(now);
  for (let attempt = 0; attempt < 500; attempt++) {
    const scheduled = (await getJob(kv, sweep.id)) !== null;
    const key = pendingUploadKey(marker.id);
    const held = await kv.get<PendingUpload>(key);
    // A write of the same id that died minutes ago must not block this one
    // for the hour until the sweep (the seed reuses its ids after a crash).
    const stale = held.value !== null && held.value.createdAt > 0 &&
      !held.value.removing && held.value.createdAt + STUCK_AFTER_MS <= now;
    const atomic = kv.atomic()
      .check(stale ? held : { key, versionstamp: null })
      .set(key, marker);
    also(atomic);
    if (!scheduled) {
      addJob(atomic, {
        id: sweep.id,
        type: FILE_CLEANUP_JOB,
        payload: {},
        runAt: sweep.runAt,
      }, { now, wake: false });
    }
    const res = await atomic.commit();
    if (res.ok) return res.versionstamp;
    // Either another upload scheduled the sweep meanwhile (try again without
    // it), or this id is being written or deleted right now (a caller-chosen
    // id, as the seed's): wait for that to finish, then go on.
    if ((await kv.get(key)).versionstamp !== null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`File ${marker.id} stayed busy; could not write it`);
}

/**
 * Stores bytes as chunks, then the manifest: until the manifest commits the
 * file does not exist, so a crash mid-upload leaves nothing readable, and
 * the cleanup sweep removes its chunks. `owner` and `purpose` are recorded
 * in the manifest.
 */
export async function putFile(
  kv: Deno.Kv,
  file: NewFile,
  opts: { now?: number } = {},
): Promise<StoredFile> {
  const staged = await stageFile(kv, file, opts);
  const atomic = kv.atomic();
  addStagedFile(atomic, staged);
  const res = await atomic.commit();
  if (!res.ok) throw new Error(`Could not store file ${staged.manifest.id}`);
  return staged.manifest;
}

export interface NewFile {
  bytes: Uint8Array;
  contentType: string;
  id?: string;
  owner?: string;
  purpose?: string;
}

/** A file whose chunks are written and whose manifest waits for the atomic that needs it. */
export interface StagedFile {
  readonly manifest: StoredFile;
  /** The pending marker as written; the manifest's atomic checks it. */
  readonly marker: { key: Deno.KvKey; versionstamp: string };
}

/**
 * Writes a file's chunks under a pending marker and returns its manifest
 * unwritten, for the caller to commit with whatever the file belongs to
 * (`addStagedFile`): the file then exists exactly when that record does.
 * If the caller never commits, the file never exists and the cleanup sweep
 * removes its chunks (or `discardStagedFile` does at once).
 */
export async function stageFile(
  kv: Deno.Kv,
  file: NewFile,
  opts: { now?: number } = {},
): Promise<StagedFile> {
  const id = file.id ?? newId();
  const now = opts.now ?? Date.now();
  const marker = {
    key: pendingUploadKey(id),
    versionstamp: await markPending(kv, { id, createdAt: now }, now),
  };
  const chunks = Math.max(1, Math.ceil(file.bytes.length / CHUNK_BYTES));
  for (let first = 0; first < chunks; first += CHUNKS_PER_COMMIT) {
    // The check stops a write the sweep has already given up on.
    const atomic = kv.atomic().check(marker);
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
    createdAt: new Date(now).toISOString(),
    ...(file.owner ? { owner: file.owner } : {}),
    ...(file.purpose ? { purpose: file.purpose } : {}),
  };
  return { manifest, marker };
}

/**
 * Adds a staged file's manifest to `atomic` (one check, two mutations):
 * it commits only while the marker is as written, i.e. no sweep has
 * started removing the chunks.
 */
export function addStagedFile(
  atomic: Deno.AtomicOperation,
  staged: StagedFile,
): void {
  atomic
    .check(staged.marker)
    .set(keys.file(staged.manifest.id), staged.manifest)
    .delete(staged.marker.key);
}

/** Removes a staged file's chunks now, when what it was for was refused. */
export async function discardStagedFile(
  kv: Deno.Kv,
  staged: StagedFile,
): Promise<void> {
  if ((await kv.get(keys.file(staged.manifest.id))).versionstamp !== null) {
    return;
  }
  await removePending(kv, staged.manifest.id);
}

/** A file's manifest (type, size, owner, purpose) without its bytes; null when there is none. */
export async function getFileMeta(
  kv: Deno.Kv,
  id: string,
): Promise<StoredFile | null> {
  return (await kv.get<StoredFile>(keys.file(id))).value;
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

/**
 * Deletes a file: the manifest goes first (with a marker in its place, in
 * one atomic), then the chunks, then the marker. With `owner`, only a file
 * recorded as that owner's is deleted. Returns false when nothing was.
 */
export async function deleteFile(
  kv: Deno.Kv,
  id: string,
  opts: { now?: number; owner?: string } = {},
): Promise<boolean> {
  const now = opts.now ?? Date.now();
  const manifest = await kv.get<StoredFile>(keys.file(id));
  if (!manifest.value) return false;
  if (opts.owner !== undefined && manifest.value.owner !== opts.owner) {
    return false;
  }
  await markPending(
    kv,
    { id, createdAt: 0 },
    now,
    (atomic) => atomic.delete(manifest.key),
  );
  await removePending(kv, id);
  return true;
}

/** Deletes every chunk of `id` and then its marker; safe to repeat. */
async function removePending(kv: Deno.Kv, id: string): Promise<void> {
  const entry = await kv.get<PendingUpload>(pendingUploadKey(id));
  if (!entry.value) return;
  // A new versionstamp on the marker fails any chunk or manifest commit of
  // a write still in flight, so nothing lands after the chunks are gone.
  const claimed = await kv.atomic()
    .check(entry)
    .set(entry.key, { ...entry.value, removing: true })
    .commit();
  if (!claimed.ok) return; // finished or claimed meanwhile
  let batch: Deno.KvKey[] = [];
  const flush = async () => {
    const atomic = kv.atomic();
    for (const key of batch) atomic.delete(key);
    await atomic.commit();
    batch = [];
  };
  for await (
    const e of kv.list({ prefix: keys.fileChunksPrefix(id) })
  ) {
    batch.push(e.key);
    if (batch.length >= DELETES_PER_COMMIT) await flush();
  }
  if (batch.length > 0) await flush();
  await kv.atomic()
    .check({ key: entry.key, versionstamp: claimed.versionstamp })
    .delete(entry.key)
    .commit();
}

/**
 * The cleanup job: removes the chunks of every upload that started at least
 * ORPHAN_AFTER_MS before `now` and never got its manifest, and finishes
 * interrupted deletes. A marker whose file has a manifest (an overwrite that
 * died) only loses the marker. Returns how many were cleaned up.
 */
export async function sweepOrphanedUploads(
  kv: Deno.Kv,
  now: number,
): Promise<number> {
  const stale: string[] = [];
  for await (
    const e of kv.list<PendingUpload>({ prefix: pendingUploadsPrefix() })
  ) {
    if (e.value.createdAt + ORPHAN_AFTER_MS <= now) stale.push(e.value.id);
  }
  for (const id of stale) {
    const manifest = await kv.get(keys.file(id));
    if (manifest.versionstamp !== null) {
      const marker = await kv.get(pendingUploadKey(id));
      await kv.atomic().check(marker).check(manifest).delete(marker.key)
        .commit();
      continue;
    }
    await removePending(kv, id);
  }
  return stale.length;
}

/** Files anyone may fetch by id: images that are kitchen photos (or demo art, which has no purpose). */
const PUBLIC_PURPOSES = new Set([undefined, "kitchen-photo"]);

/**
 * A stored image that is public, or null. Private uploads (compliance
 * documents) are never served here, even when they are images and their id
 * leaks: they go through their own route, to their owner and staff only.
 */
export async function getPublicImage(
  kv: Deno.Kv,
  id: string,
): Promise<Awaited<ReturnType<typeof getFile>>> {
  const file = await getFile(kv, id);
  if (
    !file || !file.meta.contentType.startsWith("image/") ||
    !PUBLIC_PURPOSES.has(file.meta.purpose)
  ) return null;
  return file;
}
