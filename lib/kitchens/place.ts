/**
 * A kitchen's place as people see it (DESIGN §17): where a search is
 * centred ("near 60614", "Chicago, IL", a point on the map), where renters
 * see a kitchen before and after confirmation, and the rules for a host's
 * address and pin in the listing editor.
 */
import { findCity, matchCity } from "../cities.ts";
import { ValidationError } from "../errors.ts";
import { fieldErrors } from "../forms.ts";
import { APPROX_RADIUS_M, approximateCentre } from "../place/approx.ts";
import type { Gazetteer, ZipPlace } from "../place/gazetteer.ts";
import {
  distanceMiles,
  inUnitedStates,
  milesToKm,
  type Point,
} from "../place/geo.ts";
import { parseNear } from "../place/near.ts";
import { type Kitchen, kitchenFields, type KitchenInput } from "./schema.ts";

/** The radius a search uses when a place is given without one, in miles. */
export const DEFAULT_RADIUS_MILES = 10;
export const RADIUS_CHOICES = [1, 2, 5, 10, 25, 50] as const;

/** The centre and reach of a distance search. */
export interface SearchCentre {
  point: Point;
  radiusMiles: number;
  radiusKm: number;
  /** How the page names it: "Chicago, IL 60614", "Evanston, IL", "your location". */
  label: string;
}

/** Why a search's place could not be found: said on the page, with a 404. */
export interface PlaceProblem {
  title: string;
  message: string;
}

/** What a query says about place: typed text, or a point (near me, the map). */
export interface PlaceAsked {
  near?: string;
  lat?: number;
  lng?: number;
  radius?: number;
  from?: "me" | "map";
}

/**
 * The centre of a search, or null when it asks none, or the problem with
 * the place it names (an unknown ZIP or town). A typed place wins over a
 * point, so typing a ZIP after "Search this area" searches the ZIP.
 */
export function resolveCentre(
  q: PlaceAsked,
  gaz: Gazetteer,
): SearchCentre | PlaceProblem | null {
  const radiusMiles = q.radius ?? DEFAULT_RADIUS_MILES;
  const centre = (point: Point, label: string): SearchCentre => ({
    point,
    label,
    radiusMiles,
    radiusKm: milesToKm(radiusMiles),
  });
  if (q.near) {
    const asked = parseNear(q.near);
    if (!asked) {
      return {
        title: `We couldn't read “${q.near}”`,
        message:
          "Enter a ZIP code like 60614, or a city and state like Chicago, IL.",
      };
    }
    if (asked.kind === "zip") {
      const z = gaz.zip(asked.zip);
      if (!z) {
        return {
          title: `We don't know the ZIP code ${asked.zip}`,
          message:
            "Check the ZIP code, or search by city and state, like Chicago, IL. Prep lists kitchens in the United States only.",
        };
      }
      return centre(z, zipLabel(z));
    }
    // A city Prep serves needs no state: "Chicago" is Chicago, IL.
    const state = asked.state === null
      ? matchCity(asked.place)?.state ?? null
      : gaz.stateCode(asked.state);
    if (!state && asked.state === null && !gaz.knowsPlace(asked.place)) {
      return {
        title: `We couldn't find “${asked.place}” in the United States`,
        message:
          "Check the spelling, or enter a ZIP code. Prep lists kitchens in the United States only.",
      };
    }
    if (!state) {
      return {
        title: asked.state
          ? `We don't know the state “${asked.state}”`
          : `Which “${asked.place}”?`,
        message:
          "Add the state after a comma, like Springfield, IL, or enter a ZIP code.",
      };
    }
    const place = gaz.city(asked.place, state);
    if (place) return centre(place, `${place.city}, ${place.state}`);
    return {
      title: `We couldn't find “${asked.place}, ${state}”`,
      message:
        "Check the spelling, or enter a ZIP code. Prep lists kitchens in the United States only.",
    };
  }
  if (q.lat === undefined || q.lng === undefined) return null;
  const point = { lat: q.lat, lng: q.lng };
  const near = gaz.nearest(point);
  const where = near ? ` near ${zipLabel(near)}` : "";
  return centre(
    point,
    q.from === "me" ? `your location${where}` : `the map's centre${where}`,
  );
}

export const zipLabel = (z: ZipPlace) => `${z.city}, ${z.state} ${z.zip}`;

/**
 * Where renters see a kitchen before its booking is confirmed: the centre
 * of its approximate circle, moved from the pin by a secret per kitchen.
 * Search distances, the radius filter and map markers all use it, so no
 * number of searches from different centres can work the pin out.
 */
export function publicPoint(
  k: Pick<Kitchen, "id" | "lat" | "lng">,
  secret: Uint8Array,
): Point {
  return approximateCentre({ lat: k.lat, lng: k.lng }, k.id, secret);
}

/** A kitchen's place on its page and its bookings' pages. */
export interface PlaceView {
  /** "approximate": a circle before confirmation; "exact": the pin. */
  kind: "approximate" | "exact";
  point: Point;
  /** The circle's radius; 0 for the pin. */
  radiusM: number;
  neighbourhood: string;
  /** "Chicago, IL". */
  area: string;
}

