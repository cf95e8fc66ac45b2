// Browser entry: hydrates every server-rendered <prep-island> independently.
import { type FunctionComponent, h, hydrate } from "preact";
import { useSignal } from "@preact/signals";
import { installSignals } from "./signals.ts";

// Before any island module runs: from here on their signals are real.
installSignals(useSignal);

interface IslandData {
  chunks: Record<string, string>;
  props: { name: string; props: Record<string, unknown> }[];
}

async function hydrateIsland(el: HTMLElement, data: IslandData): Promise<void> {
  const name = el.dataset.island ?? "";
  const index = Number(el.dataset.i);
  const entry = data.props[index];
  const url = data.chunks[name];
  if (!url || !entry || entry.name !== name) {
    throw new Error(
      `island ${name}#${el.dataset.i}: no chunk or props recorded`,
    );
  }
  const mod: { default: FunctionComponent } = await import(url);
  hydrate(h(mod.default, entry.props), el);
  // A stable hook for end-to-end tests (and debugging) to know the island is interactive.
  el.dataset.hydrated = "";
}

function boot(): void {
  const script = document.getElementById("__prep_islands");
  if (!script?.textContent) return;
  const data = JSON.parse(script.textContent) as IslandData;
  for (
    const el of document.querySelectorAll<HTMLElement>(
      "prep-island[data-island]",
    )
  ) {
    // One broken island must not keep the rest of the page inert.
    hydrateIsland(el, data).catch((err) => {
      console.error(`[islands] failed to hydrate ${el.dataset.island}:`, err);
    });
  }
}

boot();
