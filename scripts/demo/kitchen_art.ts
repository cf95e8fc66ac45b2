import { mulberry32 } from "../../lib/random.ts";
/**
 * Procedural flat-illustration "photos" of commercial kitchens.
 *
 * The demo catalogue needs dozens of listing images and we may not ship stock
 * photography, so every picture is drawn here from simple SVG shapes. Output
 * is a pure function of the options: the same seed always yields the same
 * bytes, which keeps seeded data, snapshots and caches stable.
 */

export type ArtScene = "line" | "bakery" | "prep" | "storage" | "dish";

export interface ArtOptions {
  seed: number;
  scene: ArtScene;
  width?: number;
  height?: number;
}

export const ART_SCENES: readonly ArtScene[] = Object.freeze([
  "line",
  "bakery",
  "prep",
  "storage",
  "dish",
]);

/** A complete standalone SVG document, deterministic for the same options. */
export function renderKitchenArt(opts: ArtOptions): string {
  const { width, height } = checkOptions(opts);
  const art = compose(opts);
  const t = art.pfx + "t";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" ` +
    `width="${f(width)}" height="${f(height)}" ` +
    // Other aspect ratios crop like a photo would instead of letterboxing.
    `preserveAspectRatio="xMidYMid slice" role="img" aria-labelledby="${t}">` +
    `<title id="${t}">${escapeXml(art.alt)}</title>` +
    `<defs>${art.defs}</defs>${art.body}</svg>`;
}

/** Short alt text describing what the picture shows. */
export function describeKitchenArt(opts: ArtOptions): string {
  checkOptions(opts);
  return compose(opts).alt;
}

// ---------------------------------------------------------------------------
// Drawing space. Everything is laid out on a fixed 1200x800 canvas and scaled
// by the viewBox, so layout code never has to think about output size.

const W = 1200;
const H = 800;
/** Ceiling soffit height. */
const CEIL = 34;
/** Where the back wall meets the floor. */
const JOINT = 560;
/** Where equipment feet touch the floor, in front of the wall. */
const BASE = 664;
/** Counter-top height (roughly 5 px per inch). */
const TOP = 480;
/** Items standing on a counter rest slightly behind its front edge. */
const ON_TOP = TOP + 4;

const DARK = "#2d3237";
const STEEL_EDGE = "#a9b2bb";
const STEEL_MID = "#c9d0d7";
const LEG = "#7d8791";
const WHITE = "#ffffff";

function checkOptions(opts: ArtOptions): { width: number; height: number } {
  if (!ART_SCENES.includes(opts.scene)) {
    throw new RangeError(`unknown art scene: ${String(opts.scene)}`);
  }
  if (!Number.isFinite(opts.seed)) {
    throw new RangeError("art seed must be a finite number");
  }
  const width = opts.width ?? W;
  const height = opts.height ?? H;
  for (const v of [width, height]) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new RangeError("art width and height must be positive numbers");
    }
  }
  return { width, height };
}

/** Rounds to one decimal so output stays small and platform-independent. */
function f(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Template tag that rounds every interpolated number, for path data. */
function P(s: TemplateStringsArray, ...v: number[]): string {
  let out = s[0];
  for (let i = 0; i < v.length; i++) out += f(v[i]) + s[i + 1];
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Mixes `hex` towards white (amt > 0) or black (amt < 0). */
function shade(hex: string, amt: number): string {
  const v = parseInt(hex.slice(1), 16);
  const target = amt < 0 ? 0 : 255;
  const ch = (shift: number) => {
    const c = (v >> shift) & 255;
    return Math.round(c + (target - c) * Math.abs(amt));
  };
  const n = (1 << 24) | (ch(16) << 16) | (ch(8) << 8) | ch(0);
  return "#" + n.toString(16).slice(1);
}

function listJoin(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join("");
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six"];

// ---------------------------------------------------------------------------
// Palettes

interface Palette {
  /** Used in alt text, e.g. "teal subway tiles". */
  tileName: string;
  wall: string;
  tile: string;
  grout: string;
  accent: string;
  accent2: string;
  floor: string;
  floorLine: string;
}

const PALETTES: readonly Palette[] = [
  {
    tileName: "cream",
    wall: "#f6ebe0",
    tile: "#efdcc6",
    grout: "#dcc3a6",
    accent: "#d9663b",
    accent2: "#f2b33d",
    floor: "#8a6d5a",
    floorLine: "#6f5646",
  },
  {
    tileName: "terracotta",
    wall: "#f7ebe2",
    tile: "#d98466",
    grout: "#f1c8b6",
    accent: "#2f6f62",
    accent2: "#f0c05a",
    floor: "#5e4d46",
    floorLine: "#4a3c36",
  },
  {
    tileName: "pale blue",
    wall: "#eaf1f7",
    tile: "#d3e3f0",
    grout: "#b5cade",
    accent: "#3a6ea5",
    accent2: "#f0a35e",
    floor: "#5e6d7c",
    floorLine: "#4b5867",
  },
  {
    tileName: "navy",
    wall: "#edf0f4",
    tile: "#2f4a6b",
    grout: "#5a7596",
    accent: "#f2b33d",
    accent2: "#e06a4e",
    floor: "#454b54",
    floorLine: "#363b42",
  },
  {
    tileName: "white",
    wall: "#f1eee9",
    tile: "#fbfbfa",
    grout: "#dcd8d1",
    accent: "#37424d",
    accent2: "#c9a227",
    floor: "#76716b",
    floorLine: "#605b56",
  },
  {
    tileName: "teal",
    wall: "#e6f2f0",
    tile: "#7fc6ba",
    grout: "#bfe3dd",
    accent: "#1f7a6d",
    accent2: "#f4a259",
    floor: "#4d5b5d",
    floorLine: "#3d4849",
  },
  {
    tileName: "emerald green",
    wall: "#eef4ef",
    tile: "#2f8f6b",
    grout: "#6cb597",
    accent: "#e8b04b",
    accent2: "#d95d39",
    floor: "#4b504b",
    floorLine: "#3a3e3a",
  },
  {
    tileName: "sage green",
    wall: "#f2f3eb",
    tile: "#bccdb2",
    grout: "#a3b799",
    accent: "#55784a",
    accent2: "#e39b5b",
    floor: "#6d675f",
    floorLine: "#58534c",
  },
  {
    tileName: "mustard yellow",
    wall: "#fbf4e4",
    tile: "#efc257",
    grout: "#f8dfa0",
    accent: "#2d5d7b",
    accent2: "#e4572e",
    floor: "#56514c",
    floorLine: "#45413c",
  },
];

// ---------------------------------------------------------------------------
// Gradients. Only the ones a picture uses are emitted, to keep files small.

type GradId =
  | "st"
  | "sh"
  | "sd"
  | "wl"
  | "fl"
  | "gl"
  | "fi"
  | "sk"
  | "wd"
  | "gs"
  | "br"
  | "lc";

type Stop = readonly [offset: number, color: string, opacity?: number];

function linear(id: string, stops: readonly Stop[], horizontal = false) {
  const dir = horizontal ? ' x2="1" y2="0"' : ' x2="0" y2="1"';
  return `<linearGradient id="${id}"${dir}>${stopsXml(stops)}</linearGradient>`;
}

function radial(id: string, stops: readonly Stop[]) {
  return `<radialGradient id="${id}">${stopsXml(stops)}</radialGradient>`;
}

function stopsXml(stops: readonly Stop[]): string {
  return stops.map(([o, c, a]) =>
    `<stop offset="${o}" stop-color="${c}"${
      a === undefined ? "" : ` stop-opacity="${a}"`
    }/>`
  ).join("");
}

function gradientXml(g: GradId, id: string, pal: Palette): string {
  switch (g) {
    case "st": // counter tops and rims: lit from above
      return linear(id, [[0, "#f8fafb"], [0.55, "#d7dde2"], [1, "#b4bdc6"]]);
    case "sh": // brushed fronts: a soft vertical sheen
      return linear(id, [
        [0, "#c3cbd3"],
        [0.3, "#edf0f3"],
        [0.65, "#dce1e6"],
        [1, "#bcc4cc"],
      ], true);
    case "sd":
      return linear(id, [[0, "#8f99a3"], [1, "#5f6872"]]);
    case "wl":
      return linear(id, [[0, shade(pal.wall, 0.35)], [1, pal.wall]]);
    case "fl":
      return linear(id, [[0, shade(pal.floor, -0.12)], [1, pal.floor]]);
    case "gl":
      return radial(id, [[0, "#fff4cf", 0.75], [1, "#fff4cf", 0]]);
    case "fi":
      return linear(id, [[0, "#ffcf6e"], [0.6, "#f07b2e"], [1, "#8a3310"]]);
    case "sk":
      return linear(id, [[0, "#9fd3f0"], [1, "#e9f6fc"]]);
    case "wd":
      return linear(id, [[0, "#e2b27a"], [1, "#c28a52"]]);
    case "gs":
      return linear(id, [[0, "#b6d4e6"], [1, "#e3eff6"]], true);
    case "br":
      return linear(id, [[0, "#e8ae62"], [1, "#b66a2c"]]);
    case "lc":
      return linear(id, [[0, "#fff3c4", 0.45], [1, "#fff3c4", 0]]);
  }
}

// ---------------------------------------------------------------------------
// Pen: collects markup plus the facts the alt text needs.

type Extra = "a window" | "pendant lights" | "a wall clock";

class Pen {
  readonly out: string[] = [];
  readonly used = new Set<GradId>();
  readonly extras = new Set<Extra>();

  constructor(
    readonly rnd: () => number,
    readonly pal: Palette,
    readonly pfx: string,
  ) {}

  rf(a: number, b: number): number {
    return a + (b - a) * this.rnd();
  }

  ri(a: number, b: number): number {
    return Math.min(b, Math.floor(this.rf(a, b + 1)));
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.min(xs.length - 1, Math.floor(this.rnd() * xs.length))];
  }

  u(g: GradId): string {
    this.used.add(g);
    return `url(#${this.pfx}${g})`;
  }

  rect(
    x: number,
    y: number,
    w: number,
    h: number,
    fill: string,
    rx = 0,
    extra = "",
  ): void {
    this.out.push(
      `<rect x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}"${
        rx ? ` rx="${f(rx)}"` : ""
      } fill="${fill}"${extra ? " " + extra : ""}/>`,
    );
  }

  ell(
    cx: number,
    cy: number,
    rx: number,
    ry: number,
    fill: string,
    extra = "",
  ) {
    this.out.push(
      `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(rx)}" ry="${
        f(ry)
      }" fill="${fill}"${extra ? " " + extra : ""}/>`,
    );
  }

  circ(cx: number, cy: number, r: number, fill: string, extra = "") {
    this.out.push(
      `<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r)}" fill="${fill}"${
        extra ? " " + extra : ""
      }/>`,
    );
  }

  path(d: string, fill: string, extra = "") {
    this.out.push(
      `<path d="${d}" fill="${fill}"${extra ? " " + extra : ""}/>`,
    );
  }

  line(d: string, color: string, width: number, extra = "") {
    this.out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="${
        f(width)
      }" stroke-linecap="round"${extra ? " " + extra : ""}/>`,
    );
  }

  shadow(cx: number, w: number, y = BASE) {
    this.ell(cx, y + 2, w / 2 + 16, 9, "#000", 'opacity=".14"');
  }
}

