import { Hono } from "hono";
import { NotFoundError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

const cache = new Map<string, Uint8Array<ArrayBuffer>>();

async function readAsset(
  dir: string,
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  // One path segment of safe characters: nothing can climb out of the folder.
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith(".")) {
    throw new NotFoundError();
  }
  const path = `${dir}/${name}`;
  let bytes = cache.get(path);
  if (!bytes) {
    try {
      bytes = await Deno.readFile(new URL(`../${path}`, import.meta.url));
    } catch {
      throw new NotFoundError();
    }
    cache.set(path, bytes);
  }
  return bytes;
}

function serve(
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
  cacheControl: string,
): Response {
  return new Response(bytes, {
    headers: {
      "Content-Type": TYPES[name.split(".").pop() ?? ""] ??
        "application/octet-stream",
      "Cache-Control": cacheControl,
    },
  });
}

/** /assets: built island chunks and the stylesheet; content-hashed names, so cached forever. */
export const assets = new Hono<AppEnv>();

assets.get("/:file", async (c) => {
  const name = c.req.param("file");
  return serve(
    await readAsset("static/build", name),
    name,
    "public, max-age=31536000, immutable",
  );
});

/** /static: images and the favicon, as they are in the repository. */
export const staticFiles = new Hono<AppEnv>();

staticFiles.get("/:file", async (c) => {
  const name = c.req.param("file");
  return serve(await readAsset("static", name), name, "public, max-age=3600");
});
