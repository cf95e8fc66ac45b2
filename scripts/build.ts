// Builds browser assets: island bundles (code-split, content-hashed), the stylesheet and
// static/build/manifest.json. `deno run -A scripts/build.ts [--if-stale]`.
import {
  DEFAULT_STYLE_DIRS,
  generateStylesheet,
} from "../lib/assets/styles.ts";
import { islandNameOf } from "../lib/islands/define.ts";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import {
  type AssetManifest,
  computeInputsHash,
  DEFAULT_BUILD_DIR,
  sha256Hex,
} from "../lib/islands/manifest.ts";

export interface BuildOptions {
  islandsDir?: string;
  outDir?: string;
  /** Directories scanned for class names; defaults to components/islands/routes/lib + islandsDir. */
  contentDirs?: string[];
}

export interface BuildResult {
  manifest: AssetManifest;
  /** Output file name → size in bytes. */
  files: Record<string, number>;
  /** Output file name → sizes of its precompressed copies. */
  compressed: Record<string, { br: number; gz: number }>;
}

/**
 * Writes `<file>.br` and `<file>.gz` next to each asset: compressed once at
 * the highest levels here, so routes/assets.ts only picks a file per request.
 */
export async function writeCompressedCopies(
  outDir: string,
  names: string[],
): Promise<Record<string, { br: number; gz: number }>> {
  const out: Record<string, { br: number; gz: number }> = {};
  for (const name of names) {
    const bytes = await Deno.readFile(`${outDir}/${name}`);
    const br = brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    });
    const gz = gzipSync(bytes, { level: 9 });
    // A copy no smaller than the file (a tiny chunk) is left out: served as is.
    if (br.byteLength < bytes.byteLength) {
      await Deno.writeFile(`${outDir}/${name}.br`, new Uint8Array(br));
    }
    if (gz.byteLength < bytes.byteLength) {
      await Deno.writeFile(`${outDir}/${name}.gz`, new Uint8Array(gz));
    }
    out[name] = {
      br: Math.min(br.byteLength, bytes.byteLength),
      gz: Math.min(gz.byteLength, bytes.byteLength),
    };
  }
  return out;
}