// ---------------------------------------------------------------------------
// Composition

interface Art {
  pfx: string;
  alt: string;
  defs: string;
  body: string;
}

function compose(opts: ArtOptions): Art {
  const seed = opts.seed >>> 0;
  const sceneIndex = ART_SCENES.indexOf(opts.scene);
  // Mixing the scene in keeps "seed 7 bakery" and "seed 7 dish" from sharing
  // a palette and layout rhythm when a catalogue numbers kitchens in order.
  const rnd = mulberry32(seed ^ Math.imul(sceneIndex + 1, 0x9e3779b9));
  const pal = PALETTES[Math.floor(rnd() * PALETTES.length)];
  // Per-image id prefix so several SVGs inlined in one page never collide.
  const pfx = `ka${seed.toString(36)}${opts.scene[0]}`;
  const p = new Pen(rnd, pal, pfx);

  const tiles = room(p);
  const main = SCENES[opts.scene](p);
  let alt = `Illustration of ${main}, against ${pal.tileName} ${tiles}`;
  if (p.extras.size) alt += `, with ${listJoin([...p.extras])}`;

  const defs = [...p.used].map((g) => gradientXml(g, pfx + g, pal)).join("");
  return { pfx, alt, defs, body: p.out.join("") };
}

/** Wall, tiles, ceiling and floor. Returns the tile phrase for alt text. */
function room(p: Pen): string {
  const { pal } = p;
  p.rect(0, 0, W, JOINT, p.u("wl"));
  const style = p.pick(["subway", "subway", "square", "panel"] as const);
  const tileTop = p.pick([CEIL, 200, 250, 290]);
  p.rect(0, tileTop, W, JOINT - tileTop, pal.tile);
  const grout = `stroke="${pal.grout}" stroke-width="2.5"`;
  if (style === "subway") {
    const th = 32;
    const tw = 88;
    let rows = "";
    for (let y = tileTop + th; y < JOINT; y += th) rows += P`M0 ${y}H${W}`;
    let a = "";
    let b = "";
    for (let x = 0; x <= W; x += tw) {
      a += P`M${x} ${tileTop}V${JOINT}`;
      b += P`M${x + tw / 2} ${tileTop}V${JOINT}`;
    }
    p.path(rows, "none", grout);
    // Dashed verticals draw the running bond with two short paths instead of
    // one segment per tile.
    p.path(a, "none", `${grout} stroke-dasharray="${th} ${th}"`);
    p.path(
      b,
      "none",
      `${grout} stroke-dasharray="${th} ${th}" stroke-dashoffset="${th}"`,
    );
  } else {
    const sz = style === "square" ? 56 : 200;
    let d = "";
    for (let y = tileTop + sz; y < JOINT; y += style === "square" ? sz : 150) {
      d += P`M0 ${y}H${W}`;
    }
    for (let x = sz / 2; x <= W; x += sz) d += P`M${x} ${tileTop}V${JOINT}`;
    p.path(d, "none", grout);
  }
  if (tileTop > CEIL) p.rect(0, tileTop - 7, W, 8, shade(pal.tile, -0.12));
  // Ceiling soffit and a recessed light strip give the room a top edge.
  p.rect(0, 0, W, CEIL, shade(pal.wall, -0.08));
  p.rect(0, CEIL - 4, W, 4, shade(pal.wall, -0.16));

  p.rect(0, JOINT, W, H - JOINT, p.u("fl"));
  // Perspective floor joints converging on a point above the room.
  let fl = "";
  for (let i = 1; i < 8; i++) {
    const y = JOINT + (H - JOINT) * Math.pow(i / 7, 1.5);
    fl += P`M0 ${y}H${W}`;
  }
  const vy = 160;
  const k = (H - vy) / (JOINT - vy);
  for (let x = -480; x <= W + 480; x += 120) {
    fl += P`M${x} ${JOINT}L${W / 2 + (x - W / 2) * k} ${H}`;
  }
  p.path(
    fl,
    "none",
    `stroke="${pal.floorLine}" stroke-width="2" opacity=".45"`,
  );
  p.rect(0, JOINT - 10, W, 12, shade(pal.floor, 0.15));
  return style === "panel" ? "wall panels" : `${style} tiles`;
}

// ---------------------------------------------------------------------------
// Wall decor

function windowArt(p: Pen, cx: number, y: number, w: number, h: number) {
  const frame = p.pick([WHITE, WHITE, p.pal.accent, "#3b4249"]);
  const x = cx - w / 2;
  p.rect(x - 10, y - 10, w + 20, h + 20, frame, 4);
  p.rect(x, y, w, h, p.u("sk"));
  p.ell(
    x + w * p.rf(0.2, 0.7),
    y + h * 0.3,
    w * 0.12,
    h * 0.07,
    WHITE,
    'opacity=".8"',
  );
  // A distant skyline makes the rectangle read as a window at a glance.
  let d = P`M${x} ${y + h}`;
  for (let bx = x; bx < x + w;) {
    const bw = Math.min(p.rf(18, 46), x + w - bx);
    d += P`V${y + h - p.rf(h * 0.15, h * 0.5)}H${bx + bw}`;
    bx += bw;
  }
  p.path(d + P`V${y + h}Z`, "#9cc3d8", 'opacity=".8"');
  p.path(
    P`M${x + w * 0.55} ${y}h${w * 0.18}l${-w * 0.3} ${h}h${-w * 0.18}z`,
    WHITE,
    'opacity=".25"',
  );
  p.rect(cx - 4, y, 8, h, frame);
  p.rect(x, y + h * 0.45, w, 7, frame);
  p.rect(x - 18, y + h + 8, w + 36, 10, shade(frame, -0.12), 3);
  if (p.chance(0.6)) plant(p, x + p.rf(20, w - 60), y + h + 8, 0.8);
}

function plant(p: Pen, x: number, base: number, s = 1) {
  const g = p.pick(["#4f9a5a", "#3f8a68", "#6aa84f"]);
  p.ell(x + 20 * s, base - 34 * s, 12 * s, 20 * s, g);
  p.ell(x + 8 * s, base - 26 * s, 10 * s, 15 * s, shade(g, 0.15));
  p.ell(x + 32 * s, base - 27 * s, 10 * s, 15 * s, shade(g, -0.12));
  p.path(
    P`M${x + 6 * s} ${base - 22 * s}h${28 * s}l-4 ${22 * s}h${-20 * s}z`,
    p.pick(["#d9825b", WHITE, "#e8d8c0", p.pal.accent2]),
  );
}

function clock(p: Pen, cx: number, cy: number, r: number) {
  p.circ(cx, cy, r + 6, p.pick([DARK, p.pal.accent, "#b8c0c8"]));
  p.circ(cx, cy, r, WHITE);
  let ticks = "";
  for (let i = 0; i < 12; i++) {
    const a = (i * Math.PI) / 6;
    const r1 = i % 3 === 0 ? r * 0.72 : r * 0.82;
    ticks += P`M${cx + Math.sin(a) * r1} ${cy - Math.cos(a) * r1}L${
      cx + Math.sin(a) * r * 0.9
    } ${cy - Math.cos(a) * r * 0.9}`;
  }
  p.line(ticks, "#59616a", 2.5);
  const hr = p.rf(0, 12);
  const mn = p.rf(0, 60);
  const ha = (hr * Math.PI) / 6;
  const ma = (mn * Math.PI) / 30;
  p.line(
    P`M${cx} ${cy}L${cx + Math.sin(ha) * r * 0.5} ${
      cy - Math.cos(ha) * r * 0.5
    }`,
    DARK,
    5,
  );
  p.line(
    P`M${cx} ${cy}L${cx + Math.sin(ma) * r * 0.75} ${
      cy - Math.cos(ma) * r * 0.75
    }`,
    DARK,
    3,
  );
  p.circ(cx, cy, 3.5, p.pal.accent2);
}

function pendants(p: Pen, xs: readonly number[], drop: number) {
  const color = p.pick([p.pal.accent, DARK, p.pal.accent2, "#e9e4da"]);
  const kind = p.pick(["dome", "cone", "drum"] as const);
  for (const x of xs) {
    p.circ(x, drop + 26, 70, p.u("gl"));
    p.rect(x - 1, CEIL, 2, drop - CEIL, "#50575e");
    p.ell(x, drop + 1, 14, 6, "#fff6d8");
    if (kind === "dome") {
      p.path(P`M${x - 34} ${drop}a34 30 0 0 1 68 0z`, color);
    } else if (kind === "cone") {
      p.path(P`M${x - 8} ${drop - 34}h16l24 34h-64z`, color);
    } else {
      p.rect(x - 24, drop - 30, 48, 30, color, 4);
    }
  }
  p.extras.add("pendant lights");
}

/**
 * Fills the upper wall between x0 and x1 (down to yMax) with at most one of a
 * window, a clock or pendant lights.
 */
