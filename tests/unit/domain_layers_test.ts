/**
 * The shape of the code (DESIGN §3, §14), checked on the source files of
 * lib/, routes/, components/ and islands/:
 * - imports never run up: a lib domain imports only the domains below it
 *   (and the shared services), lib imports nothing outside lib, islands and
 *   components never import routes; and no module reaches itself through
 *   its imports (type-only imports count: they are still a circle to read);
 * - a KV key builder is spelled only inside the folder that owns it, as
 *   lib/db/keys.ts groups them (`// owner: …`);
 * - the read cache is dropped (`forget`, `forgetPrefix`, `noteWrite`) only
 *   inside a repo, as part of its write, so callers never drop it by hand.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const TREES = ["lib", "routes", "components", "islands"];

/**
 * The order imports may run in (an import may go to its own tier or lower).
 * Shared services, and the modules at lib/'s root, sit below every domain:
 * every domain may use them and they use none. lib/app.ts, the composition
 * root, is above them all and is the only lib module left out.
 */
const TIERS: Record<string, number> = {
  db: -1,
  jobs: -1,
  email: -1,
  audit: -1,
  files: -1,
  notifications: -1,
  images: -1,
  islands: -1,
  assets: -1,
  page_cache: -1,
  // Figures' counters (lib/metrics): summed in the atomics of the events
  // every domain writes, so below them all.
  metrics: -1,
  // Geometry, the ZIP gazetteer, tiles and the browser's maps (issue 20).
  place: -1,
  "(root)": -1,
  kitchens: 0,
  accounts: 0,
  hosts: 0,
  // A renter's list of kitchens: above kitchens and accounts, below every
  // domain whose pages show a heart (compliance's kitchen page).
  saved: 1,
  bookings: 1,
  payments: 2,
  calendar_sync: 2,
  compliance: 3,
  messages: 4,
  reviews: 4,
  // The help pages' facts and the contact form: it reads every domain's rules.
  support: 4,
};

interface Source {
  /** Relative to the project root, with forward slashes. */
  path: string;
  text: string;
}

async function walk(dir: string, out: Source[]): Promise<void> {
  for await (const e of Deno.readDir(new URL(`${dir}/`, ROOT))) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await walk(path, out);
    else if (/\.tsx?$/.test(e.name)) {
      out.push({ path, text: await Deno.readTextFile(new URL(path, ROOT)) });
    }
  }
}

async function sources(): Promise<Source[]> {
  const out: Source[] = [];
  for (const tree of TREES) await walk(tree, out);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** `from "./x"`, `export … from "./x"`, `import("./x")`, with or without `type`. */
const IMPORT =
  /(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

function resolve(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

/** Each module's imports among the checked trees. */
function importGraph(files: Source[]): Map<string, string[]> {
  const known = new Set(files.map((f) => f.path));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = new Set<string>();
    for (const m of f.text.matchAll(IMPORT)) {
      const target = resolve(f.path, m[1] ?? m[2]);
      if (known.has(target)) targets.add(target);
    }
    graph.set(f.path, [...targets].sort());
  }
  return graph;
}

/** The lib domain a module belongs to, if any. */
const domainOf = (path: string) => {
  const [tree, dir, file] = path.split("/");
  if (tree !== "lib" || path === "lib/app.ts") return null;
  return file !== undefined ? dir : "(root)";
};

/** Imports that run up: the domain order, or out of lib, or from the browser side into routes. */
function arrowsUp(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const tree = from.split("/")[0];
    for (const to of targets) {
      const toTree = to.split("/")[0];
      const a = TIERS[domainOf(from) ?? ""];
      const b = TIERS[domainOf(to) ?? ""];
      const up = (a !== undefined && b !== undefined && b > a) ||
        (tree === "lib" && toTree !== "lib") ||
        ((tree === "islands" || tree === "components") && toTree === "routes");
      if (up) out.push(`${from} -> ${to}`);
    }
  }
  return out.sort();
}

/** Every set of modules that import each other round (Tarjan's strongly connected components). */
function circles(graph: Map<string, string[]>): string[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      // A module that imports itself is a circle of one.
      if (members.length > 1 || (graph.get(v) ?? []).includes(v)) {
        out.push(members.sort().join(" <-> "));
      }
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out.sort();
}

/**
 * Each key builder's owning folder, from lib/db/keys.ts: a builder belongs
 * to the last `// owner: <folder>` line above it. A builder above every
 * owner line is an error, so none can go without an owner.
 */
function keyOwners(keysSource: string): Map<string, string> {
  const owners = new Map<string, string>();
  let owner: string | null = null;
  let inKeys = false;
  for (const line of keysSource.split("\n")) {
    if (/^export const keys = \{/.test(line)) inKeys = true;
    if (!inKeys) continue;
    if (/^\} as const;/.test(line)) break;
    const group = line.match(/^\s*\/\/ owner: (\S+)/);
    if (group) owner = group[1];
    const builder = line.match(/^ {2}(\w+): /);
    if (builder) {
      if (!owner) throw new Error(`keys.${builder[1]} has no owner group`);
      owners.set(builder[1], owner);
    }
  }
  return owners;
}

/** Key builders spelled outside the folder that owns them, and uses the map cannot judge. */
function foreignKeys(
  files: Source[],
  owners: Map<string, string>,
): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.path === "lib/db/keys.ts") continue;
    const names = new Set<string>();
    for (const m of f.text.matchAll(/\bkeys\.(\w+)\b/g)) names.add(m[1]);
    for (const name of [...names].sort()) {
      if (name === "ts") continue; // the module's own name in a comment or import
      const owner = owners.get(name);
      if (!owner) out.push(`${f.path} spells keys.${name} (no such builder)`);
      else if (!f.path.startsWith(`${owner}/`)) {
        out.push(`${f.path} spells keys.${name} (owner: ${owner})`);
      }
    }
    // Reaching builders by name or by destructuring hides them from the check above.
    if (/\bkeys\s*\[|\{[^}]*\}\s*=\s*keys\b/.test(f.text)) {
      out.push(`${f.path} reaches key builders indirectly`);
    }
  }
  return out.sort();
}

