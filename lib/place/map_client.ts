/**
 * The interactive maps, in the browser only: Leaflet with price markers
 * clustered by supercluster on the search page, and the host's pin in the
 * listing editor. Islands import this module dynamically, so it, Leaflet
 * and supercluster make one chunk that is fetched only when a map is shown
 * (`deno bundle --code-splitting`); the server never loads it.
 *
 * Text from hosts (titles) reaches the map only through `textContent`, and
 * the tile attribution through `escapeHtml`: Leaflet writes marker and
 * attribution HTML with innerHTML.
 */
// @ts-types="@types/leaflet"
import * as L from "leaflet/dist/leaflet-src.esm.js";
import Supercluster, { type ClusterProperties } from "supercluster";
import type { MapTiles } from "./tiles.ts";
import { TILE_SUBDOMAINS } from "./tiles.ts";
import {
  destination,
  distanceMiles,
  inUnitedStates,
  type Point,
} from "./geo.ts";

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ]!,
  );
}

function baseMap(el: HTMLElement, tiles: MapTiles, label: string): L.Map {
  const map = L.map(el, {
    keyboard: true,
    // Quarter steps let a search's circle fill the view.
    zoomSnap: 0.25,
    zoomControl: true,
    attributionControl: true,
    scrollWheelZoom: false,
  });
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com">Leaflet</a>',
  );
  L.tileLayer(tiles.url, {
    subdomains: TILE_SUBDOMAINS,
    maxZoom: 19,
    attribution: tiles.attributionUrl
      ? `<a href="${escapeHtml(tiles.attributionUrl)}">${
        escapeHtml(tiles.attribution)
      }</a>`
      : escapeHtml(tiles.attribution),
  }).addTo(map);
  // The container takes focus for the keyboard (arrows pan, + and − zoom).
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", label);
  return map;
}

const toLatLng = (p: Point) => L.latLng(p.lat, p.lng);

/** A kitchen on the search map (lib/kitchens/pages.ts MapPoint). */
export interface SearchMapPoint extends Point {
  id: string;
  title: string;
  price: string;
  href: string;
  distance: string | null;
}

export interface SearchMapOptions {
  points: SearchMapPoint[];
  circle: (Point & { radiusMiles: number }) | null;
  tiles: MapTiles;
  /** The map was moved by the renter: offer "Search this area". */
  onMoved: (area: { centre: Point; radiusMiles: number }) => void;
}

const ACTIVE = ["ring-4", "ring-amber-400", "z-[1000]"];
const markerClass =
  "inline-block -translate-x-1/2 -translate-y-full whitespace-nowrap rounded-full border-2 border-white bg-emerald-800 px-2 py-0.5 text-sm font-bold text-white shadow-md";
const clusterClass =
  "inline-flex -translate-x-1/2 -translate-y-1/2 items-center justify-center whitespace-nowrap rounded-full border-2 border-white bg-stone-800 px-3 py-1 text-sm font-bold text-white shadow-md";

/** The result card of a kitchen in the list beside the map. */
function cardOf(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`a[href^="/kitchens/${id}"]`)
    ?.closest("li") ?? null;
}

function markerElement(text: string, label: string, cls: string) {
  const el = document.createElement("span");
  el.className = cls;
  const shown = document.createElement("span");
  shown.setAttribute("aria-hidden", "true");
  shown.textContent = text;
  const said = document.createElement("span");
  said.className = "sr-only";
  said.textContent = label;
  el.append(shown, said);
  return el;
}

function popupContent(p: SearchMapPoint): HTMLElement {
  const box = document.createElement("div");
  box.className = "space-y-1";
  const title = document.createElement("p");
  title.className = "font-bold";
  title.textContent = p.title;
  const facts = document.createElement("p");
  facts.textContent = `${p.price} an hour${
    p.distance ? ` · ${p.distance} away` : ""
  }`;
  const link = document.createElement("a");
  link.href = p.href;
  link.className = "font-semibold text-emerald-800 underline";
  link.textContent = `Open ${p.title}`;
  box.append(title, facts, link);
  return box;
}

/**
 * The search page's map: a marker per kitchen with its price, clustered
 * where they crowd, the search's circle, and markers and result cards
 * highlighting each other on hover and focus.
 */