const ASSET_PREFIX = "/assets/";
const BOOT_ENTRY = "lib/islands/boot.ts";
const CLIENT_CONFIG = ".build/deno.client.json";
// Relative references to the bundler's top-level files, in minified form:
// shared chunks (from"../chunk-X.js", import"./…") and the chunks of dynamic
// imports (import("../map_client-X.js")), which are named after their module.
const CHUNK_REF = /(["'])(?:\.\.?\/)+([A-Za-z0-9_]+-[A-Z0-9]{8}\.js)\1/g;
// Static imports only: a dynamic import( is fetched when it runs, not preloaded.
const STATIC_IMPORT =
  /(?:\bfrom|\bimport)\s*(["'])\.\/([A-Za-z0-9_]+-[A-Z0-9]{8}\.js)\1/g;

function abs(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

function commonDir(paths: string[]): string {
  const split = paths.map((p) => p.split("/").slice(0, -1));
  const first = split[0];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/") || "/";
}

async function writeClientConfig(): Promise<string> {
  // The server compiles JSX with "precompile" (jsxTemplate), which Preact's DOM renderer
  // cannot hydrate, so the browser bundle gets its own config with the same import map.
  const denoJson = JSON.parse(await Deno.readTextFile("deno.json"));
  const config = {
    imports: denoJson.imports ?? {},
    compilerOptions: {
      jsx: "react-jsx",
      jsxImportSource: "preact",
      lib: ["dom", "dom.iterable", "esnext"],
      strict: true,
    },
  };
  await Deno.mkdir(".build", { recursive: true });
  // Write-then-rename: a concurrent build (e.g. parallel tests) must never read a torn file.
  const tmp = `${CLIENT_CONFIG}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, JSON.stringify(config, null, 2) + "\n");
  await Deno.rename(tmp, CLIENT_CONFIG);
  return CLIENT_CONFIG;
}

async function listIslands(islandsDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(islandsDir)) {
    if (e.isFile && e.name.endsWith(".tsx")) names.push(e.name.slice(0, -4));
  }
  return names.sort();
}

/** The file name must match defineIsland's name, or boot could never find the chunk. */
async function verifyIslands(
  islandsDir: string,
  names: string[],
): Promise<void> {
  for (const name of names) {
    const url = new URL(`file://${abs(`${islandsDir}/${name}.tsx`)}`).href;
    const mod = await import(url);
    const registered = islandNameOf(mod.default);
    if (registered !== name) {
      throw new Error(
        registered === undefined
          ? `${islandsDir}/${name}.tsx: default export is not an island; ` +
            `use \`export default defineIsland("${name}", function ${name}(props) {...})\`.`
          : `${islandsDir}/${name}.tsx: defineIsland name "${registered}" must match ` +
            `the file name "${name}".`,
      );
    }
  }
}

async function bundle(
  entries: string[],
  tmpDir: string,
  config: string,
): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--config",
      config,
      "--platform=browser",
      "--code-splitting",
      "--minify",
      "--outdir",
      tmpDir,
      ...entries,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno bundle failed (exit ${code}):\n${new TextDecoder().decode(stderr)}`,
    );
  }
}

function staticImports(code: string): string[] {
  return [...new Set([...code.matchAll(STATIC_IMPORT)].map((m) => m[2]))];
}

export async function buildAssets(
  options: BuildOptions = {},
): Promise<BuildResult> {
  const islandsDir = (options.islandsDir ?? "islands").replace(/\/+$/, "");
  const outDir = (options.outDir ?? DEFAULT_BUILD_DIR).replace(/\/+$/, "");
  const names = await listIslands(islandsDir);
  await verifyIslands(islandsDir, names);

  const config = await writeClientConfig();
  const tmpDir = await Deno.makeTempDir({ prefix: "prep-bundle-" });
  try {
    const entries = [BOOT_ENTRY, ...names.map((n) => `${islandsDir}/${n}.tsx`)];
    await bundle(entries, tmpDir, config);

    // Entries land at <tmp>/<path relative to their common dir>.js; chunks at <tmp>/ root.
    const root = commonDir(entries.map(abs));
    const entryOutput = (entry: string) =>
      `${tmpDir}/${
        abs(entry).slice(root.length + 1).replace(/\.tsx?$/, ".js")
      }`;

    await Deno.remove(outDir, { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    await Deno.mkdir(outDir, { recursive: true });

    const files: Record<string, number> = {};
    const importsOf = new Map<string, string[]>();
    const write = async (name: string, code: string) => {
      await Deno.writeTextFile(`${outDir}/${name}`, code);
      files[name] = new TextEncoder().encode(code).length;
      importsOf.set(name, staticImports(code));
    };

    for await (const e of Deno.readDir(tmpDir)) {
      if (e.isFile && e.name.endsWith(".js")) {
        // Chunk names already carry the bundler's content hash; a dynamic
        // import's chunk may import shared ones, through "../" too.
        const code = await Deno.readTextFile(`${tmpDir}/${e.name}`);
        await write(e.name, code.replace(CHUNK_REF, "$1./$2$1"));
      }
    }
    // Everything is served flat from /assets/, so entries' "../../chunk-X.js" become "./".
    const emitEntry = async (entry: string, prefix: string) => {
      const code = (await Deno.readTextFile(entryOutput(entry))).replace(
        CHUNK_REF,
        "$1./$2$1",
      );
      const name = `${prefix}-${(await sha256Hex(code)).slice(0, 8)}.js`;
      await write(name, code);
      return name;
    };

    const closure = (name: string): string[] => {
      const seen = new Set<string>();
      const visit = (n: string) => {
        for (const dep of importsOf.get(n) ?? []) {
          if (seen.has(dep)) continue;
          if (!importsOf.has(dep)) {
            throw new Error(`${n} imports missing chunk ${dep}`);
          }
          seen.add(dep);
          visit(dep);
        }
      };
      visit(name);
      return [...seen].sort().map((f) => ASSET_PREFIX + f);
    };

    const boot = await emitEntry(BOOT_ENTRY, "boot");
    const islands: AssetManifest["islands"] = {};
    for (const name of names) {
      const file = await emitEntry(
        `${islandsDir}/${name}.tsx`,
        `island-${name}`,
      );
      islands[name] = { entry: ASSET_PREFIX + file, imports: closure(file) };
    }

    const contentDirs = options.contentDirs ??
      [...new Set([...DEFAULT_STYLE_DIRS, islandsDir])];
    const css = await generateStylesheet(contentDirs);
    const cssName = `styles-${(await sha256Hex(css)).slice(0, 8)}.css`;
    await Deno.writeTextFile(`${outDir}/${cssName}`, css);
    files[cssName] = new TextEncoder().encode(css).length;

    // Leaflet's own stylesheet, for pages with a map (lib/place/map_client.ts).
    const mapCss = await Deno.readTextFile(
      new URL(import.meta.resolve("leaflet/dist/leaflet.css")),
    );
    const mapCssName = `map-${(await sha256Hex(mapCss)).slice(0, 8)}.css`;
    await Deno.writeTextFile(`${outDir}/${mapCssName}`, mapCss);
    files[mapCssName] = new TextEncoder().encode(mapCss).length;

    const manifest: AssetManifest = {
      inputsHash: await computeInputsHash(),
      css: ASSET_PREFIX + cssName,
      mapCss: ASSET_PREFIX + mapCssName,
      boot: ASSET_PREFIX + boot,
      bootImports: closure(boot),
      islands,
    };
    const compressed = await writeCompressedCopies(outDir, Object.keys(files));
    await Deno.writeTextFile(
      `${outDir}/manifest.json`,
      JSON.stringify(manifest, null, 2) + "\n",
    );
    return { manifest, files, compressed };
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)}kB`;
}

export async function isStale(outDir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(
      await Deno.readTextFile(`${outDir}/manifest.json`),
    );
    return manifest.inputsHash !== await computeInputsHash();
  } catch {
    return true;
  }
}

if (import.meta.main) {
  const outDir = DEFAULT_BUILD_DIR;
  if (Deno.args.includes("--if-stale") && !await isStale(outDir)) {
    console.log(`assets up to date (${outDir})`);
    Deno.exit(0);
  }
  const started = performance.now();
  try {
    const { manifest, files, compressed } = await buildAssets({ outDir });
    const sum = (pick: (c: { br: number; gz: number }) => number) =>
      Object.values(compressed).reduce((n, c) => n + pick(c), 0);
    const js = Object.entries(files).filter(([f]) => f.endsWith(".js"));
    const jsTotal = js.reduce((n, [, size]) => n + size, 0);
    const cssSize = files[manifest.css.slice(ASSET_PREFIX.length)];
    console.log(
      `built ${
        Object.keys(manifest.islands).length
      } islands, ${js.length} js files ` +
        `(${kb(jsTotal)}), css ${kb(cssSize)}; brotli ${
          kb(sum((c) => c.br))
        }, gzip ${kb(sum((c) => c.gz))} → ${outDir} ` +
        `in ${Math.round(performance.now() - started)}ms`,
    );
  } catch (err) {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
