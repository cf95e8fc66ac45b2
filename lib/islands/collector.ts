// Server-only: what one render of a page records as it goes (islands/server.ts, islands/slots.ts).
import { createContext, type FunctionComponent } from "preact";

export interface IslandUse {
  name: string;
  props: Record<string, unknown>;
}

/** A part of a page that depends on who is looking (islands/slots.ts), as data to render again. */
export interface SlotUse {
  // deno-lint-ignore no-explicit-any
  component: FunctionComponent<any> & {
    /** What of the viewer the part shows (islands/slots.ts SlotComponent). */
    // deno-lint-ignore no-explicit-any
    viewerKey?: (props: any, viewer: any) => string;
  };
  props: Record<string, unknown>;
}

export interface Collector {
  uses: IslandUse[];
  /**
   * The viewer slots met so far when the render is to be shared (their
   * marks are always cut out again), null when it is not.
   */
  slots: SlotUse[] | null;
  /**
   * Set when the render cannot be shared after all: a slot inside an
   * island, or an island inside a slot, could not be filled in later.
   */
  unshareable?: boolean;
  /**
   * Who the page is rendered for, as its viewer slots read it (opaque
   * here). Carried here rather than by a context provider: a provider over
   * the whole page, with a context read per slot, made renders a third
   * slower under load.
   */
  viewer?: unknown;
}

// renderToString is synchronous, so one module-level collector per render is safe.
let current: Collector | null = null;

/** The collector of the render under way, if any. */
export function activeCollector(): Collector | null {
  return current;
}

/** Runs `render` with `collector` recording, then puts back whatever was before. */
export function collecting<T>(collector: Collector, render: () => T): T {
  const previous = current;
  current = collector;
  try {
    return render();
  } finally {
    current = previous;
  }
}

/**
 * Where in the tree a component is: inside an island (nested islands
 * hydrate with their parent) or inside a viewer slot's marked content.
 * Read through `contextType` (the second argument of a function
 * component), not a hook: see `viewer` above.
 */
export const Scope = createContext<"island" | "slot" | null>(null);
export type ScopeValue = "island" | "slot" | null;
