/**
 * DESIGN §3/§4: the browser-side and rendering layers import downwards
 * only. Islands import lib/ and components/ (and other islands), never
 * routes/; components never import routes/. Shared types (an API's answer,
 * an upload's answer) live in lib/.
 */
import assert from "node:assert/strict";

const IMPORT =
  /(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

/** `[file, imported folder]` for each relative import in `folder`'s files. */
async function importsOf(folder: string): Promise<[string, string][]> {
  const root = new URL("../../", import.meta.url);
  const out: [string, string][] = [];
  for await (const e of Deno.readDir(new URL(`${folder}/`, root))) {
    if (!e.isFile || !/\.tsx?$/.test(e.name)) continue;
    const file = `${folder}/${e.name}`;
    const source = await Deno.readTextFile(new URL(file, root));
    for (const m of source.matchAll(IMPORT)) {
      const target = new URL(m[1] ?? m[2], new URL(file, root));
      out.push([file, target.href.slice(root.href.length).split("/")[0]]);
    }
  }
  return out;
}

Deno.test("layers: islands import only lib/, components/ and islands/", async () => {
  const up = (await importsOf("islands"))
    .filter(([, to]) => !["lib", "components", "islands"].includes(to))
    .map(([file, to]) => `${file} imports ${to}/`);
  assert.deepEqual(up, []);
});

Deno.test("layers: components never import routes/", async () => {
  const up = (await importsOf("components"))
    .filter(([, to]) => to === "routes")
    .map(([file, to]) => `${file} imports ${to}/`);
  assert.deepEqual(up, []);
});