export function mountSearchMap(el: HTMLElement, opts: SearchMapOptions) {
  const map = baseMap(
    el,
    opts.tiles,
    "Map of the kitchens found. Arrow keys move the map, plus and minus zoom in and out; Tab reaches each price marker.",
  );
  const index = new Supercluster<SearchMapPoint>({ radius: 56, maxZoom: 17 });
  index.load(opts.points.map((p) => ({
    type: "Feature",
    properties: p,
    geometry: { type: "Point", coordinates: [p.lng, p.lat] },
  })));
  const layer = L.layerGroup().addTo(map);
  /** Kitchen id → the marker element it is shown in (its own, or its cluster's). */
  let shownIn = new Map<string, HTMLElement>();

  /** The kitchen lit up now; a redraw (after a move or a resize) keeps it lit. */
  let active: string | null = null;
  const highlight = (id: string, on: boolean) => {
    active = on ? id : active === id ? null : active;
    const marker = shownIn.get(id);
    for (const c of ACTIVE) marker?.classList.toggle(c, on);
    const card = cardOf(id);
    for (const c of ["ring-4", "ring-amber-400"]) card?.classList.toggle(c, on);
  };

  /** What is drawn now: "k:<kitchen id>" or "c:<cluster id>" → its marker and element. */
  let drawn = new Map<string, { marker: L.Marker; el: HTMLElement }>();

  function clusterMarker(
    lat: number,
    lng: number,
    props: ClusterProperties,
  ) {
    const count = props.point_count;
    const el = markerElement(
      String(count),
      `${count} kitchens here; zoom in`,
      clusterClass,
    );
    const marker = L.marker([lat, lng], {
      icon: L.divIcon({ html: el, className: "", iconSize: undefined }),
      keyboard: true,
    });
    const open = () =>
      map.flyTo(
        [lat, lng],
        Math.min(index.getClusterExpansionZoom(props.cluster_id), 18),
      );
    marker.on("click", open);
    marker.on("add", () => pressed(marker, open));
    return { marker, el };
  }

  function kitchenMarker(p: SearchMapPoint) {
    const el = markerElement(
      p.price,
      `${p.title}, ${p.price} an hour${
        p.distance ? `, ${p.distance} away` : ""
      }`,
      markerClass,
    );
    const marker = L.marker([p.lat, p.lng], {
      icon: L.divIcon({ html: el, className: "", iconSize: undefined }),
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(popupContent(p));
    marker.on("mouseover", () => highlight(p.id, true));
    marker.on("mouseout", () => highlight(p.id, false));
    marker.on("add", () => {
      // Leaflet opens a popup on Enter; a button opens on Space too.
      pressed(marker, () => marker.openPopup(), [" "]);
      const icon = marker.getElement();
      icon?.addEventListener("focus", () => highlight(p.id, true));
      icon?.addEventListener("blur", () => highlight(p.id, false));
    });
    return { marker, el };
  }

  /**
   * Draws the clusters and kitchens in view. Markers still in view are kept
   * as they are (with an open popup, or focus), and only the rest change.
   */
  const render = () => {
    const b = map.getBounds();
    const features = index.getClusters(
      [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
      Math.round(map.getZoom()),
    );
    const next = new Map<string, { marker: L.Marker; el: HTMLElement }>();
    shownIn = new Map();
    for (const f of features) {
      const [lng, lat] = f.geometry.coordinates;
      const props = f.properties as
        | SearchMapPoint
        | (ClusterProperties & Record<string, unknown>);
      if ("cluster" in props && props.cluster) {
        const key = `c:${props.cluster_id}`;
        const m = drawn.get(key) ?? clusterMarker(lat, lng, props);
        next.set(key, m);
        for (const leaf of index.getLeaves(props.cluster_id, Infinity)) {
          shownIn.set((leaf.properties as SearchMapPoint).id, m.el);
        }
      } else {
        const p = props as SearchMapPoint;
        const key = `k:${p.id}`;
        const m = drawn.get(key) ?? kitchenMarker(p);
        next.set(key, m);
        shownIn.set(p.id, m.el);
      }
    }
    for (const [key, m] of drawn) {
      if (!next.has(key)) layer.removeLayer(m.marker);
    }
    for (const [key, m] of next) if (!drawn.has(key)) m.marker.addTo(layer);
    drawn = next;
    if (active) highlight(active, true);
  };

  // The cards beside the map light up their markers.
  for (const p of opts.points) {
    const card = cardOf(p.id);
    if (!card) continue;
    card.addEventListener("mouseenter", () => highlight(p.id, true));
    card.addEventListener("mouseleave", () => highlight(p.id, false));
    card.addEventListener("focusin", () => highlight(p.id, true));
    card.addEventListener("focusout", () => highlight(p.id, false));
  }

  if (opts.circle) {
    const metres = opts.circle.radiusMiles * 1609.344;
    // The view first: a circle can only measure itself on a map that has one.
    map.fitBounds(toLatLng(opts.circle).toBounds(metres * 2), {
      padding: [8, 8],
    });
    L.circle(toLatLng(opts.circle), {
      radius: metres,
      color: "#047857",
      weight: 2,
      fillOpacity: 0.05,
      interactive: false,
    }).addTo(map);
  } else if (opts.points.length > 0) {
    map.fitBounds(L.latLngBounds(opts.points.map(toLatLng)), {
      padding: [32, 32],
      maxZoom: 14,
    });
  } else {
    // The contiguous United States.
    map.fitBounds([[24.5, -125], [49.4, -66.9]]);
  }
  render();
  // "Search this area" follows the renter's own moves (dragging, zooming,
  // the keyboard, a cluster opened), not a popup making room for itself or
  // a window resized.
  let moved = false;
  map.on("dragstart zoomstart", () => moved = true);
  el.addEventListener("keydown", (e) => {
    if (/^(Arrow|[+=-]$)/.test(e.key)) moved = true;
  });
  map.on("moveend", () => {
    render();
    if (moved) opts.onMoved(areaOf(map));
  });
  return {
    /** Shows the map's markers again after the container changed size. */
    resize: () => map.invalidateSize(),
    remove: () => map.remove(),
  };
}

/** Runs `act` when one of `presses` (Enter and Space by default) is pressed on a marker. */
function pressed(
  marker: L.Marker,
  act: () => void,
  presses: string[] = ["Enter", " "],
) {
  marker.getElement()?.addEventListener("keydown", (e: KeyboardEvent) => {
    if (!presses.includes(e.key)) return;
    e.preventDefault();
    e.stopPropagation();
    act();
  });
}

/** The circle that fits the map's view: its centre, to the nearer edge. */
function areaOf(map: L.Map): { centre: Point; radiusMiles: number } {
  const c = map.getCenter();
  const b = map.getBounds();
  const centre = { lat: c.lat, lng: c.lng };
  const toEdge = Math.min(
    distanceMiles(centre, { lat: b.getNorth(), lng: c.lng }),
    distanceMiles(centre, { lat: c.lat, lng: b.getEast() }),
  );
  return {
    centre,
    radiusMiles: Math.max(1, Math.min(50, Math.ceil(toEdge))),
  };
}

export { inUnitedStates };

export interface PinMapOptions {
  pin: Point;
  tiles: MapTiles;
  /** The pin moved (dragged, clicked to, or nudged with the keyboard). */
  onMove: (pin: Point, how: string) => void;
}

/** Metres an arrow key moves the pin; ten times as far with Shift. */
export const NUDGE_M = 10;

const pinClass =
  "block h-6 w-6 -translate-x-1/2 -translate-y-full rounded-full rounded-bl-none -rotate-45 border-2 border-white bg-red-700 shadow-md";

/**
 * The listing editor's map: one pin, dragged with a mouse or a finger,
 * put where the map is clicked, or moved with the arrow keys while it has
 * focus (10 m a press, 100 m with Shift).
 */
export function mountPinMap(el: HTMLElement, opts: PinMapOptions) {
  const map = baseMap(
    el,
    opts.tiles,
    "Map of the kitchen's pin. Drag the pin, click the map where the kitchen is, or focus the pin and use the arrow keys.",
  );
  map.setView(toLatLng(opts.pin), 16);
  const icon = document.createElement("span");
  icon.className = pinClass;
  const marker = L.marker(toLatLng(opts.pin), {
    icon: L.divIcon({ html: icon, className: "", iconSize: undefined }),
    draggable: true,
    keyboard: true,
    title: "Kitchen pin: use the arrow keys to move it",
    alt: "Kitchen pin",
  }).addTo(map);
  const at = () => {
    const p = marker.getLatLng();
    return { lat: p.lat, lng: p.lng };
  };
  const moveTo = (p: Point, how: string) => {
    marker.setLatLng(toLatLng(p));
    if (!map.getBounds().pad(-0.1).contains(toLatLng(p))) {
      map.panTo(toLatLng(p));
    }
    opts.onMove(p, how);
  };
  marker.on("dragend", () => opts.onMove(at(), "dragged"));
  map.on(
    "click",
    (e: L.LeafletMouseEvent) =>
      moveTo({ lat: e.latlng.lat, lng: e.latlng.lng }, "placed"),
  );
  const bearings: Record<string, [number, string]> = {
    ArrowUp: [0, "north"],
    ArrowRight: [Math.PI / 2, "east"],
    ArrowDown: [Math.PI, "south"],
    ArrowLeft: [-Math.PI / 2, "west"],
  };
  const element = marker.getElement();
  element?.setAttribute("role", "button");
  element?.setAttribute(
    "aria-label",
    "Kitchen pin. Arrow keys move it 10 metres, Shift and an arrow 100.",
  );
  element?.addEventListener("keydown", (e: KeyboardEvent) => {
    const move = bearings[e.key];
    if (!move) return;
    // Otherwise the map's own keyboard handler pans the map as well.
    e.preventDefault();
    e.stopPropagation();
    const metres = e.shiftKey ? NUDGE_M * 10 : NUDGE_M;
    moveTo(
      destination(at(), move[0], metres / 1000),
      `moved ${metres} m ${move[1]}`,
    );
  });
  return {
    moveTo: (p: Point) => {
      marker.setLatLng(toLatLng(p));
      map.setView(toLatLng(p), map.getZoom());
    },
    focusPin: () => element?.focus(),
    remove: () => map.remove(),
  };
}