function decorTop(p: Pen, x0: number, x1: number, yMax: number) {
  const w = x1 - x0;
  if (w < 110) return;
  const opts: string[] = ["pendants", "none"];
  if (!p.extras.size) opts.pop();
  if (w >= 230 && yMax >= 220) opts.push("window", "window", "window");
  if (!p.extras.has("a wall clock")) opts.push("clock");
  if (!p.extras.has("pendant lights")) opts.push("pendants");
  const kind = p.pick(opts);
  if (kind === "window") {
    const ww = Math.min(w - 60, 340);
    const wh = Math.min(yMax - 110, 180);
    windowArt(p, (x0 + x1) / 2, 86, ww, wh);
    p.extras.add("a window");
  } else if (kind === "clock") {
    clock(p, p.rf(x0 + 60, x1 - 60), Math.min(150, yMax - 60), 36);
    p.extras.add("a wall clock");
  } else if (kind === "pendants") {
    const n = Math.max(1, Math.min(3, Math.floor(w / 190)));
    const xs = Array.from({ length: n }, (_, i) => x0 + (w * (i + 0.5)) / n);
    pendants(p, xs, p.rf(110, Math.min(170, yMax - 40)));
  }
}

function wallShelf(p: Pen, x: number, w: number, y: number) {
  p.path(P`M${x + 20} ${y}h8v24z`, LEG);
  p.path(P`M${x + w - 28} ${y}h8v24z`, LEG);
  p.rect(x, y, w, 9, p.u("st"), 2);
}

// ---------------------------------------------------------------------------
// Small objects. Each maker decides its size first so rows can be packed.

interface Item {
  w: number;
  draw: (x: number, base: number) => void;
}
type Maker = (p: Pen) => Item;

/** Packs random items left to right between x0 and x1 on a surface. */
function fillRow(
  p: Pen,
  x0: number,
  x1: number,
  base: number,
  makers: readonly Maker[],
  first?: Maker,
): number {
  let x = x0 + p.rf(6, 24);
  let count = 0;
  let misses = 0;
  let prev: Maker | undefined;
  while (misses < 3) {
    let maker = count === 0 && first ? first : p.pick(makers);
    // Two identical neighbours read as a copy-paste glitch, so re-roll once.
    if (maker === prev) maker = p.pick(makers);
    const item = maker(p);
    if (x + item.w > x1) {
      misses++;
      continue;
    }
    item.draw(x, base);
    prev = maker;
    count++;
    x += item.w + p.rf(10, 30);
  }
  return count;
}

const VEG_KINDS = [
  "tomato",
  "lemon",
  "onion",
  "pepper",
  "cabbage",
  "carrot",
] as const;
type Veg = typeof VEG_KINDS[number];

function veg(p: Pen, kind: Veg, cx: number, base: number) {
  switch (kind) {
    case "tomato":
      p.circ(cx, base - 11, 11, "#e2483c");
      p.ell(cx, base - 21, 6, 2.5, "#3f8f3a");
      p.circ(cx - 4, base - 15, 3, WHITE, 'opacity=".35"');
      break;
    case "lemon":
      p.ell(cx, base - 8.5, 12, 8.5, "#f4cd3b");
      break;
    case "onion":
      p.circ(cx, base - 11, 11, "#a4507a");
      p.path(P`M${cx - 3} ${base - 20}l3 -7l3 7z`, "#a4507a");
      break;
    case "pepper": {
      const c = p.pick(["#e5412f", "#3f9a45", "#f2b632"]);
      p.rect(cx - 11, base - 22, 22, 22, c, 8);
      p.rect(cx - 2, base - 27, 4, 6, "#3f7a35", 2);
      break;
    }
    case "cabbage":
      p.circ(cx, base - 15, 15, "#7cbc4f");
      p.circ(cx - 5, base - 13, 10, "#9ad36a");
      break;
    case "carrot":
      p.path(P`M${cx - 26} ${base - 5}L${cx + 18} ${base - 11}v10z`, "#f08a24");
      p.path(P`M${cx + 18} ${base - 8}l14 -9l-4 9l6 4z`, "#4f9a3c");
      break;
  }
}

function knife(p: Pen, x: number, y: number) {
  p.rect(x - 34, y - 8, 36, 8, DARK, 3);
  p.path(P`M${x} ${y}h60q14 0 18 -9h-78z`, "#dfe4e8");
}

const board: Maker = (p) => {
  const w = p.ri(150, 200);
  const color = p.pick([p.u("wd"), p.u("wd"), "#f3f3ef", "#7fbf7a", "#e9b949"]);
  const kind = p.pick(VEG_KINDS);
  const chopped = p.chance(0.5);
  return {
    w,
    draw: (x, base) => {
      p.rect(x, base - 11, w, 11, color, 4);
      p.rect(x, base - 4, w, 4, "#000", 0, 'opacity=".08"');
      const top = base - 11;
      if (chopped) {
        const c = kind === "cabbage" || kind === "pepper"
          ? "#8cc63f"
          : kind === "carrot"
          ? "#f08a24"
          : kind === "lemon"
          ? "#f4cd3b"
          : kind === "onion"
          ? "#c97aa0"
          : "#e2483c";
        let d = "";
        for (let i = 0; i < 9; i++) {
          const px = x + 14 + (i % 5) * 9 + (i > 4 ? 4 : 0);
          const py = top - 6 - (i > 4 ? 6 : 0);
          d += P`M${px} ${py}h7v6h-7z`;
        }
        p.path(d, c);
        veg(p, kind, x + 80, top);
      } else {
        veg(p, kind, x + 26, top);
        veg(p, kind, x + 54, top);
      }
      knife(p, x + w - 80, top);
    },
  };
};

function bowlShape(p: Pen, x: number, base: number, w: number, h: number) {
  p.path(P`M${x} ${base - h}h${w}a${w / 2} ${h} 0 0 1 ${-w} 0z`, p.u("sh"));
  p.rect(x - 3, base - h - 3, w + 6, 6, "#eef1f4", 3);
}

const bowl: Maker = (p) => {
  const w = p.ri(70, 100);
  const kind = p.pick(VEG_KINDS.slice(0, 5));
  return {
    w,
    draw: (x, base) => {
      const h = w * 0.42;
      for (let i = 0; i < 3; i++) {
        veg(p, kind, x + w * (0.28 + i * 0.22), base - h + 6);
      }
      bowlShape(p, x, base, w, h);
    },
  };
};

const vegGroup: Maker = (p) => {
  const kind = p.pick(VEG_KINDS);
  const n = kind === "carrot" ? 2 : p.ri(2, 4);
  const step = kind === "cabbage" ? 30 : kind === "carrot" ? 0 : 22;
  const w = kind === "carrot" ? 60 : 24 + (n - 1) * step;
  return {
    w,
    draw: (x, base) => {
      for (let i = 0; i < n; i++) {
        veg(
          p,
          kind,
          x + 12 + i * step + (kind === "carrot" ? 26 : 0),
          base - (kind === "carrot" ? i * 9 : 0),
        );
      }
    },
  };
};

const plates: Maker = (p) => {
  const w = p.ri(64, 84);
  const n = p.ri(5, 11);
  return {
    w,
    draw: (x, base) => {
      const h = n * 5;
      p.rect(x, base - h, w, h, "#f8f8f6", 2);
      let d = "";
      for (let i = 1; i < n; i++) d += P`M${x + 2} ${base - i * 5}h${w - 4}`;
      p.line(d, "#d5d9dc", 1.2);
    },
  };
};

const squeeze: Maker = (p) => {
  const cs = [p.pick(["#e5412f", "#f2c12e", "#4f9a3c", "#f4f1e8"]), "#f2c12e"];
  return {
    w: 40,
    draw: (x, base) => {
      cs.forEach((c, i) => {
        const bx = x + i * 20;
        p.rect(bx, base - 44, 16, 44, c, 5);
        p.path(P`M${bx + 4} ${base - 44}l4 -14l4 14z`, c);
      });
    },
  };
};

const hotelPan: Maker = (p) => {
  const w = p.ri(70, 100);
  const food = p.pick(["#d9822b", "#8a4b2a", "#9acd5a", "#e8c15a", "#c8443a"]);
  return {
    w,
    draw: (x, base) => {
      p.rect(x + 4, base - 26, w - 8, 10, food, 4);
      p.rect(x, base - 22, w, 22, p.u("sh"), 2);
      p.rect(x - 3, base - 24, w + 6, 5, "#eef1f4", 2);
    },
  };
};

function jarMaker(tall: boolean): Maker {
  return (p) => {
    const w = tall ? p.ri(32, 40) : p.ri(26, 34);
    const h = tall ? p.ri(44, 60) : p.ri(30, 40);
    const content = p.pick([
      "#d9822b",
      "#c8443a",
      "#e8c15a",
      "#6b8e3a",
      "#8a5a3a",
      "#f3ead8",
    ]);
    const lid = p.pick([p.pal.accent, DARK, "#d8dde2", p.pal.accent2]);
    return {
      w,
      draw: (x, base) => {
        p.rect(x, base - h, w, h, "#eaf3f6", 5, 'opacity=".75"');
        p.rect(x + 3, base - h * 0.7, w - 6, h * 0.7 - 3, content, 3);
        p.rect(x - 1, base - h - 6, w + 2, 8, lid, 2);
      },
    };
  };
}

const cambro: Maker = (p) => {
  const w = p.ri(48, 62);
  const h = p.ri(52, 68);
  const content = p.pick([
    "#e8c15a",
    "#f3ead8",
    "#c8443a",
    "#9acd5a",
    "#d9822b",
    "#8a5a3a",
  ]);
  const lid = p.pick(["#d64541", "#3b82c4", "#3f9a45", "#f2c12e", "#eef1f3"]);
  return {
    w,
    draw: (x, base) => {
      p.rect(x, base - h, w, h, "#f4f8f9", 3, 'opacity=".85"');
      p.rect(x + 3, base - h * 0.62, w - 6, h * 0.62 - 3, content, 2);
      p.rect(x - 2, base - h - 6, w + 4, 8, lid, 2);
      p.rect(x + 8, base - h + 10, w - 16, 10, "#5b8fd1", 1, 'opacity=".85"');
    },
  };
};

