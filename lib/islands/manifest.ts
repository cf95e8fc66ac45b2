/** Written by scripts/build.ts; every value is a URL path under /assets/. */
export interface AssetManifest {
  /** computeInputsHash() at build time, so `--if-stale` can skip unchanged builds. */
  inputsHash: string;
  css: string;
  /** Leaflet's stylesheet, linked only by pages with a map. */
  mapCss?: string;
  boot: string;
  /** Chunks the boot module imports statically (so they can be preloaded with it). */
  bootImports?: string[];
  /** Per island: its entry module and every chunk it imports, transitively. */
  islands: Record<string, { entry: string; imports: string[] }>;
}

export const DEFAULT_BUILD_DIR = "static/build";
export const INPUT_DIRS = ["islands", "components", "routes", "lib"];

export async function loadManifest(
  dir = DEFAULT_BUILD_DIR,
): Promise<AssetManifest> {
  const path = `${dir}/manifest.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `Asset manifest ${path} not found: run \`deno task build\` first.`,
      );
    }
    throw err;
  }
  return JSON.parse(text) as AssetManifest;
}

/** Recursively lists .ts/.tsx files under dir, sorted; a missing dir yields nothing. */
export async function listSourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && /\.tsx?$/.test(e.name)) out.push(p);
    }
  }
  await walk(dir.replace(/\/+$/, ""));
  return out.sort();
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Fingerprint of everything that can change the built assets: sources under islands/,
 * components/, routes/, lib/ (paths relative to the cwd) plus deno.json (pinned versions)
 * and scripts/build.ts.
 */
export async function computeInputsHash(
  dirs: string[] = INPUT_DIRS,
): Promise<string> {
  const files: string[] = [];
  for (const dir of dirs) files.push(...await listSourceFiles(dir));
  // The build script too: a change in what it writes must rebuild.
  files.push("deno.json", "scripts/build.ts");
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    let content: Uint8Array;
    try {
      content = await Deno.readFile(file);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    // Length-prefixing keeps "a"+"bc" and "ab"+"c" from colliding.
    parts.push(encoder.encode(`${file}\0${content.length}\0`), content);
  }
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    total.set(p, offset);
    offset += p.length;
  }
  return await sha256Hex(total);
}
