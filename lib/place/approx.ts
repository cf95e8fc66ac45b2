/**
 * Where renters see a kitchen before a booking is confirmed: a circle of
 * APPROX_RADIUS_M around a centre moved away from the pin by a distance and
 * bearing fixed per kitchen. The move comes from an HMAC of the kitchen's id
 * under a secret of the deployment, so it is stable (the circle does not
 * wander between visits, which averaging would undo) and cannot be worked
 * back from the id. The pin is always inside the circle, never at its
 * centre. Pure: the caller supplies the secret.
 */
import { createHmac } from "node:crypto";
import { destination, type Point } from "./geo.ts";

/** The circle renters see before confirmation, in metres. */
export const APPROX_RADIUS_M = 400;
/** How far the centre is moved from the pin, in metres: never less, never more. */
export const APPROX_OFFSET_M = { min: 120, max: 320 } as const;

/** Centres already worked out, per secret; cleared whole when full. */
const centres = new WeakMap<Uint8Array, Map<string, Point>>();
const MAX_CENTRES = 50_000;

/**
 * The centre of a kitchen's approximate circle. Remembered: every search
 * card, map marker and radius check asks again, and an HMAC through
 * node:crypto costs ~25 µs, a tenth of a fresh kitchen page.
 */
export function approximateCentre(
  pin: Point,
  kitchenId: string,
  secret: Uint8Array,
): Point {
  let memo = centres.get(secret);
  if (!memo) centres.set(secret, memo = new Map());
  const key = `${kitchenId} ${pin.lat} ${pin.lng}`;
  const known = memo.get(key);
  if (known) return known;
  if (memo.size >= MAX_CENTRES) memo.clear();
  const centre = Object.freeze(computeCentre(pin, kitchenId, secret));
  memo.set(key, centre);
  return centre;
}

function computeCentre(
  pin: Point,
  kitchenId: string,
  secret: Uint8Array,
): Point {
  const mac = createHmac("sha256", secret).update(`approx:${kitchenId}`)
    .digest();
  const u = (at: number) => mac.readUInt32BE(at) / 2 ** 32;
  const bearing = u(0) * 2 * Math.PI;
  const metres = APPROX_OFFSET_M.min +
    u(4) * (APPROX_OFFSET_M.max - APPROX_OFFSET_M.min);
  return destination(pin, bearing, metres / 1000);
}