/** Modules that drop the read cache without being a repo (or lib/db, which defines it). */
function cacheDropsOutsideRepos(files: Source[]): string[] {
  return files
    .filter((f) =>
      !f.path.startsWith("lib/db/") && !f.path.endsWith("/repo.ts") &&
      /\b(forget|forgetPrefix|noteWrite)\(/.test(f.text)
    )
    .map((f) => `${f.path} drops the read cache`)
    .sort();
}

const files = await sources();
const graph = importGraph(files);

Deno.test("domain layers: every folder of lib/ has a place in the order", async () => {
  const untiered: string[] = [];
  for await (const e of Deno.readDir(new URL("lib/", ROOT))) {
    if (e.isDirectory && TIERS[e.name] === undefined) untiered.push(e.name);
  }
  assert.deepEqual(untiered, []);
});

Deno.test("domain layers: no import runs up the domain order, out of lib, or from islands and components into routes", () => {
  assert.deepEqual(arrowsUp(graph), []);
});

Deno.test("domain layers: no import circle among lib, routes, components and islands, type imports included", () => {
  assert.deepEqual(circles(graph), []);
});

Deno.test("domain layers: every key builder has an owner, and only its owner spells it", async () => {
  const owners = keyOwners(
    await Deno.readTextFile(new URL("lib/db/keys.ts", ROOT)),
  );
  const { keys } = await import("../../lib/db/keys.ts");
  assert.deepEqual(
    Object.keys(keys).filter((k) => !owners.has(k)),
    [],
    "builders the owner groups miss",
  );
  assert.deepEqual(foreignKeys(files, owners), []);
});

Deno.test("domain layers: only repos drop the read cache", () => {
  assert.deepEqual(cacheDropsOutsideRepos(files), []);
});

Deno.test("domain layers: the checks catch what they look for", () => {
  const g = new Map([
    ["lib/kitchens/a.ts", ["lib/bookings/b.ts"]],
    ["lib/bookings/b.ts", ["lib/bookings/c.ts"]],
    ["lib/bookings/c.ts", ["lib/bookings/b.ts", "routes/x.tsx"]],
    ["islands/I.tsx", ["routes/x.tsx", "components/C.tsx"]],
    ["routes/x.tsx", []],
    ["components/C.tsx", []],
  ]);
  assert.deepEqual(arrowsUp(g), [
    "islands/I.tsx -> routes/x.tsx",
    "lib/bookings/c.ts -> routes/x.tsx",
    "lib/kitchens/a.ts -> lib/bookings/b.ts",
  ]);
  assert.deepEqual(circles(g), ["lib/bookings/b.ts <-> lib/bookings/c.ts"]);
  const owners = keyOwners(
    [
      "export const keys = {",
      "  // owner: lib/bookings",
      '  booking: (id: string) => ["bookings", id],',
      "} as const;",
    ].join("\n"),
  );
  assert.deepEqual(
    foreignKeys([
      { path: "lib/bookings/repo.ts", text: "keys.booking(id)" },
      { path: "lib/payments/refunds.ts", text: "keys.booking(id)" },
      { path: "lib/payments/events.ts", text: "keys.bogus(id)" },
      { path: "lib/payments/sync.ts", text: 'keys["booking"](id)' },
    ], owners),
    [
      "lib/payments/events.ts spells keys.bogus (no such builder)",
      "lib/payments/refunds.ts spells keys.booking (owner: lib/bookings)",
      "lib/payments/sync.ts reaches key builders indirectly",
    ],
  );
  assert.throws(
    () =>
      keyOwners('export const keys = {\n  stray: () => ["x"],\n} as const;'),
    /keys\.stray has no owner group/,
  );
  assert.deepEqual(
    cacheDropsOutsideRepos([
      { path: "lib/bookings/repo.ts", text: "forget(kv, k)" },
      { path: "lib/bookings/holds.ts", text: "forgetPrefix(kv, k)" },
      { path: "lib/db/read_cache.ts", text: "noteWrite(kv)" },
    ]),
    ["lib/bookings/holds.ts drops the read cache"],
  );
});
