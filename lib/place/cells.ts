/**
 * The cells of the kitchens' place index (DESIGN §17): geohashes at one
 * fixed precision. A kitchen is indexed under the cell its pin is in; a
 * radius search reads the cells that cover its circle, nearest first, and
 * then checks each kitchen's exact distance.
 *
 * Precision 4 makes cells 0.35° of longitude by 0.18° of latitude: about
 * 29 × 20 km in Chicago, 33 × 20 km in Honolulu, 13 × 20 km at Alaska's
 * north coast. A 1-mile search reads 1 to 4 of them, a 50-mile one at most
 * about 120 (in the far north), so the reads per search stay bounded
 * whatever the catalogue holds. Precision 5 (a 4.9 km square at the
 * equator) would need over a thousand reads for 50 miles.
 */
// @ts-types="@types/ngeohash"
import geohash from "ngeohash";
import { type Box, distanceKm, nearestInBox, type Point } from "./geo.ts";

export const CELL_PRECISION = 4;

/** The cell a point is in. */
export function cellOf(p: Point): string {
  return geohash.encode(p.lat, p.lng, CELL_PRECISION);
}

/** A cell's edges. */
export function cellBox(cell: string): Box {
  const [south, west, north, east] = geohash.decode_bbox(cell);
  return { south, west, north, east };
}

/** A cell of a cover set, and how near its nearest edge comes to the centre. */
export interface CoverCell {
  cell: string;
  /** 0 for the cell the centre is in. */
  minKm: number;
}

const KM_PER_DEGREE_LAT = 111.32;

/**
 * Every cell that a circle touches, nearest first (ties by name, so the
 * order is stable). The circle's bounding box gives the candidates; those
 * whose nearest point is farther than the radius are dropped.
 */
export function coverCells(centre: Point, radiusKm: number): CoverCell[] {
  const dLat = radiusKm / KM_PER_DEGREE_LAT;
  const south = Math.max(-89.9, centre.lat - dLat);
  const north = Math.min(89.9, centre.lat + dLat);
  // Longitude degrees shrink towards the poles: size the box by the edge
  // farthest from the equator, where they are shortest.
  const widest = Math.max(Math.abs(south), Math.abs(north));
  const dLng = Math.min(
    179.9,
    radiusKm / (KM_PER_DEGREE_LAT * Math.cos(widest * Math.PI / 180)),
  );
  const west = Math.max(-180, centre.lng - dLng);
  const east = Math.min(179.999999, centre.lng + dLng);
  const out: CoverCell[] = [];
  for (
    const cell of new Set(
      geohash.bboxes(south, west, north, east, CELL_PRECISION),
    )
  ) {
    const minKm = distanceKm(centre, nearestInBox(centre, cellBox(cell)));
    if (minKm <= radiusKm) out.push({ cell, minKm });
  }
  return out.sort((a, b) => a.minKm - b.minKm || (a.cell < b.cell ? -1 : 1));
}
