import type { FunctionComponent } from "preact";

// Shipped to the browser too, so it must stay tiny and free of server-only imports.
const registry = new Map<FunctionComponent<never>, string>();

/**
 * Marks a component as an island. `name` must equal the basename of its file in `islands/`,
 * because the build maps names to bundle entries by file name.
 */
export function defineIsland<P>(
  name: string,
  component: FunctionComponent<P>,
): FunctionComponent<P> {
  registry.set(component as FunctionComponent<never>, name);
  return component;
}

/** The island name a component was registered under, or undefined for ordinary components. */
export function islandNameOf(component: unknown): string | undefined {
  return registry.get(component as FunctionComponent<never>);
}

/** Every registered island (component → name); used by the build to verify island files. */
export function registeredIslands(): ReadonlyMap<
  FunctionComponent<never>,
  string
> {
  return registry;
}