const shelfPot: Maker = (p) => {
  const w = p.ri(60, 80);
  return {
    w,
    draw: (x, base) => stockPot(p, x + w / 2, base, w - 16, w * 0.6, false),
  };
};

const bowlStack: Maker = (p) => {
  const w = p.ri(60, 80);
  return {
    w,
    draw: (x, base) => {
      for (let i = 2; i >= 0; i--) {
        bowlShape(p, x + i * 3, base - i * 7, w - i * 6, 24);
      }
    },
  };
};

const pottedPlant: Maker = (p) => ({
  w: 40,
  draw: (x, base) => plant(p, x, base),
});

// ---------------------------------------------------------------------------
// Furniture

function counterTop(p: Pen, x: number, w: number, wood = false) {
  p.rect(x - 6, TOP, w + 12, wood ? 20 : 16, wood ? p.u("wd") : p.u("st"), 3);
  p.rect(
    x - 6,
    TOP + (wood ? 16 : 12),
    w + 12,
    4,
    wood ? "#9c6a3c" : STEEL_EDGE,
    2,
  );
}

/** Open work table with an undershelf; returns the undershelf surface y. */
function workTable(p: Pen, x: number, w: number, wood = false): number {
  p.shadow(x + w / 2, w);
  const shelf = BASE - 62;
  p.rect(x + 4, TOP + 10, 12, BASE - TOP - 14, p.u("sh"));
  p.rect(x + w - 16, TOP + 10, 12, BASE - TOP - 14, p.u("sh"));
  p.rect(x + 1, BASE - 6, 18, 6, LEG, 2);
  p.rect(x + w - 19, BASE - 6, 18, 6, LEG, 2);
  p.rect(x - 2, shelf, w + 4, 9, p.u("st"), 2);
  counterTop(p, x, w, wood);
  return shelf;
}

function cabinet(p: Pen, x: number, w: number) {
  p.shadow(x + w / 2, w);
  const y = TOP + 16;
  p.rect(x, y, w, BASE - 14 - y, p.u("sh"));
  p.rect(x + 6, BASE - 14, w - 12, 14, "#59616a");
  const doors = Math.max(1, Math.round(w / 160));
  const dw = w / doors;
  let seams = "";
  for (let i = 1; i < doors; i++) {
    seams += P`M${x + i * dw} ${y + 6}V${BASE - 20}`;
  }
  if (seams) p.line(seams, "#a3acb5", 2);
  for (let i = 0; i < doors; i++) {
    const hx = i % 2 === 0 ? x + (i + 1) * dw - 22 : x + i * dw + 14;
    p.rect(hx, y + 22, 8, 44, "#8d97a1", 4);
  }
  counterTop(p, x, w);
}

// ---------------------------------------------------------------------------
// Cooking line

function stockPot(
  p: Pen,
  cx: number,
  base: number,
  w: number,
  h: number,
  lid: boolean,
) {
  p.rect(cx - w / 2 - 10, base - h + 12, w + 20, 8, "#8a939c", 3);
  p.rect(cx - w / 2, base - h, w, h, p.u("sh"), 3);
  p.rect(cx - w / 2 - 3, base - h - 3, w + 6, 7, "#eef1f4", 3);
  if (lid) {
    p.path(P`M${cx - w / 2} ${base - h - 2}q${w / 2} -24 ${w} 0z`, "#d9dee3");
    p.rect(cx - 7, base - h - 19, 14, 7, DARK, 3);
  }
}

function steam(p: Pen, cx: number, y: number) {
  let d = "";
  for (const dx of [-14, 12]) {
    d += P`M${cx + dx} ${y}c-12 -14 12 -22 0 -36c-10 -12 8 -18 2 -30`;
  }
  p.line(d, WHITE, 5, 'opacity=".7"');
}

function flames(p: Pen, cx: number, w: number) {
  let d = "";
  for (const dx of [-w / 2 + 8, -w / 4, 0, w / 4, w / 2 - 8]) {
    d += P`M${cx + dx - 5} ${TOP - 10}q5 -12 5 -14q5 6 5 14z`;
  }
  p.path(d, "#4aa3ff", 'opacity=".85"');
}

function salamander(p: Pen, cx: number, w: number) {
  const x = cx - w / 2;
  p.rect(x + 12, 366, 10, 20, LEG);
  p.rect(x + w - 22, 366, 10, 20, LEG);
  p.rect(x, 290, w, 80, p.u("sh"), 4);
  p.rect(x + 12, 326, w - 62, 34, "#22272c", 3);
  p.rect(x + 18, 330, w - 74, 7, "#ff7a3d", 3);
  p.rect(x + w - 40, 300, 28, 60, "#3a4047", 3);
  p.circ(x + w - 26, 316, 6, STEEL_MID);
  p.circ(x + w - 26, 342, 6, STEEL_MID);
  p.rect(x, 290, w, 5, WHITE, 0, 'opacity=".4"');
}

function range(p: Pen, x: number, w: number, six: boolean, sal: boolean) {
  const cols = six ? 3 : 2;
  const colW = w / cols;
  p.shadow(x + w / 2, w);
  p.rect(x + 4, 392, w - 8, 80, p.u("sh"));
  p.rect(x - 4, 384, w + 8, 10, p.u("st"), 2);
  if (sal) salamander(p, x + w / 2, Math.min(w - 20, 240));
  p.rect(x, BASE - 18, 16, 18, "#59616a");
  p.rect(x + w - 16, BASE - 18, 16, 18, "#59616a");
  p.rect(x, 484, w, BASE - 18 - 484, p.u("sh"));
  p.rect(x, 484, w, 30, p.u("st"));
  const knobs = cols * 2;
  for (let i = 0; i < knobs; i++) {
    const cx = x + (w * (i + 0.5)) / knobs;
    p.circ(cx, 499, 8, DARK);
    p.rect(cx - 1.5, 492, 3, 6, "#e9ecef");
  }
  const doors = six ? 2 : 1;
  const dw = w / doors;
  for (let i = 0; i < doors; i++) {
    const dx = x + i * dw;
    p.rect(dx + 10, 522, dw - 20, 112, "#d3d9df", 3);
    p.rect(dx + 26, 532, dw - 52, 9, "#8d97a1", 4.5);
    p.rect(dx + 24, 556, dw - 48, 60, "#000", 4, 'opacity=".06"');
  }
  // Cooktop grate with burner heads peeking between pots.
  p.rect(x - 2, 466, w + 4, 18, "#30363c", 2);
  let grate = "";
  for (let i = 0; i <= cols * 2; i++) {
    grate += P`M${x + (i * w) / (cols * 2)} 466v-5`;
  }
  p.line(grate, "#30363c", 5);
  const items = Array.from(
    { length: cols },
    () =>
      p.pick(["stock", "stock", "sauce", "saute", "saute", "none"] as const),
  );
  if (!items.some((i) => i === "stock")) items[p.ri(0, cols - 1)] = "stock";
  // Pans first so a neighbouring stockpot hides any handle reaching over it.
  const order = items.map((_, i) => i).sort((a, b) =>
    Number(items[a] === "stock") - Number(items[b] === "stock")
  );
  // Handles point at a free burner or a stockpot (which will cover them).
  const clear = (j: number) => items[j] === "none" || items[j] === "stock";
  const handleRight = (i: number) => {
    // Edge burners point inwards when they can, else out over the counter.
    if (i === 0) return clear(1);
    if (i === cols - 1) return !clear(i - 1);
    if (clear(i + 1) !== clear(i - 1)) return clear(i + 1);
    return p.chance(0.5);
  };
  for (const i of order) {
    const it = items[i];
    const cx = x + colW * (i + 0.5);
    if (it === "none") continue;
    const base = 466;
    if (it === "stock") {
      const pw = Math.min(colW - 18, 96);
      flames(p, cx, pw);
      const lid = p.chance(0.35);
      stockPot(p, cx, base, pw, p.rf(70, 92), lid);
      if (!lid) steam(p, cx, base - 96);
    } else if (it === "sauce") {
      const pw = Math.min(colW - 24, 74);
      flames(p, cx, pw);
      const right = handleRight(i);
      const hx = right ? cx + pw / 2 : cx - pw / 2 - 56;
      p.rect(hx, base - 40, 56, 8, DARK, 4);
      p.rect(cx - pw / 2, base - 46, pw, 46, p.u("sh"), 3);
      p.rect(cx - pw / 2 - 3, base - 49, pw + 6, 6, "#eef1f4", 3);
      steam(p, cx, base - 56);
    } else {
      const pw = Math.min(colW - 10, 104);
      flames(p, cx, pw);
      const right = handleRight(i);
      const s = right ? 1 : -1;
      const ex = cx + (s * pw) / 2;
      p.line(
        P`M${ex - s * 6} ${base - 14}L${ex + s * 46} ${base - 32}`,
        DARK,
        8,
      );
      for (let k = 0; k < 4; k++) {
        veg(p, "pepper", cx - pw / 3 + k * (pw / 4.5), base - 12);
      }
      p.path(
        P`M${cx - pw / 2} ${base - 20}h${pw}l-8 20h${-(pw - 16)}z`,
        p.u("sd"),
      );
    }
  }
}

function fryer(p: Pen, x: number, w: number) {
  p.shadow(x + w / 2, w);
  p.rect(x + 4, 392, w - 8, 80, p.u("sh"));
  p.rect(x, BASE - 18, 14, 18, "#59616a");
  p.rect(x + w - 14, BASE - 18, 14, 18, "#59616a");
  p.rect(x, 478, w, BASE - 18 - 478, p.u("sh"));
  p.rect(x + 10, 520, w - 20, 112, "#d3d9df", 3);
  p.rect(x + 24, 530, w - 48, 8, "#8d97a1", 4);
  p.circ(x + w / 2, 500, 8, DARK);
  p.rect(x - 2, 464, w + 4, 18, "#3a4047", 2);
  p.rect(x + 6, 462, w - 12, 6, "#d7a531");
  for (const bx of [x + 8, x + w / 2 + 3]) {
    const bw = w / 2 - 11;
    p.rect(bx, 412, bw, 40, "#c9d0d7", 2);
    p.line(
      P`M${bx + 6} 414V450M${bx + 14} 414V450M${bx + 22} 414V450M${
        bx + 30
      } 414V450`,
      "#9aa3ad",
      2,
    );
    p.line(P`M${bx + bw / 2} 440L${bx + bw / 2 + 4} 470`, DARK, 7);
  }
}

