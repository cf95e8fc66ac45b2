/**
 * Map tiles: the `MAP_TILE_URL` template (Leaflet's syntax: `{s}`, `{z}`,
 * `{x}`, `{y}`, `{r}`), the Content-Security-Policy source that lets pages
 * load it, and the arithmetic of a small static map drawn from tiles
 * (Web Mercator, 256-pixel tiles) without JavaScript. Pure; shipped to the
 * browser too (the map islands build their tile layer from the same
 * template), so it imports nothing server-only.
 */

export const TILE_SIZE = 256;
/** Subdomains `{s}` stands for, as OpenStreetMap-style servers name them. */
export const TILE_SUBDOMAINS = ["a", "b", "c"];

/** What every map needs: where tiles come from, and whose they are. */
export interface MapTiles {
  /** `https://tile.openstreetmap.org/{z}/{x}/{y}.png`, or a path on this site. */
  url: string;
  /** Shown on every map, as the tiles' licence asks. */
  attribution: string;
  /** Where the attribution links to, if anywhere. */
  attributionUrl: string | null;
}

/**
 * Whether a `MAP_TILE_URL` is a tile template: an http(s) URL or a path on
 * this site, with `{z}`, `{x}` and `{y}`, and nothing that could break out
 * of a CSP source list or an attribute (quotes, spaces, semicolons).
 */
export function isTileTemplate(template: string): boolean {
  if (!["{z}", "{x}", "{y}"].every((p) => template.includes(p))) return false;
  if (!/^[A-Za-z0-9._~:/?#@!$&()*+,=%{}-]+$/.test(template)) return false;
  if (/[;'",]/.test(template)) return false;
  if (template.startsWith("/")) return !template.startsWith("//");
  try {
    const url = new URL(template.replaceAll("{s}", "a"));
    return (url.protocol === "https:" || url.protocol === "http:") &&
      url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/** The URL of one tile. */
export function tileUrl(template: string, z: number, x: number, y: number) {
  return template
    .replaceAll("{s}", TILE_SUBDOMAINS[Math.abs(x + y) % 3])
    .replaceAll("{z}", String(z))
    .replaceAll("{x}", String(x))
    .replaceAll("{y}", String(y))
    .replaceAll("{r}", "");
}

/**
 * The CSP source that admits a template's tiles: its origin, with a `{s}`
 * subdomain as a wildcard (`https://*.tile.example.org`); null for a path on
 * this site, which 'self' already admits.
 */
export function tileSource(template: string): string | null {
  if (template.startsWith("/")) return null;
  const url = new URL(template.replaceAll("{s}", "s-wildcard"));
  const host = url.host.replace("s-wildcard", "*");
  return `${url.protocol}//${host}`;
}

/** A point in world pixels at zoom `z`. */
export function worldPixel(lat: number, lng: number, z: number) {
  const scale = TILE_SIZE * 2 ** z;
  const s = Math.sin(lat * Math.PI / 180);
  return {
    x: (lng + 180) / 360 * scale,
    y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale,
  };
}

/** Metres one pixel covers at a latitude and zoom. */
export function metresPerPixel(lat: number, z: number): number {
  return 156_543.033_92 * Math.cos(lat * Math.PI / 180) / 2 ** z;
}

export interface StaticTile {
  url: string;
  /** Where the tile's top-left corner falls in the view. */
  x: number;
  y: number;
}

export interface StaticMapView {
  width: number;
  height: number;
  zoom: number;
  tiles: StaticTile[];
  /** The centre point, in view pixels (always the middle). */
  cx: number;
  cy: number;
  /** The circle's radius in view pixels; 0 for a pin. */
  radiusPx: number;
}

/**
 * The tiles of a `width` × `height` view centred on a point, at the
 * deepest zoom (≤ 16) at which a circle of `radiusM` metres spans at most
 * 60% of the view's height, leaving the streets around it in view; a pin
 * (radius 0) is shown at zoom 16.
 */
export function staticMapView(
  template: string,
  centre: { lat: number; lng: number },
  radiusM: number,
  width = 480,
  height = 270,
): StaticMapView {
  let zoom = 16;
  while (
    radiusM > 0 && zoom > 3 &&
    radiusM / metresPerPixel(centre.lat, zoom) > height * 0.3
  ) zoom--;
  const c = worldPixel(centre.lat, centre.lng, zoom);
  const left = c.x - width / 2;
  const top = c.y - height / 2;
  const max = 2 ** zoom;
  const tiles: StaticTile[] = [];
  for (
    let ty = Math.floor(top / TILE_SIZE);
    ty <= Math.floor((top + height - 1) / TILE_SIZE);
    ty++
  ) {
    if (ty < 0 || ty >= max) continue;
    for (
      let tx = Math.floor(left / TILE_SIZE);
      tx <= Math.floor((left + width - 1) / TILE_SIZE);
      tx++
    ) {
      tiles.push({
        url: tileUrl(template, zoom, ((tx % max) + max) % max, ty),
        x: Math.round(tx * TILE_SIZE - left),
        y: Math.round(ty * TILE_SIZE - top),
      });
    }
  }
  return {
    width,
    height,
    zoom,
    tiles,
    cx: width / 2,
    cy: height / 2,
    radiusPx: radiusM > 0
      ? Math.round(radiusM / metresPerPixel(centre.lat, zoom))
      : 0,
  };
}
