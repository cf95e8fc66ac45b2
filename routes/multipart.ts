/**
 * Multipart bodies (uploads) read into one buffer, their files left in it.
 *
 * Why: `Request.formData()` keeps the body's chunks, joins them, copies each
 * file out of that into a Blob, and `arrayBuffer()` copies it once more;
 * with what V8 and the allocator keep until they collect, a 9.6 MB upload
 * took a server 68–73 MiB past where it was, over the 64 MiB that reading a
 * PDF bomb may cost (issue 15). Here the body (no longer than its
 * Content-Length, which routes/limits.ts has already held to the route's
 * limit) is copied once into one buffer and split where it lies, so each
 * file is a view of that buffer.
 *
 * Why not a library: the one tried (@remix-run/multipart-parser) searches
 * for the boundary, under Deno, in time that grows with the body times the
 * boundary, and the sender picks both: a 4,000-character boundary over 200
 * KB took 3.3 s. Here a boundary is at most RFC 2046's 70 characters, none
 * of them CR or LF, and the search goes from CR to CR, comparing at most
 * the bytes that follow each: linear in the body, whatever it holds.
 */
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

/** RFC 2046's boundary: 1 to 70 of these, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const BOUNDARY_PARAM = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/** A part's header block past this is no browser's. */
const MAX_HEADER_BYTES = 8 * 1024;

/** The multipart/form-data boundary of a Content-Type, or null if it has none fit to use. */
export function boundaryOf(contentType: string): string | null {
  const m = BOUNDARY_PARAM.exec(contentType);
  const boundary = m ? m[1] ?? m[2] : "";
  return BOUNDARY.test(boundary) ? boundary : null;
}

/**
 * The fields of a multipart/form-data request, in the order sent, as
 * FormData would give them (a part with a filename is a file), or null
 * when the body is not one that can be read.
 */
export async function readMultipart(
  req: Request,
): Promise<[string, string | File][] | null> {
  const boundary = boundaryOf(req.headers.get("content-type") ?? "");
  if (!boundary || !req.body) return null;
  const body = await readBody(req).catch(() => null);
  const parts = body && splitMultipart(body, boundary);
  if (!parts) return null;
  const text = new TextDecoder("utf-8", { ignoreBOM: true });
  const fields: [string, string | File][] = [];
  for (const part of parts) {
    const { name, filename } = dispositionOf(part.disposition);
    if (name === undefined) continue;
    fields.push([
      name,
      filename === undefined
        ? text.decode(part.content)
        : new UploadedFile(part.content, filename, part.type),
    ]);
  }
  return fields;
}

export interface RawPart {
  /** The Content-Disposition header's value ("" without one). */
  disposition: string;
  /** The Content-Type header's value ("" without one). */
  type: string;
  /** A view of the body. */
  content: Uint8Array<ArrayBuffer>;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The parts of a multipart body with this boundary, their contents views of
 * `body`, or null when it is not one (no closing delimiter, a header block
 * past MAX_HEADER_BYTES or not UTF-8, more than MAX_PARTS parts). A preamble
 * before the first delimiter and an epilogue after the last are ignored.
 */
export function splitMultipart(
  body: Uint8Array<ArrayBuffer>,
  boundary: string,
): RawPart[] | null {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const startsAt = (at: number) => {
    let j = 0;
    while (j < delimiter.length && body[at + j] === delimiter[j]) j++;
    return j === delimiter.length;
  };
  // The next CRLF followed by the delimiter at or after `from`: the CR's index.
  const nextDelimiter = (from: number) => {
    for (
      let i = body.indexOf(CR, from);
      i !== -1;
      i = body.indexOf(CR, i + 1)
    ) {
      if (body[i + 1] === LF && startsAt(i + 2)) return i;
    }
    return -1;
  };
  let at: number;
  if (startsAt(0)) at = delimiter.length;
  else {
    const first = nextDelimiter(0);
    if (first === -1) return null;
    at = first + 2 + delimiter.length;
  }
  const parts: RawPart[] = [];
  for (;;) {
    if (body[at] === DASH && body[at + 1] === DASH) return parts;
    // Transport padding, then the line's CRLF.
    while (body[at] === 32 || body[at] === 9) at++;
    if (body[at] !== CR || body[at + 1] !== LF) return null;
    at += 2;
    // The header block ends at an empty line: CRLF CRLF, counting the one just passed.
    const headerEnd = headerBlockEnd(body, at - 2);
    if (headerEnd === -1) return null;
    let headers: string;
    try {
      headers = fatalUtf8.decode(body.subarray(at, Math.max(at, headerEnd)));
    } catch {
      return null;
    }
    const contentStart = headerEnd + 4;
    const next = nextDelimiter(contentStart);
    if (next === -1 || parts.length === MAX_PARTS) return null;
    parts.push({
      disposition: headerValue(headers, "content-disposition"),
      type: headerValue(headers, "content-type"),
      content: body.subarray(contentStart, next),
    });
    at = next + 2 + delimiter.length;
  }
}

/** Where the CRLF CRLF ending a header block starts, looking no further than MAX_HEADER_BYTES. */
function headerBlockEnd(body: Uint8Array, from: number): number {
  const last = Math.min(body.length - 4, from + MAX_HEADER_BYTES);
  for (
    let i = body.indexOf(CR, from);
    i !== -1 && i <= last;
    i = body.indexOf(CR, i + 1)
  ) {
    if (body[i + 1] === LF && body[i + 2] === CR && body[i + 3] === LF) {
      return i;
    }
  }
  return -1;
}

/** The first value of a header in a part's header block (names in any case), trimmed. */
function headerValue(block: string, name: string): string {
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return line.slice(colon + 1).trim();
    }
  }
  return "";
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
