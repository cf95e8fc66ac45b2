/**
 * What a renter types in "Near": a ZIP code ("60614", "60614-1234") or a
 * place and state ("Chicago, IL", "Saint Louis, Missouri", "Evanston IL"),
 * or a place alone ("Chicago"), which only a city Prep serves can answer.
 * Pure: this reads the shape; the gazetteer says whether the place exists.
 */

export type NearText =
  | { kind: "zip"; zip: string }
  | { kind: "place"; place: string; state: string | null };

/** Letters of any script, digits, spaces and the punctuation of place names. */
const PLACE_CHARS = /^[\p{L}\p{M}0-9 .,'’-]+$/u;

export const NEAR_HINT =
  "Enter a ZIP code like 60614, or a city and state like Chicago, IL";

/** The shape of a "near" text, or null when it is neither a ZIP nor a place. */
export function parseNear(text: string): NearText | null {
  const t = text.trim().replace(/\s+/g, " ");
  const zip = /^(\d{5})(?:-\d{4})?$/.exec(t);
  if (zip) return { kind: "zip", zip: zip[1] };
  if (t.length < 2 || t.length > 80 || !PLACE_CHARS.test(t) || /\d/.test(t)) {
    return null;
  }
  const comma = /^(.+?)\s*,\s*(.+)$/.exec(t);
  if (comma) {
    return { kind: "place", place: comma[1], state: comma[2].trim() || null };
  }
  // "Evanston IL": a last word of two letters is a state code.
  const code = /^(.+) ([A-Za-z]{2})$/.exec(t);
  if (code) return { kind: "place", place: code[1], state: code[2] };
  return { kind: "place", place: t, state: null };
}
