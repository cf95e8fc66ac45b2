import { useEffect, useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import type { MapPoint } from "../lib/kitchens/pages.ts";
import type { MapTiles } from "../lib/place/tiles.ts";

export interface SearchMapProps {
  points: MapPoint[];
  /** A distance search's circle. */
  circle: { lat: number; lng: number; radiusMiles: number } | null;
  tiles: MapTiles;
  /** Leaflet's stylesheet (the build's map CSS). */
  cssHref: string;
  /** The search's other filters as a query string, for "Search this area" and "Near me". */
  filters: string;
  /** The renter asked for their location ("Use my location"): ask the browser at once. */
  locate: boolean;
}

const button =
  "rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm font-semibold hover:bg-stone-50";
const primary =
  "rounded-lg bg-emerald-700 px-3 py-2 text-sm font-semibold text-white hover:bg-emerald-800";

/** A search URL for a point: the same filters, a circle, the map open. */
function pointSearch(
  filters: string,
  at: { lat: number; lng: number },
  radius: number,
  from: "me" | "map",
): string {
  const q = new URLSearchParams(filters);
  q.set("lat", at.lat.toFixed(5));
  q.set("lng", at.lng.toFixed(5));
  q.set("radius", String(radius));
  q.set("from", from);
  q.set("view", "map");
  return `/search?${q}`;
}

/**
 * The search page's map, beside the list (which stays the whole answer
 * without JavaScript, and the map's list equivalent with it). The server
 * renders a note; in the browser the island fetches Leaflet (its own chunk,
 * lib/place/map_client.ts) and draws the kitchens. After the renter moves
 * the map, "Search this area" searches the circle in view; "Near me" asks
 * the browser for a location only when pressed (or when the renter came by
 * "Use my location").
 */
function SearchMap(props: SearchMapProps) {
  const box = useRef<HTMLDivElement>(null);
  const state = useSignal<"idle" | "loading" | "ready" | "failed">("idle");
  const area = useSignal<{ lat: number; lng: number; radius: number } | null>(
    null,
  );
  const status = useSignal("");

  function locate() {
    if (!("geolocation" in navigator)) {
      status.value =
        "This browser cannot share a location; enter a ZIP code instead.";
      return;
    }
    status.value = "Asking your browser for your location…";
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        const at = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        const { inUnitedStates } = await import("../lib/place/map_client.ts");
        if (!inUnitedStates(at)) {
          status.value =
            "Your location is outside the United States, where Prep lists kitchens. Enter a ZIP code instead.";
          return;
        }
        const radius = props.circle?.radiusMiles ?? 10;
        location.assign(pointSearch(props.filters, at, radius, "me"));
      },
      (err) => {
        status.value = err.code === err.PERMISSION_DENIED
          ? "Your browser did not share your location. Enter a ZIP code or a city instead."
          : "We couldn't get your location. Enter a ZIP code or a city instead.";
      },
      { maximumAge: 300_000, timeout: 15_000 },
    );
  }

  useEffect(() => {
    state.value = "loading";
    let remove = () => {};
    import("../lib/place/map_client.ts").then((m) => {
      if (!box.current) return;
      const map = m.mountSearchMap(box.current, {
        points: props.points,
        circle: props.circle,
        tiles: props.tiles,
        onMoved: ({ centre, radiusMiles }) => {
          area.value = m.inUnitedStates(centre)
            ? { ...centre, radius: radiusMiles }
            : null;
        },
      });
      remove = map.remove;
      state.value = "ready";
    }).catch((err) => {
      console.error("[SearchMap] the map could not load:", err);
      state.value = "failed";
    });
    if (props.locate) locate();
    return () => remove();
  }, []);

  const found = props.points.length;
  return (
    <section aria-labelledby="map-heading" class="mt-3 space-y-2">
      <link rel="stylesheet" href={props.cssHref} />
      <h2 id="map-heading" class="sr-only">Map</h2>
      <div class="relative">
        <div
          ref={box}
          class="h-80 w-full overflow-hidden rounded-xl border border-stone-300 bg-stone-100 md:h-[26rem]"
          data-testid="search-map"
        />
        {state.value !== "ready" && (
          <p class="absolute inset-0 flex items-center justify-center p-6 text-center text-stone-700">
            {state.value === "failed"
              ? "The map could not load. Every kitchen is in the list."
              : state.value === "loading"
              ? "Loading the map…"
              : "The map needs JavaScript. Every kitchen is in the list, with its distance."}
          </p>
        )}
      </div>
      <div class="flex flex-wrap items-center gap-2">
        {area.value && (
          <a
            href={pointSearch(
              props.filters,
              area.value,
              area.value.radius,
              "map",
            )}
            class={primary}
            data-testid="search-area"
          >
            Search this area
          </a>
        )}
        <button type="button" class={button} onClick={locate}>
          Near me
        </button>
        <p class="text-sm text-stone-700">
          {`${found} ${found === 1 ? "kitchen" : "kitchens"} on the map${
            found >= 150 ? " (the first 150 by price)" : ""
          }. Prices are per hour; places are approximate.`}
        </p>
      </div>
      <p role="status" class="text-sm font-medium text-stone-800">
        {status.value}
      </p>
    </section>
  );
}

export default defineIsland("SearchMap", SearchMap);
