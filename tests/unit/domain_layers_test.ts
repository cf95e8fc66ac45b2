/**
 * DESIGN §3: a domain imports only domains below it (and the shared
 * services), so no workflow hides an import cycle between domains.
 */
import assert from "node:assert/strict";

const TIERS: Record<string, number> = {
  kitchens: 0,
  accounts: 0,
  hosts: 0,
  bookings: 1,
  payments: 2,
  compliance: 3,
  messages: 4,
  reviews: 4,
};

const IMPORT = /(?:from|import)\s*\(?\s*"\.\.\/([a-z_]+)\//g;

Deno.test("lib domains import only the domains below them", async () => {
  const breaches: string[] = [];
  const lib = new URL("../../lib/", import.meta.url);
  for await (const dir of Deno.readDir(lib)) {
    const tier = TIERS[dir.name];
    if (!dir.isDirectory || tier === undefined) continue;
    for await (const file of Deno.readDir(new URL(`${dir.name}/`, lib))) {
      if (!/\.tsx?$/.test(file.name)) continue;
      const source = await Deno.readTextFile(
        new URL(`${dir.name}/${file.name}`, lib),
      );
      for (const [, target] of source.matchAll(IMPORT)) {
        const t = TIERS[target];
        if (t !== undefined && t > tier) {
          breaches.push(`lib/${dir.name}/${file.name} imports lib/${target}`);
        }
      }
    }
  }
  assert.deepEqual(breaches, []);
});