/** The place view of a kitchen: the approximate circle, or the pin once confirmed. */
export function placeView(
  k: Pick<Kitchen, "id" | "lat" | "lng" | "address">,
  exact: boolean,
  secret: Uint8Array,
): PlaceView {
  const city = findCity(k.address.city);
  return {
    kind: exact ? "exact" : "approximate",
    point: exact ? { lat: k.lat, lng: k.lng } : publicPoint(k, secret),
    radiusM: exact ? 0 : APPROX_RADIUS_M,
    neighbourhood: k.address.neighborhood,
    area: `${city?.name ?? k.address.city}, ${k.address.state}`,
  };
}

// ---------------------------------------------------------------------------
// The listing editor's location section

/** A ZIP's centroid must be this near the city the kitchen is listed in. */
export const MAX_MILES_FROM_CITY = 50;
/** The host's pin may sit this far from the ZIP's centroid at most. */
export const MAX_PIN_MILES_FROM_ZIP = 25;

/**
 * The location section as posted: the address, and a pin when the map moved
 * one. Code that saves a section directly (the seeds, tests) may give the
 * coordinates as `lat` and `lng` instead: they are the pin.
 */
export interface LocationInput {
  address: KitchenInput["address"];
  timeZone: string;
  zoningDistrict?: string;
  pin?: Point | null;
  lat?: number;
  lng?: number;
}

/**
 * The location section's values, with coordinates: the pin when the host
 * placed one on the map; else, for an unchanged ZIP, the coordinates saved
 * before (an existing kitchen keeps its own); else the new ZIP's centroid.
 * Refuses, with the field to fix, a ZIP the gazetteer does not know, one in
 * another state or far from the kitchen's city, and a pin far from the ZIP
 * or outside the United States.
 */
export function locateListing(
  input: LocationInput,
  current: Pick<Partial<KitchenInput>, "address" | "lat" | "lng">,
  gaz: Gazetteer,
): Partial<KitchenInput> {
  const a = input.address;
  // Every problem at once (a ZIP's and the zone's), each field's first.
  const problems: Record<string, string> = {};
  const fail = (field: string, message: string) => {
    problems[field] ??= message;
  };
  const zipShape = /^(\d{5})(?:-\d{4})?$/.exec(a.postalCode.trim());
  if (!zipShape) fail("address.postalCode", "Enter a five-digit ZIP code");
  const zip = zipShape ? gaz.zip(zipShape[1]) : null;
  if (zipShape && !zip) {
    fail(
      "address.postalCode",
      `We don't know the ZIP code ${zipShape[1]}; check it`,
    );
  }
  const state = gaz.stateCode(a.state);
  if (!state) fail("address.state", "Enter the state, like IL");
  if (zip && state && state !== zip.state) {
    fail(
      "address.postalCode",
      `ZIP ${zip.zip} is in ${zip.city}, ${zip.state}, not ${state}`,
    );
  }
  const city = findCity(a.city);
  const cityCentre = city ? gaz.city(city.name, city.state) : null;
  if (zip && cityCentre) {
    const miles = distanceMiles(cityCentre, zip);
    if (miles > MAX_MILES_FROM_CITY) {
      fail(
        "address.postalCode",
        `ZIP ${zip.zip} is in ${zip.city}, ${zip.state}, ${
          Math.round(miles)
        } miles from ${city!.name}; choose the city the kitchen is in`,
      );
    }
  }
  const pin = input.pin ??
    (input.lat !== undefined && input.lng !== undefined
      ? { lat: input.lat, lng: input.lng }
      : null);
  if (pin && !inUnitedStates(pin)) {
    fail("pin", "The pin is outside the United States; move it back");
  } else if (pin && zip) {
    const miles = distanceMiles(pin, zip);
    if (miles > MAX_PIN_MILES_FROM_ZIP) {
      fail(
        "pin",
        `The pin is ${
          Math.round(miles)
        } miles from ZIP ${zip.zip}; move it to the kitchen, or check the ZIP`,
      );
    }
  }
  if (!zip || Object.keys(problems).length > 0) {
    // What saving would say next about the other fields, said now too.
    const rest = LOCATION_FIELDS.safeParse({
      address: a,
      timeZone: input.timeZone,
      zoningDistrict: input.zoningDistrict,
    });
    if (!rest.success) {
      for (const [field, message] of Object.entries(fieldErrors(rest.error))) {
        fail(field, message);
      }
    }
    throw new ValidationError(problems, "Please check the highlighted fields.");
  }
  let point: Point;
  if (pin) point = pin;
  else if (
    current.address?.postalCode?.trim().slice(0, 5) === zip.zip &&
    current.lat !== undefined && current.lng !== undefined
  ) {
    point = { lat: current.lat, lng: current.lng };
  } else {
    point = { lat: zip.lat, lng: zip.lng };
  }
  return {
    address: { ...a, state: zip.state, postalCode: zip.zip },
    timeZone: input.timeZone,
    zoningDistrict: input.zoningDistrict,
    lat: round6(point.lat),
    lng: round6(point.lng),
  };
}

/** The location section's fields the kitchen's own rules check (not the ZIP's place). */
const LOCATION_FIELDS = kitchenFields.pick({
  address: true,
  timeZone: true,
  zoningDistrict: true,
});

/** Six decimals: about 10 cm, more than any pin needs. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