function griddle(p: Pen, x: number, w: number) {
  p.shadow(x + w / 2, w);
  p.rect(x + 2, 424, w - 4, 44, p.u("sh"));
  p.rect(x, BASE - 18, 16, 18, "#59616a");
  p.rect(x + w - 16, BASE - 18, 16, 18, "#59616a");
  p.rect(x, 484, w, BASE - 18 - 484, p.u("sh"));
  p.rect(x, 484, w, 30, p.u("st"));
  for (let i = 0; i < 3; i++) p.circ(x + (w * (i + 0.5)) / 3, 499, 8, DARK);
  p.rect(x + 10, 522, w - 20, 112, "#d3d9df", 3);
  p.rect(x + 26, 532, w - 52, 9, "#8d97a1", 4.5);
  p.rect(x - 2, 464, w + 4, 20, "#3c4349", 2);
  let cx = x + 26;
  while (cx < x + w - 26) {
    const food = p.pick(["patty", "egg", "pancake"] as const);
    if (food === "patty") p.ell(cx, 460, 20, 6, "#6b3a22");
    else if (food === "pancake") p.ell(cx, 461, 21, 5, "#e0a85a");
    else {
      p.ell(cx, 462, 20, 4, WHITE);
      p.ell(cx + 2, 459, 7, 4, "#f4b32a");
    }
    cx += 48;
  }
}

function hood(p: Pen, x: number, w: number, painted: boolean) {
  const body = painted ? p.pal.accent : p.u("st");
  p.path(
    P`M${x + 10} 256h${w - 20}l40 212h${-w - 60}z`,
    p.u("lc"),
  );
  p.rect(x + w / 2 - 70, CEIL, 140, 124, p.u("sh"));
  p.rect(x, 150, w, 92, body, 3);
  p.rect(x, 150, w, 6, WHITE, 0, 'opacity=".35"');
  p.rect(x, 150, 16, 92, "#000", 0, 'opacity=".06"');
  p.rect(x + w - 16, 150, 16, 92, "#000", 0, 'opacity=".06"');
  if (!painted) {
    let seams = "";
    const n = Math.max(2, Math.round(w / 170));
    for (let i = 1; i < n; i++) seams += P`M${x + (i * w) / n} 156V240`;
    p.line(seams, "#c0c8cf", 2);
  }
  p.rect(
    x - 6,
    238,
    w + 12,
    16,
    painted ? shade(p.pal.accent, -0.25) : STEEL_EDGE,
    3,
  );
  for (let i = 0; i < 3; i++) {
    p.ell(x + (w * (i + 0.5)) / 3, 255, 24, 4, "#fff6d8");
  }
}

function lineWallBottom(p: Pen, x0: number, x1: number) {
  const w = x1 - x0;
  if (w < 120) return;
  const kind = p.pick(["shelf", "shelf", "rail", "tickets"] as const);
  if (kind === "shelf") {
    wallShelf(p, x0, w, 350);
    fillRow(p, x0 + 10, x1 - 10, 350, [
      plates,
      jarMaker(true),
      jarMaker(false),
      shelfPot,
      bowlStack,
    ]);
  } else if (kind === "rail") {
    p.rect(x0 + 10, 306, w - 20, 7, p.u("st"), 3);
    let x = x0 + 34;
    while (x < x1 - 40) {
      const tool = p.pick(["ladle", "spatula", "whisk", "pan"] as const);
      if (tool === "pan") {
        if (x + 60 > x1 - 20) break;
        p.line(P`M${x + 30} 312V338`, DARK, 7);
        p.circ(x + 30, 364, 28, p.u("sd"));
        p.circ(x + 30, 364, 20, "#3a4047");
        x += 80;
        continue;
      }
      p.line(P`M${x} 312V376`, "#8d97a1", 4);
      if (tool === "ladle") {
        p.path(P`M${x - 14} 372a14 12 0 0 0 28 0z`, "#9aa3ad");
      } else if (tool === "spatula") p.rect(x - 11, 372, 22, 26, "#3a4047", 3);
      else {
        p.ell(x, 384, 10, 20, "none", 'stroke="#9aa3ad" stroke-width="2"');
        p.ell(x, 384, 4, 20, "none", 'stroke="#9aa3ad" stroke-width="2"');
      }
      x += p.rf(34, 48);
    }
  } else {
    p.rect(x0 + 10, 322, w - 20, 10, p.u("st"), 3);
    let x = x0 + 24;
    while (x < x1 - 50) {
      p.rect(x, 328, 34, p.rf(40, 56), "#fffdf4", 1);
      p.line(P`M${x + 6} 342h20M${x + 6} 350h14M${x + 6} 358h18`, "#9aa3ad", 2);
      x += p.rf(44, 60);
    }
  }
}

const LINE_COUNTER: readonly Maker[] = [
  board,
  plates,
  hotelPan,
  squeeze,
  bowl,
  vegGroup,
];

function sceneLine(p: Pen): string {
  const six = p.chance(0.65);
  const rw = six ? 300 : 220;
  const side = p.pick(["fryer", "griddle", "fryer", "none"] as const);
  const sw = side === "fryer" ? 110 : side === "griddle" ? 190 : 0;
  const bw = rw + sw;
  const bx = Math.round(p.rf(270, W - 270 - bw));
  const sideFirst = p.chance(0.5);
  const rx = sideFirst ? bx + sw : bx;
  const sx = sideFirst ? bx : bx + rw;
  const painted = p.chance(0.3);

  hood(p, bx - 30, bw + 60, painted);
  decorTop(p, 20, bx - 56, 290);
  decorTop(p, bx + bw + 56, W - 20, 290);
  lineWallBottom(p, 10, bx - 44);
  lineWallBottom(p, bx + bw + 44, W - 10);

  const counter = (x: number, w: number) => {
    if (p.chance(0.6)) return cabinet(p, x, w);
    const shelf = workTable(p, x, w);
    fillRow(p, Math.max(x, 0) + 8, Math.min(x + w, W) - 8, shelf, [
      plates,
      shelfPot,
      bowlStack,
      cambro,
    ]);
  };
  counter(-30, bx + 30);
  counter(bx + bw, W + 30 - bx - bw);
  fillRow(p, 8, bx - 10, ON_TOP, LINE_COUNTER, board);
  fillRow(p, bx + bw + 10, W - 8, ON_TOP, LINE_COUNTER);
  const sal = p.chance(0.35);
  range(p, rx, rw, six, sal);
  if (side === "fryer") fryer(p, sx, sw);
  if (side === "griddle") griddle(p, sx, sw);

  const gear = [`a ${six ? "six" : "four"}-burner range`];
  if (side !== "none") gear.push(`a ${side}`);
  if (sal) gear.push("a salamander");
  gear.push(`a ${painted ? "painted" : "stainless steel"} hood`);
  return `a cooking line with ${listJoin(gear)}`;
}

// ---------------------------------------------------------------------------
// Bakery

function deckOven(p: Pen, x: number, w: number, decks: number) {
  const dh = 112;
  const top = 560 - decks * dh;
  const body = p.pick([
    p.u("sh"),
    "#3b4249",
    "#3b4249",
    shade(p.pal.accent, -0.1),
  ]);
  p.shadow(x + w / 2, w);
  p.rect(x + w - 96, CEIL, 28, top - CEIL, p.u("sh"));
  p.rect(x + 12, 560, 16, BASE - 560, "#59616a");
  p.rect(x + w - 28, 560, 16, BASE - 560, "#59616a");
  p.rect(x + 12, BASE - 48, w - 24, 8, "#59616a");
  for (let i = 0; i < 4; i++) {
    p.rect(x + 24, BASE - 56 - i * 5, w - 48, 4, STEEL_MID, 1);
  }
  p.rect(x - 6, top - 16, w + 12, 18, "#2a2f34", 3);
  for (let d = 0; d < decks; d++) {
    const y = top + d * dh;
    p.rect(x, y, w, dh - 4, body, 4);
    p.rect(x + 14, y + 20, w - 104, 76, "#22272c", 4);
    p.rect(x + 26, y + 32, w - 128, 52, p.u("fi"), 3);
    const n = p.ri(3, 4);
    const lw = (w - 150) / n;
    for (let k = 0; k < n; k++) {
      p.path(
        P`M${x + 34 + k * lw} ${y + 84}a${lw / 2 - 6} 16 0 0 1 ${lw - 12} 0z`,
        "#7a3a14",
        'opacity=".85"',
      );
    }
    p.rect(x + 30, y + 8, w - 136, 8, "#d3d9df", 4);
    p.rect(x + w - 78, y + 16, 62, 80, "#22272c", 4);
    p.rect(
      x + w - 70,
      y + 26,
      46,
      14,
      p.pick(["#ff9f43", "#ff5e57", "#54e08f"]),
      2,
    );
    p.circ(x + w - 60, y + 66, 9, STEEL_MID);
    p.circ(x + w - 34, y + 66, 9, STEEL_MID);
  }
}

function floorMixer(p: Pen, x: number) {
  // The accent colour may already be on the oven; keep the two apart.
  const c = p.pick(["#8e9aa5", "#6f7f8f", p.pal.accent2, "#d94f3d"]);
  const dk = shade(c, -0.22);
  p.shadow(x + 75, 140);
  p.path(P`M${x + 12} ${BASE}h126l-10 -36h-106z`, dk);
  p.rect(x + 92, 320, 44, BASE - 36 - 320, c, 6);
  p.rect(x + 96, 470, 40, 14, dk, 4);
  p.rect(x + 46, 358, 12, 70, "#7d8791");
  p.ell(x + 54, 436, 42, 10, "#f3e2c3");
  p.path(
    P`M${x + 2} 438h104c0 60 -18 96 -52 96c-34 0 -52 -36 -52 -96z`,
    p.u("sh"),
  );
  p.rect(x - 2, 434, 112, 9, p.u("st"), 4.5);
  p.rect(x + 60, 284, 64, 24, dk, 10);
  p.rect(x + 4, 298, 142, 62, c, 28);
  p.rect(x + 22, 308, 84, 7, WHITE, 3.5, 'opacity=".3"');
  p.circ(x + 114, 400, 6, DARK);
  p.circ(x + 114, 420, 6, "#e0533d");
}

