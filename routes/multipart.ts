/**
 * Multipart bodies (uploads) read into one buffer, their files left in it.
 *
 * Why: `Request.formData()` keeps the body's chunks, joins them, copies each
 * file out of that into a Blob, and `arrayBuffer()` copies it once more;
 * with what V8 and the allocator keep until they collect, a 9.6 MB upload
 * took a server 68–73 MiB past where it was, over the 64 MiB that reading a
 * PDF bomb may cost (issue 15). Here the body (no longer than its
 * Content-Length, which routes/limits.ts has already held to the route's
 * limit) is copied once into one buffer, and @remix-run/multipart-parser
 * splits it without copying, so each file is a view of that buffer.
 */
import {
  getMultipartBoundary,
  MultipartParseError,
  parseMultipart,
} from "@remix-run/multipart-parser";
import { readAll } from "../lib/bytes.ts";

/** More parts than any of our forms has fields, repeats included. */
const MAX_PARTS = 1_000;

/**
 * A file part of a multipart body. Its bytes are a view of the buffer the
 * body was read into; `view()` hands them over without a copy, and every
 * Blob method reads them. Only Deno's own Blob code (a Blob or FormData
 * made from it, or posting it to a worker) would see an empty file: pass
 * its bytes instead.
 */
export class UploadedFile extends File {
  readonly #bytes: Uint8Array<ArrayBuffer>;

  constructor(bytes: Uint8Array<ArrayBuffer>, name: string, type: string) {
    super([], name, { type });
    this.#bytes = bytes;
  }

  /** The file's bytes, shared, not copied: read them, never write them. */
  view(): Uint8Array<ArrayBuffer> {
    return this.#bytes;
  }

  override get size(): number {
    return this.#bytes.length;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.#bytes.slice().buffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(this.#bytes.slice());
  }

  override text(): Promise<string> {
    return Promise.resolve(new TextDecoder().decode(this.#bytes));
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const bytes = this.#bytes;
    return new ReadableStream({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes.slice());
        controller.close();
      },
    });
  }

  override slice(start?: number, end?: number, type?: string): Blob {
    return new Blob([this.#bytes.slice(start, end)], { type: type ?? "" });
  }
}

/** A file's bytes: without a copy for an UploadedFile. */
export async function fileBytes(file: File): Promise<Uint8Array<ArrayBuffer>> {
  return file instanceof UploadedFile
    ? file.view()
    : new Uint8Array(await file.arrayBuffer());
}

export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(
    req.headers.get("content-type") ?? "",
  );
}

/**
 * The fields of a multipart/form-data request, in the order sent, as
 * FormData would give them (a part with a filename is a file), or null
 * when the body is not one that can be read.
 */
export async function readMultipart(
  req: Request,
): Promise<[string, string | File][] | null> {
  const boundary = getMultipartBoundary(req.headers.get("content-type") ?? "");
  if (!boundary || !req.body) return null;
  const body = await readBody(req).catch(() => null);
  if (!body) return null;
  // Even a form without fields sends its closing boundary.
  if (body.length === 0) return null;
  const text = new TextDecoder();
  const fields: [string, string | File][] = [];
  try {
    const options = {
      boundary,
      maxFileSize: body.length,
      maxTotalSize: body.length,
      maxParts: MAX_PARTS,
    };
    for (const part of parseMultipart(body, options)) {
      const { name, filename } = dispositionOf(
        part.headers["content-disposition"] ?? "",
      );
      if (name === undefined) continue;
      const bytes = (part.content.length === 1
        ? part.content[0]
        : part.bytes) as Uint8Array<ArrayBuffer>;
      fields.push([
        name,
        filename === undefined
          ? text.decode(bytes)
          : new UploadedFile(bytes, filename, part.mediaType ?? ""),
      ]);
    }
  } catch (err) {
    // Malformed framing, or part headers that are not UTF-8 (the parser
    // decodes them strictly): a body no browser sends.
    if (err instanceof MultipartParseError || err instanceof TypeError) {
      return null;
    }
    throw err;
  }
  return fields;
}

const DISPOSITION_PARAM = /;\s*(name|filename)\s*=\s*(?:"([^"]*)"|([^;\s]*))/gi;
const ESCAPED: Record<string, string> = {
  "%0A": "\n",
  "%0D": "\r",
  "%22": '"',
};

/**
 * A part's field name and file name, read as browsers write them (HTML's
 * multipart/form-data encoding): quoted, with `"`, CR and LF written as
 * %22, %0D and %0A, and backslashes as they are, so `C:\Users\…` keeps its
 * separators for the name cleaning downstream. A generic MIME parser would
 * take each backslash for an escape.
 */
export function dispositionOf(
  header: string,
): { name?: string; filename?: string } {
  const out: { name?: string; filename?: string } = {};
  for (const m of header.matchAll(DISPOSITION_PARAM)) {
    const key = m[1].toLowerCase() as "name" | "filename";
    out[key] ??= (m[2] ?? m[3]).replace(
      /%0A|%0D|%22/gi,
      (e) => ESCAPED[e.toUpperCase()],
    );
  }
  return out;
}

/**
 * The whole body in one buffer (lib/bytes.ts: memory follows what a client
 * sends, never what it declares; one that declares 10 MB and sends nothing
 * costs nothing), or null past its Content-Length.
 */
async function readBody(req: Request): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const cap = Number.isSafeInteger(declared) && declared >= 0
    ? declared
    : Infinity;
  return await readAll(req.body!, cap);
}
