// Plain .ts (file name fixed by the test layout), so vnodes are built with h() instead of JSX.
// This file installs the real @preact/signals after its first renders, so it
// runs alone in its own isolate, as every test file does under `deno test`.
import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import AvailabilityPicker from "../../islands/AvailabilityPicker.tsx";
import MonthCalendar from "../../islands/MonthCalendar.tsx";
import PhotoUploader from "../../islands/PhotoUploader.tsx";
import {
  installSignals,
  signalsInstalled,
  useSignal,
} from "../../lib/islands/signals.ts";
import { pickerDay } from "../../lib/kitchens/slot_view.ts";

/** Modules a start-up from `entry` evaluates: imports that are only types do not count. */
async function runtimeModules(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string } }[];
    }[];
    redirects?: Record<string, string>;
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const resolve = (s: string) => graph.redirects?.[s] ?? s;
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    const s = resolve(specifier);
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      if (d.code) visit(d.code.specifier);
    }
  };
  graph.roots.forEach(visit);
  return [...seen];
}

Deno.test("islands: the server never loads @preact/signals, whose option hooks would run in every render", async () => {
  for (const entry of ["main.ts", "serve.ts"]) {
    const modules = await runtimeModules(entry);
    assert.ok(
      modules.some((m) => m.endsWith("/islands/AvailabilityPicker.tsx")),
      `${entry} renders the picker`,
    );
    assert.deepEqual(
      modules.filter((m) => m.includes("@preact/signals")),
      [],
      entry,
    );
  }
  // The browser's boot module is where the real hook comes from.
  const boot = await runtimeModules("lib/islands/boot.ts");
  assert.ok(boot.some((m) => m.includes("@preact/signals")));
});

const SLOTS = [
  { start: Date.parse("2026-12-01T17:00:00Z"), maxEnd: 0 },
  { start: Date.parse("2026-12-01T17:30:00Z"), maxEnd: 0 },
].map((s) => ({ ...s, maxEnd: s.start + 6 * 3600_000 }));

const islands: [string, () => string][] = [
  [
    "AvailabilityPicker",
    () =>
      renderToString(h(AvailabilityPicker, {
        kitchenId: "01KITCHEN0000000000000000",
        kitchenTitle: "Test </script> Kitchen",
        today: "2026-12-01",
        lastDate: "2027-01-30",
        minHours: 2,
        ...pickerDay(
          { timeZone: "America/Chicago", minHours: 2 },
          "2026-12-01",
          SLOTS,
        ),
      })),
  ],
  [
    "AvailabilityPicker, no hours",
    () =>
      renderToString(h(AvailabilityPicker, {
        kitchenId: "01KITCHEN0000000000000000",
        kitchenTitle: "Closed Kitchen",
        today: "2026-12-01",
        lastDate: "2027-01-30",
        minHours: 2,
        ...pickerDay(
          { timeZone: "America/Chicago", minHours: 2 },
          "2026-12-25",
          [],
        ),
      })),
  ],
  [
    "MonthCalendar",
    () =>
      renderToString(h(MonthCalendar, {
        nav: {
          month: "2026-12",
          label: "December 2026",
          prev: { month: "2026-11", label: "November 2026" },
          next: { month: "2027-01", label: "January 2027" },
        },
        gridsId: "grids",
      })),
  ],
  [
    "PhotoUploader",
    () =>
      renderToString(h(PhotoUploader, {
        action: "/host/kitchens/x/photos",
        done: "/host/kitchens/x/edit",
        maxBytes: 10_000_000,
        maxPixels: { jpeg: 25_000_000, png: 12_000_000, webp: 12_000_000 },
        largeEdge: 1600,
        alt: "A steel bench",
        message: "That file is not a photo.",
        errors: { photo: "That file is not a photo." },
      })),
  ],
];

Deno.test("islands: server markup with plain signals equals the first render with real ones, so hydration matches", async () => {
  assert.equal(signalsInstalled(), false);
  const plain = islands.map(([, render]) => render());
  const signals = await import("@preact/signals");
  installSignals(signals.useSignal);
  assert.equal(signalsInstalled(), true);
  const real = islands.map(([, render]) => render());
  islands.forEach(([name], i) => {
    assert.ok(plain[i].length > 200, name);
    assert.equal(plain[i], real[i], name);
  });
  // Real signals react; the server's holders are plain values.
  let seen: unknown;
  renderToString(h(() => {
    const s = useSignal(1);
    seen = s;
    return null;
  }, {}));
  assert.ok(seen instanceof signals.Signal);
});

Deno.test("islands: a bad prop deep inside the props is named by its path", async () => {
  const { defineIsland } = await import("../../lib/islands/define.ts");
  const { renderPage } = await import("../../lib/islands/server.ts");
  const Deep = defineIsland(
    "Deep",
    (_: { days: { slots: { at: unknown }[] }[] }) => h("p", null, "deep"),
  );
  const manifest = {
    inputsHash: "test",
    css: "/assets/s.css",
    boot: "/assets/boot.js",
    islands: { Deep: { entry: "/assets/deep.js", imports: [] } },
  };
  const ok = { days: [{ slots: [{ at: 1 }, { at: "x" }] }] };
  assert.match(
    renderPage(h(Deep, ok), { nonce: "n", manifest }),
    /data-island="Deep"/,
  );
  const cases: [unknown, RegExp][] = [
    [() => 1, /prop "days\[0\]\.slots\[1\]\.at" is a function/],
    [Infinity, /prop "days\[0\]\.slots\[1\]\.at" is Infinity/],
    [new Date(0), /prop "days\[0\]\.slots\[1\]\.at" is an instance of Date/],
  ];
  for (const [bad, message] of cases) {
    const props = { days: [{ slots: [{ at: 1 }, { at: bad }] }] };
    assert.throws(
      () => renderPage(h(Deep, props), { nonce: "n", manifest }),
      message,
    );
  }
});
