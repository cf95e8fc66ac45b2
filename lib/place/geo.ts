/**
 * Points on the Earth and the distances between them: great-circle
 * (haversine) distance, a point some way along a bearing, and where the
 * United States is. Pure; no I/O. Shared by kitchens (the cell index and
 * radius search), the listing editor and the maps.
 */

/** Degrees; north and east positive. */
export interface Point {
  lat: number;
  lng: number;
}

/** The mean radius of the Earth (IUGG), in km. */
export const EARTH_RADIUS_KM = 6371.0088;
export const KM_PER_MILE = 1.609344;

const RAD = Math.PI / 180;

/** The great-circle distance between two points, in km (haversine). */
export function distanceKm(a: Point, b: Point): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function distanceMiles(a: Point, b: Point): number {
  return distanceKm(a, b) / KM_PER_MILE;
}

export const milesToKm = (miles: number) => miles * KM_PER_MILE;

/** The point `km` from `from` along `bearing` (radians clockwise from north). */
export function destination(from: Point, bearing: number, km: number): Point {
  const d = km / EARTH_RADIUS_KM;
  const lat1 = from.lat * RAD;
  const lng1 = from.lng * RAD;
  const lat2 = Math.asin(
    Math.sin(lat1) * Math.cos(d) +
      Math.cos(lat1) * Math.sin(d) * Math.cos(bearing),
  );
  const lng2 = lng1 +
    Math.atan2(
      Math.sin(bearing) * Math.sin(d) * Math.cos(lat1),
      Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
    );
  return { lat: lat2 / RAD, lng: ((lng2 / RAD + 540) % 360) - 180 };
}

/** A latitude/longitude box, edges included. */
export interface Box {
  south: number;
  west: number;
  north: number;
  east: number;
}

/**
 * Where Prep lists kitchens: the contiguous states, Alaska east of the
 * antimeridian, and Hawaii, as generous boxes (a little sea and Canada
 * included; what matters is that a typo like a dropped minus sign, or a
 * point in Europe, is refused). The western Aleutians past 180° are left
 * out: no kitchen is listed there, and no search needs to wrap around.
 */
export const US_REGIONS: readonly { name: string; box: Box }[] = [
  {
    name: "the contiguous United States",
    box: { south: 24.3, west: -125.0, north: 49.5, east: -66.8 },
  },
  {
    name: "Alaska",
    box: { south: 51.0, west: -180.0, north: 71.6, east: -129.9 },
  },
  {
    name: "Hawaii",
    box: { south: 18.8, west: -160.6, north: 22.4, east: -154.7 },
  },
];

export function inBox(p: Point, b: Box): boolean {
  return p.lat >= b.south && p.lat <= b.north && p.lng >= b.west &&
    p.lng <= b.east;
}

/** Whether a point is in a region Prep serves (see US_REGIONS). */
export function inUnitedStates(p: Point): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lng) &&
    US_REGIONS.some((r) => inBox(p, r.box));
}

/**
 * The nearest point of a box to `p`, as the closest latitude and longitude
 * within its edges. Over the box sizes used here (a geohash cell, tens of
 * km) this is within a few metres of the true great-circle nearest point.
 */
export function nearestInBox(p: Point, b: Box): Point {
  return {
    lat: Math.min(b.north, Math.max(b.south, p.lat)),
    lng: Math.min(b.east, Math.max(b.west, p.lng)),
  };
}

/** Distance as renters read it: "0.4 mi", "3.2 mi", "12 mi". */
export function formatMiles(miles: number): string {
  if (miles < 9.95) return `${(Math.round(miles * 10) / 10).toFixed(1)} mi`;
  return `${Math.round(miles)} mi`;
}