function panRack(p: Pen, x: number, w: number) {
  const top = 190;
  p.shadow(x + w / 2, w);
  p.rect(x, top, 10, BASE - top - 12, p.u("sh"));
  p.rect(x + w - 10, top, 10, BASE - top - 12, p.u("sh"));
  p.rect(x - 2, top - 6, w + 4, 10, p.u("st"), 3);
  p.rect(x, BASE - 34, w, 8, p.u("st"));
  for (let i = 0; i < 11; i++) {
    const y = 228 + i * 36;
    p.rect(x + 8, y, w - 16, 6, STEEL_MID, 1);
    if (!p.chance(0.7)) continue;
    const kind = p.pick(["croissant", "roll", "loaf", "cookie"] as const);
    if (kind === "loaf") {
      for (let k = 0; k < 2; k++) {
        p.rect(
          x + 16 + k * ((w - 32) / 2),
          y - 15,
          (w - 32) / 2 - 6,
          15,
          p.u("br"),
          7,
        );
      }
      continue;
    }
    const n = kind === "cookie" ? 5 : 4;
    for (let k = 0; k < n; k++) {
      const cx = x + 14 + ((w - 28) * (k + 0.5)) / n;
      if (kind === "croissant") {
        p.ell(cx, y - 7, 13, 7, "#d99a4a");
        p.ell(cx, y - 9, 6, 4, "#efc27d");
      } else if (kind === "roll") p.ell(cx, y - 9, 11, 9, "#c98a45");
      else p.ell(cx, y - 3, 10, 3.5, "#c58a4a");
    }
  }
  p.circ(x + 8, BASE - 9, 8, "#3a3f45");
  p.circ(x + w - 8, BASE - 9, 8, "#3a3f45");
}

const boule: Maker = (p) => {
  const r = p.ri(26, 36);
  return {
    w: r * 2,
    draw: (x, base) => {
      p.path(P`M${x} ${base}a${r} ${r * 0.78} 0 0 1 ${r * 2} 0z`, p.u("br"));
      p.line(
        P`M${x + r * 0.5} ${base - r * 0.45}l${r} ${-r * 0.2}M${x + r * 0.6} ${
          base - r * 0.2
        }l${r * 0.8} ${-r * 0.2}`,
        "#f3d6a2",
        3,
      );
    },
  };
};

const baguettes: Maker = (p) => {
  const w = p.ri(130, 170);
  const n = p.ri(1, 3);
  return {
    w,
    draw: (x, base) => {
      for (let i = 0; i < n; i++) {
        const y = base - 14 - i * 13;
        p.rect(x + i * 8, y, w - i * 16, 14, p.u("br"), 7);
        let d = "";
        for (let s = x + 22 + i * 8; s < x + w - 24 - i * 8; s += 24) {
          d += P`M${s} ${y + 10}l14 -6`;
        }
        p.line(d, "#f3d6a2", 2.5);
      }
    },
  };
};

const dough: Maker = (p) => {
  const w = p.ri(110, 140);
  return {
    w,
    draw: (x, base) => {
      p.ell(x + w / 2, base - 3, w / 2, 6, WHITE, 'opacity=".7"');
      p.ell(x + w * 0.4, base - 14, 30, 15, "#f3e2c3");
      p.rect(x + w * 0.45, base - 14, w * 0.55, 12, p.u("wd"), 6);
      p.rect(x + w * 0.45 - 14, base - 11, 16, 6, "#a8733f", 3);
    },
  };
};

const croissantTray: Maker = (p) => {
  const w = p.ri(110, 140);
  return {
    w,
    draw: (x, base) => {
      p.rect(x, base - 6, w, 6, STEEL_MID, 1);
      for (let cx = x + 18; cx < x + w - 12; cx += 28) {
        p.ell(cx, base - 13, 13, 7, "#d99a4a");
        p.ell(cx, base - 15, 6, 4, "#efc27d");
      }
    },
  };
};

const breadBasket: Maker = (p) => {
  const w = p.ri(80, 100);
  return {
    w,
    draw: (x, base) => {
      p.rect(x + 10, base - 56, 20, 40, p.u("br"), 10);
      p.rect(x + 28, base - 50, 18, 34, "#d6a15c", 9);
      p.ell(x + w - 28, base - 28, 24, 14, p.u("br"));
      p.path(P`M${x} ${base - 26}h${w}l-8 26h${-(w - 16)}z`, "#b8864e");
      p.line(
        P`M${x + 6} ${base - 18}h${w - 12}M${x + 9} ${base - 9}h${w - 18}`,
        "#8e6236",
        2,
      );
    },
  };
};

const banneton: Maker = (p) => ({
  w: 64,
  draw: (x, base) => {
    for (let i = 0; i < 3; i++) {
      p.path(
        P`M${x} ${base - 18 - i * 14}h64l-6 16h-52z`,
        i % 2 ? "#c89a63" : "#b8864e",
      );
    }
  },
});

function flourSack(p: Pen, x: number, base: number, w: number) {
  p.path(P`M${x} ${base}v-44q0 -10 10 -12h${w - 20}q10 2 10 12v44z`, "#efe5d3");
  p.path(P`M${x + 8} ${base - 56}h${w - 16}l-6 6h${-(w - 28)}z`, "#d9ccb4");
  p.rect(x + 10, base - 32, w - 20, 14, p.pal.accent, 2);
}

function sceneBakery(p: Pen): string {
  const decks = p.pick([2, 3, 3]);
  type Piece = "oven" | "rack" | "mixer" | "table";
  const order = p.pick<readonly Piece[]>([
    ["oven", "table", "mixer", "rack"],
    ["rack", "oven", "table", "mixer"],
    ["mixer", "table", "oven", "rack"],
    ["rack", "table", "mixer", "oven"],
    ["oven", "rack", "table", "mixer"],
  ]);
  const widths: Record<Piece, number> = {
    oven: 330,
    rack: 140,
    mixer: 150,
    table: 0,
  };
  const gap = 34;
  widths.table = W - 60 - 330 - 140 - 150 - gap * 3;
  let x = 30;
  const xs = {} as Record<Piece, number>;
  for (const piece of order) {
    xs[piece] = x;
    x += widths[piece] + gap;
  }

  // Wall decor only where nothing tall stands in front of it.
  decorTop(p, xs.table, xs.table + widths.table, 280);
  wallShelf(p, xs.table + 10, widths.table - 20, 350);
  fillRow(p, xs.table + 20, xs.table + widths.table - 20, 350, [
    breadBasket,
    banneton,
    jarMaker(true),
    pottedPlant,
  ]);

  deckOven(p, xs.oven, widths.oven, decks);
  panRack(p, xs.rack, widths.rack);
  floorMixer(p, xs.mixer);
  const shelf = workTable(p, xs.table, widths.table, true);
  const sacks = p.ri(1, 3);
  for (let i = 0; i < sacks; i++) {
    flourSack(p, xs.table + 24 + i * 74, shelf, 64);
  }
  fillRow(p, xs.table + 4, xs.table + widths.table - 4, TOP + 2, [
    boule,
    baguettes,
    dough,
    croissantTray,
    boule,
  ], boule);

  return `a bakery with a ${
    NUMBER_WORDS[decks]
  }-deck oven, a sheet-pan rack, a floor mixer and fresh loaves`;
}

// ---------------------------------------------------------------------------
// Prep kitchen

function reachIn(p: Pen, x: number, w: number) {
  const top = 196;
  p.shadow(x + w / 2, w);
  p.rect(x, top, w, BASE - 14 - top, p.u("sh"), 4);
  p.rect(x, top, w, 34, "#59616a", 4);
  p.rect(x + 16, top + 9, 34, 14, "#54e08f", 2);
  p.rect(x + 12, top + 44, w - 24, 330, "#1f2a33", 4);
  p.rect(x + 18, top + 50, w - 36, 318, p.u("gs"), 3, 'opacity=".55"');
  for (let i = 0; i < 3; i++) {
    const sy = top + 140 + i * 100;
    p.rect(x + 18, sy, w - 36, 4, "#e8edf1");
    let cx = x + 24;
    while (cx < x + w - 60) {
      const cw = p.rf(28, 40);
      const ch = p.rf(30, 60);
      const c = p.pick(["#e8c15a", "#c8443a", "#9acd5a", "#f3ead8", "#d9822b"]);
      p.rect(cx, sy - ch, cw, ch, c, 3, 'opacity=".8"');
      cx += cw + 6;
    }
  }
  p.rect(x + w - 30, top + 140, 8, 130, "#8d97a1", 4);
  p.rect(x + 8, BASE - 14, 14, 14, DARK);
  p.rect(x + w - 22, BASE - 14, 14, 14, DARK);
}

function knifeStrip(p: Pen, x: number, w: number) {
  p.rect(x, 340, w, 14, DARK, 3);
  for (let kx = x + 20; kx < x + w - 20; kx += p.rf(30, 44)) {
    const len = p.rf(40, 70);
    p.rect(kx - 4, 324, 8, 26, "#4a3526", 3);
    p.path(P`M${kx - 5} 350h10v${len}q-10 -4 -10 -20z`, "#dfe4e8");
  }
}

const PREP_TOP: readonly Maker[] = [
  board,
  bowl,
  vegGroup,
  hotelPan,
  bowl,
  vegGroup,
];
const PREP_UNDER: readonly Maker[] = [cambro, bowlStack, shelfPot, plates];

