/**
 * `useSignal` for islands, without loading @preact/signals on the server.
 *
 * Importing @preact/signals installs Preact option hooks that run for every
 * component of every render; on the server that was a visible share of each
 * page's CPU for nothing, since a server render reads each value once and
 * never re-renders. So islands take `useSignal` from here: until the browser's
 * boot module hands over the real hook (before it hydrates anything), a
 * signal is a plain `{ value }` holding its initial value, which renders the
 * same markup the real signal's first render does, so hydration matches.
 *
 * Only `.value` may be used during a server render (no `.peek()`, no signal
 * passed as a JSX child or prop); islands needing more import @preact/signals
 * themselves and pay for it.
 */
import type { Signal } from "@preact/signals";

type UseSignal = <T>(value: T) => Signal<T>;

const plainSignal: UseSignal = <T>(value: T) =>
  ({ value }) as unknown as Signal<T>;

let implementation: UseSignal = plainSignal;

/** Called by the browser's boot module with @preact/signals' own hook. */
export function installSignals(useSignal: UseSignal): void {
  implementation = useSignal;
}

/** Whether `useSignal` gives real, reactive signals (in the browser, after boot). */
export function signalsInstalled(): boolean {
  return implementation !== plainSignal;
}

/** @preact/signals' `useSignal` in the browser; a plain holder while rendering on the server. */
export function useSignal<T>(value: T): Signal<T> {
  return implementation(value);
}
