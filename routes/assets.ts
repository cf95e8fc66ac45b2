import { Hono } from "hono";
import { NotFoundError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";
import { acceptedEncodings, etagMatches } from "./page_cache.ts";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

/** Built assets that scripts/build.ts also writes as `.br` and `.gz`. */
const PRECOMPRESSED = /\.(?:js|css)$/;

// Bounded by the files on disk: only names that exist are kept.
const cache = new Map<string, Uint8Array<ArrayBuffer> | null>();

async function readFile(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  if (cache.has(path)) return cache.get(path)!;
  let bytes: Uint8Array<ArrayBuffer> | null;
  try {
    bytes = await Deno.readFile(new URL(`../${path}`, import.meta.url));
  } catch {
    bytes = null;
  }
  if (bytes) cache.set(path, bytes);
  return bytes;
}

function checkName(name: string): void {
  // One path segment of safe characters: nothing can climb out of the folder.
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith(".")) {
    throw new NotFoundError();
  }
}

async function readAsset(
  dir: string,
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  checkName(name);
  const bytes = await readFile(`${dir}/${name}`);
  if (!bytes) throw new NotFoundError();
  return bytes;
}

function contentType(name: string): string {
  return TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
}

function serve(
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
  cacheControl: string,
): Response {
  return new Response(bytes, {
    headers: {
      "Content-Type": contentType(name),
      "Cache-Control": cacheControl,
    },
  });
}

const IMMUTABLE = "public, max-age=31536000, immutable";

/** /assets: built island chunks and the stylesheet; content-hashed names, so cached forever. */
export const assets = new Hono<AppEnv>();

assets.get("/:file", async (c) => {
  const name = c.req.param("file");
  checkName(name);
  if (!PRECOMPRESSED.test(name)) {
    return serve(await readAsset("static/build", name), name, IMMUTABLE);
  }
  const identity = await readAsset("static/build", name);
  const accepted = acceptedEncodings(c.req.header("accept-encoding"));
  // The copies sit next to the file; a build without them still serves it plain.
  let body = identity;
  let encoding: "br" | "gzip" | null = null;
  for (const [coding, suffix] of [["br", "br"], ["gzip", "gz"]] as const) {
    if (!accepted.has(coding)) continue;
    const copy = await readFile(`static/build/${name}.${suffix}`);
    if (copy) {
      body = copy;
      encoding = coding;
      break;
    }
  }
  // The name carries the content hash; the coding tells the variants apart.
  const etag = `"${name}${encoding ? `.${encoding}` : ""}"`;
  const headers = new Headers({
    "Content-Type": contentType(name),
    "Cache-Control": IMMUTABLE,
    "Vary": "Accept-Encoding",
    "ETag": etag,
  });
  if (encoding) headers.set("Content-Encoding", encoding);
  if (etagMatches(c.req.header("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("Content-Length", String(body.byteLength));
  return new Response(c.req.method === "HEAD" ? null : body, { headers });
});

/** /static: images and the favicon, as they are in the repository. */
export const staticFiles = new Hono<AppEnv>();

staticFiles.get("/:file", async (c) => {
  const name = c.req.param("file");
  return serve(await readAsset("static", name), name, "public, max-age=3600");
});