function scenePrep(p: Pen): string {
  const tall = p.pick(["fridge", "fridge", "rack", "none"] as const);
  const margin = 30;
  const gap = 40;
  const fw = tall === "fridge" ? 180 : 230;
  const tw = tall === "none"
    ? (W - margin * 2 - gap) / 2
    : (W - margin * 2 - gap * 2 - fw) / 2;
  const slots: readonly ("t" | "f")[] = tall === "none"
    ? ["t", "t"]
    : p.pick([["t", "f", "t"], ["f", "t", "t"], ["t", "t", "f"]] as const);
  let x = margin;
  const tableXs: number[] = [];
  let fx = -1;
  for (const s of slots) {
    if (s === "t") {
      tableXs.push(x);
      x += tw + gap;
    } else {
      fx = x;
      x += fw + gap;
    }
  }

  let strip = false;
  for (const tx of tableXs) {
    decorTop(p, tx, tx + tw, 250);
    if (!strip && p.chance(0.35)) {
      knifeStrip(p, tx + 40, Math.min(220, tw - 80));
      strip = true;
    } else {
      wallShelf(p, tx + 10, tw - 20, 350);
      fillRow(p, tx + 20, tx + tw - 20, 350, [
        cambro,
        cambro,
        jarMaker(true),
        jarMaker(false),
        pottedPlant,
      ]);
    }
  }
  if (tall === "fridge") reachIn(p, fx, fw);
  if (tall === "rack") wireShelving(p, fx, fw);
  for (const tx of tableXs) {
    const shelf = workTable(p, tx, tw);
    fillRow(p, tx + 6, tx + tw - 10, shelf, PREP_UNDER);
    fillRow(p, tx + 4, tx + tw - 4, ON_TOP, PREP_TOP, board);
  }

  const gear = [
    "two prep tables",
    "cutting boards with vegetables",
    "shelves of containers",
  ];
  if (tall === "fridge") gear.push("a reach-in fridge");
  if (tall === "rack") gear.push("a wire shelf unit");
  if (strip) gear.push("a knife strip");
  return `a prep kitchen with ${listJoin(gear)}`;
}

// ---------------------------------------------------------------------------
// Storage

/** Seven-segment digits for the cooler's thermometer display. */
function segDigits(p: Pen, x: number, y: number, digits: string) {
  const SEG: Record<string, string> = {
    "0": "abcdef",
    "1": "bc",
    "2": "abged",
    "3": "abgcd",
    "4": "fgbc",
    "5": "afgcd",
    "6": "afgedc",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
    "-": "g",
  };
  let d = "";
  [...digits].forEach((ch, i) => {
    const ox = x + i * 16;
    for (const s of SEG[ch] ?? "") {
      d += {
        a: P`M${ox} ${y}h9`,
        b: P`M${ox + 9} ${y}v9`,
        c: P`M${ox + 9} ${y + 9}v9`,
        d: P`M${ox} ${y + 18}h9`,
        e: P`M${ox} ${y + 9}v9`,
        f: P`M${ox} ${y}v9`,
        g: P`M${ox} ${y + 9}h9`,
      }[s];
    }
  });
  p.line(d, "#54e08f", 2.6);
}

function walkIn(p: Pen, x: number, w: number) {
  p.shadow(x + w / 2, w);
  p.rect(x, 80, w, BASE - 80, "#eef2f5");
  let seams = "";
  for (let sx = x + 100; sx < x + w - 20; sx += 100) {
    seams += P`M${sx} 86V${BASE}`;
  }
  p.line(seams, "#d3dae0", 2);
  p.rect(x - 6, 72, w + 12, 16, "#cfd6dc", 3);
  p.rect(x, BASE - 12, w, 12, "#b9c2ca");
  const dw = 230;
  const dx = x + (w - dw) / 2;
  p.rect(dx - 12, 226, dw + 24, BASE - 226, "#b9c2ca", 4);
  p.rect(dx, 238, dw, BASE - 240, p.u("sh"), 3);
  p.rect(dx, BASE - 72, dw, 70, p.u("sd"));
  let plate = "";
  for (let k = dx + 8; k < dx + dw; k += 16) {
    plate += P`M${k} ${BASE - 64}l8 8M${k + 8} ${BASE - 40}l-8 8`;
  }
  p.line(plate, "#9aa3ad", 2);
  p.rect(dx + 66, 272, 98, 112, "#b9c2ca", 5);
  p.rect(dx + 72, 278, 86, 100, p.u("gs"), 3);
  p.path(P`M${dx + 120} 278h18l-40 100h-18z`, WHITE, 'opacity=".35"');
  p.rect(dx + dw - 32, 398, 20, 64, "#9aa3ad", 4);
  p.rect(dx + dw - 70, 420, 56, 14, "#e6eaee", 7);
  p.rect(dx - 8, 280, 14, 40, "#cfd6dc", 3);
  p.rect(dx - 8, 520, 14, 40, "#cfd6dc", 3);
  p.rect(dx + dw / 2 - 45, 166, 90, 40, "#23282d", 6);
  const temp = p.pick(["36", "38", "34", "-2"]);
  segDigits(p, dx + dw / 2 - 28, 177, temp);
  p.circ(dx + dw / 2 + 14, 179, 3, "none", 'stroke="#54e08f" stroke-width="2"');
  p.rect(dx + 40, 470, 60, 24, p.pal.accent, 3);
  p.rect(dx + 46, 478, 48, 4, WHITE, 2);
}

const bin: Maker = (p) => {
  const w = p.ri(76, 100);
  const h = p.ri(50, 78);
  const c = p.pick([
    "#3b82c4",
    "#3f9a45",
    "#d64541",
    "#f2c12e",
    "#8e9aa5",
    p.pal.accent,
  ]);
  return {
    w,
    draw: (x, base) => {
      p.path(P`M${x} ${base - h}h${w}l-4 ${h}h${-(w - 8)}z`, c);
      p.rect(x - 3, base - h - 2, w + 6, 8, shade(c, -0.18), 3);
      p.rect(x + w / 2 - 22, base - h + 16, 44, 22, WHITE, 2);
      p.line(
        P`M${x + w / 2 - 15} ${base - h + 24}h30M${x + w / 2 - 15} ${
          base - h + 31
        }h18`,
        "#8a939c",
        2,
      );
    },
  };
};

const box: Maker = (p) => {
  const w = p.ri(70, 110);
  const h = p.ri(46, 80);
  const c = p.pick(["#c99a62", "#d4a66c", "#b98a55"]);
  return {
    w,
    draw: (x, base) => {
      p.rect(x, base - h, w, h, c, 2);
      p.rect(x + w / 2 - 7, base - h, 14, h * 0.4, "#e3c08e");
      p.rect(x + 8, base - h * 0.42, 30, 16, WHITE, 1, 'opacity=".9"');
      p.line(
        P`M${x + 13} ${base - h * 0.42 + 6}h18M${x + 13} ${
          base - h * 0.42 + 11
        }h12`,
        "#9aa3ad",
        1.6,
      );
    },
  };
};

const cans: Maker = (p) => {
  const n = p.ri(3, 5);
  const c = p.pick(["#d64541", "#3f9a45", "#f2c12e", "#3b82c4", "#e07b39"]);
  const rows = p.ri(1, 2);
  return {
    w: n * 26,
    draw: (x, base) => {
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < n - r; i++) {
          const cx = x + i * 26 + r * 13;
          const y = base - 36 - r * 36;
          p.rect(cx, y, 24, 36, "#cfd6dc", 3);
          p.rect(cx, y + 9, 24, 18, c);
        }
      }
    },
  };
};

const sack: Maker = (p) => {
  const w = p.ri(70, 90);
  return { w, draw: (x, base) => flourSack(p, x, base, w) };
};

const bucket: Maker = (p) => {
  const lid = p.pick(["#d64541", "#3b82c4", "#f2c12e", "#eef1f3"]);
  return {
    w: 60,
    draw: (x, base) => {
      p.path(P`M${x} ${base - 62}h60l-5 62h-50z`, "#f4f5f2");
      p.rect(x - 3, base - 68, 66, 10, lid, 3);
      p.rect(x + 14, base - 40, 32, 16, p.pal.accent2, 2);
    },
  };
};

const jug: Maker = (p) => ({
  w: 46,
  draw: (x, base) => {
    p.rect(x, base - 62, 46, 62, "#f2c94c", 6, 'opacity=".9"');
    p.rect(x + 8, base - 72, 14, 12, "#d64541", 2);
    p.rect(
      x + 26,
      base - 58,
      14,
      18,
      "none",
      5,
      'stroke="#d9ae3a" stroke-width="4"',
    );
  },
});

function wireShelving(p: Pen, x: number, w: number) {
  const top = 250;
  const levels = [274, 394, 514, 634];
  p.shadow(x + w / 2, w);
  p.rect(x + 16, top + 10, 6, BASE - top - 20, "#aeb6be");
  p.rect(x + w - 22, top + 10, 6, BASE - top - 20, "#aeb6be");
  levels.forEach((y, i) => {
    const pool: readonly Maker[] = i === levels.length - 1
      ? [bucket, box, sack, box]
      : i === 0
      ? [bin, box, cans, jug]
      : [bin, bin, cans, box, sack, jug];
    fillRow(p, x + 8, x + w - 8, y, pool);
  });
  for (const y of levels) {
    p.rect(x - 2, y, w + 4, 8, "#d7dde2", 2);
    p.path(
      P`M${x + 4} ${y - 2}H${x + w - 4}`,
      "none",
      'stroke="#aeb6be" stroke-width="4" stroke-dasharray="2 7"',
    );
  }
  p.rect(x - 4, top, 10, BASE - top, "#c2cad1", 3);
  p.rect(x + w - 6, top, 10, BASE - top, "#c2cad1", 3);
}

function dolly(p: Pen, x: number) {
  const base = BASE + 44;
  p.shadow(x + 70, 140, base);
  p.rect(x, base - 18, 140, 10, "#3b82c4", 3);
  p.circ(x + 16, base - 5, 7, DARK);
  p.circ(x + 124, base - 5, 7, DARK);
  let y = base - 18;
  for (let i = p.ri(2, 3); i > 0; i--) {
    const b = box(p);
    const bw = Math.min(b.w, 130);
    b.draw(x + (140 - bw) / 2, y);
    y -= 60;
  }
}

function sceneStorage(p: Pen): string {
  const ww = 400;
  const left = p.chance(0.5);
  const wx = left ? 30 : W - 30 - ww;
  const units = p.chance(0.6) ? 2 : 1;
  const r0 = left ? wx + ww + 40 : 30;
  const r1 = left ? W - 30 : wx - 40;
  const uw = units === 2 ? (r1 - r0 - 40) / 2 : 340;
  const ux = units === 2 ? [r0, r0 + uw + 40] : [left ? r1 - uw : r0];
  // Only pendants or a clock fit above the shelving's top shelf.
  for (const x of ux) decorTop(p, x, x + uw, 190);
  let free: [number, number] | undefined;
  if (units === 1) {
    free = left ? [r0, ux[0] - 30] : [ux[0] + uw + 30, r1];
    decorTop(p, free[0], free[1], 440);
  }
  walkIn(p, wx, ww);
  for (const x of ux) wireShelving(p, x, uw);
  if (free && free[1] - free[0] >= 160) {
    dolly(p, (free[0] + free[1]) / 2 - 70);
  }
  const dollyNote = free && free[1] - free[0] >= 160
    ? " and a loaded dolly"
    : "";
  return `a storage room with a walk-in cooler door, wire shelving holding labelled bins and boxes${dollyNote}`;
}

// ---------------------------------------------------------------------------
// Dish room

function dishRack(
  p: Pen,
  x: number,
  base: number,
  content: "plates" | "glasses" | "cups" | "empty",
  w = 110,
) {
  const c = p.pick(["#3b6fb0", "#5b6670", "#3f8f6b", "#8e9aa5"]);
  const h = content === "plates" ? 30 : 46;
  if (content === "plates") {
    let d = "";
    for (let px = x + 10; px < x + w - 6; px += 11) {
      d += P`M${px} ${base - 56}v44`;
    }
    p.line(d, "#f6f7f6", 7);
    p.line(d, "#d7dce0", 1.5);
  }
  p.rect(x, base - h, w, h, c, 3);
  let grid = "";
  for (let gx = x + 9; gx < x + w - 4; gx += 9) {
    grid += P`M${gx} ${base - h + 4}V${base - 4}`;
  }
  p.line(grid, shade(c, -0.3), 2, 'opacity=".6"');
  if (content === "glasses" || content === "cups") {
    for (let gx = x + 8; gx < x + w - 18; gx += 25) {
      if (content === "glasses") {
        p.rect(gx, base - h - 16, 20, h + 6, "#e3f3fa", 3, 'opacity=".75"');
      } else p.path(P`M${gx} ${base - h - 12}h20l-2 24h-16z`, WHITE);
    }
  }
}

function threeSink(
  p: Pen,
  x: number,
  dbw: number,
  bw: number,
  spray: "left" | "right",
) {
  const w = dbw * 2 + bw * 3;
  p.shadow(x + w / 2, w);
  p.rect(x, 392, w, 92, p.u("sh"));
  p.rect(x - 4, 386, w + 8, 10, p.u("st"), 4);
  for (let i = 0; i < 3; i++) {
    const fx = x + dbw + bw * (i + 0.5) - 24;
    p.line(P`M${fx + 24} 450V420q0 -26 -24 -26q-20 0 -22 22`, "#cfd6dc", 9);
    p.rect(fx + 18, 440, 12, 12, "#aeb6be", 3);
  }
  // Suds in the wash basin.
  for (let i = 0; i < 7; i++) {
    p.circ(
      x + dbw + 16 + i * ((bw - 30) / 6),
      476 - (i % 2) * 5,
      p.rf(7, 11),
      WHITE,
      'opacity=".95"',
    );
  }
  const legs = [x + 6, x + dbw - 6, x + w - dbw, x + w - 18];
  for (const lx of legs) p.rect(lx, 590, 12, BASE - 590, p.u("sh"));
  for (let i = 0; i < 3; i++) {
    const bx = x + dbw + i * bw;
    p.rect(bx + 6, 484, bw - 12, 108, p.u("sh"), 3);
    p.rect(bx + bw / 2 - 6, 592, 12, 34, "#59616a");
  }
  p.rect(x - 6, 474, w + 12, 12, p.u("st"), 3);
  p.rect(x - 6, 484, w + 12, 4, STEEL_EDGE);
  const sx = spray === "left" ? x + 36 : x + w - 36;
  p.rect(sx - 5, 250, 10, 224, "#b9c2ca", 4);
  p.rect(sx - 30, 262, 60, 8, "#b9c2ca", 4);
  let coil = P`M${sx + 26} 270`;
  for (let y = 276; y < 380; y += 12) {
    coil += P`Q${sx + 36} ${y} ${sx + 26} ${y + 6}Q${sx + 16} ${y + 12} ${
      sx + 26
    } ${y + 12}`;
  }
  p.line(coil, "#8d97a1", 3);
  p.rect(sx + 18, 382, 16, 40, DARK, 5);
  // The outer drainboard (away from the sprayer) gets a rack on top and a
  // trash can below, so the sink doesn't read as bare legs.
  const rw = dbw - 12;
  const outer = spray === "left" ? x + w - dbw : x;
  dishRack(p, outer + 6, 476, p.pick(["plates", "cups"] as const), rw);
  if (p.chance(0.6)) {
    const cx = outer + dbw / 2;
    const c = p.pick(["#6f7b86", "#3b6fb0", "#f2c12e"]);
    p.path(P`M${cx - 30} 586h60l-5 ${BASE - 586}h-50z`, c);
    p.rect(cx - 34, 580, 68, 12, shade(c, -0.2), 4);
    p.rect(cx - 28, 612, 6, 40, WHITE, 3, 'opacity=".2"');
  }
}

function dishMachine(p: Pen, x: number, w: number) {
  p.shadow(x + w / 2, w);
  p.rect(x + w / 2 - 35, CEIL, 70, 196, p.u("sh"));
  p.rect(x + 4, 222, w - 8, 56, "#d5dbe0", 4);
  p.rect(x + 18, 234, 96, 32, "#22282d", 3);
  p.rect(x + 26, 242, 50, 16, "#54e08f", 2);
  p.circ(x + w - 56, 250, 8, "#e74c3c");
  p.circ(x + w - 30, 250, 8, "#2ecc71");
  p.rect(x, 276, w, 208, p.u("sh"), 4);
  p.rect(x + 18, 318, w - 36, 148, "#000", 6, 'opacity=".05"');
  p.rect(x + 28, 294, w - 56, 11, "#8d97a1", 5.5);
  p.rect(x + w - 4, 320, 14, 100, "#9aa3ad", 5);
  p.rect(x, 484, w, BASE - 18 - 484, p.u("st"));
  for (const gx of [x + 50, x + 100]) {
    p.circ(gx, 526, 16, "#59616a");
    p.circ(gx, 526, 12, WHITE);
    p.line(P`M${gx} 526l7 -6`, "#e74c3c", 2);
  }
  p.rect(x + 14, 560, w - 28, 74, "#000", 3, 'opacity=".05"');
  p.rect(x + 8, BASE - 18, 16, 18, "#59616a");
  p.rect(x + w - 24, BASE - 18, 16, 18, "#59616a");
}

const emptyRack: Maker = (p) => ({
  w: 110,
  draw: (x, base) => {
    dishRack(p, x, base, "empty");
    dishRack(p, x, base - 46, "empty");
  },
});

const cleanStack: Maker = (p) => ({
  w: 110,
  draw: (x, base) =>
    dishRack(p, x, base, p.pick(["plates", "glasses", "cups"] as const)),
});

function sceneDish(p: Pen): string {
  const dbw = p.ri(90, 125);
  const bw = p.ri(118, 132);
  const sw = dbw * 2 + bw * 3;
  const mw = 210;
  const mirror = p.chance(0.5);
  const at = (x: number, w: number) => (mirror ? W - x - w : x);
  const sx = at(24, sw);
  const mx = at(24 + sw + 30, mw);
  const tx0 = 24 + sw + 30 + mw;
  const tw = W - tx0 + 30;
  const tx = at(tx0, tw);
  const spray = mirror ? "left" : "right";

  // Keep the pre-rinse arm clear of wall decor.
  const sinkZone: [number, number] = mirror
    ? [sx + 90, sx + sw - 20]
    : [sx + 20, sx + sw - 90];
  decorTop(p, sinkZone[0], sinkZone[1], 300);
  const cz0 = mirror ? 20 : tx0 + 20;
  const cz1 = mirror ? W - tx0 - 20 : W - 20;
  decorTop(p, cz0, cz1, 290);
  wallShelf(p, cz0, cz1 - cz0, 350);
  fillRow(p, cz0 + 10, cz1 - 10, 350, [
    plates,
    plates,
    bowlStack,
    jarMaker(false),
  ]);

  threeSink(p, sx, dbw, bw, spray);
  dishMachine(p, mx, mw);
  p.rect(tx, 420, tw, 62, p.u("sh"));
  const dolly = p.chance(0.5);
  const under = workTable(p, tx, tw);
  fillRow(
    p,
    Math.max(tx, 0) + 10,
    Math.min(tx + tw, W) - 10,
    under,
    // Racks under the table would pile up behind the dolly's racks.
    dolly ? [plates, bowlStack] : [plates, bowlStack, emptyRack],
  );
  fillRow(
    p,
    mirror ? tx + 30 : tx + 10,
    mirror ? tx + tw - 10 : tx + tw - 30,
    ON_TOP,
    [cleanStack, plates, cleanStack],
  );
  const gear = ["a three-compartment sink", "a dish machine", "dish racks"];
  if (dolly) {
    const dx = mirror ? tx + 80 : tx + tw - 220;
    const base = BASE + 46;
    p.shadow(dx + 55, 110, base);
    p.rect(dx - 6, base - 16, 122, 10, "#3b82c4", 3);
    p.circ(dx + 8, base - 5, 6, DARK);
    p.circ(dx + 102, base - 5, 6, DARK);
    for (let i = 0; i < 3; i++) dishRack(p, dx, base - 16 - i * 46, "cups");
    gear[2] = "stacked dish racks";
  }
  return `a dish room with ${listJoin(gear)}`;
}

const SCENES: Record<ArtScene, (p: Pen) => string> = {
  line: sceneLine,
  bakery: sceneBakery,
  prep: scenePrep,
  storage: sceneStorage,
  dish: sceneDish,
};
