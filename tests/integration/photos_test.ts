import assert from "node:assert/strict";
import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import decodeWebp from "@jsquash/webp/decode.js";
import encodeWebp from "@jsquash/webp/encode.js";
import { keys } from "../../lib/db/keys.ts";
import { deleteFile, getFile, putFile } from "../../lib/files/store.ts";
import { newId } from "../../lib/ids.ts";
import {
  createDraft,
  getListingFor,
  saveSection,
} from "../../lib/kitchens/listings.ts";
import { addPhoto, reorderPhotos } from "../../lib/kitchens/photos.ts";
import { ForbiddenError } from "../../lib/errors.ts";
import type { PhotoRef } from "../../lib/kitchens/schema.ts";
import {
  get,
  post,
  runJobs,
  signUpConfirmed,
  staff,
  userByEmail,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { FILE_CLEANUP_JOB } from "../../lib/job_names.ts";

type T = Awaited<ReturnType<typeof testApp>>;

// ---------------------------------------------------------------------------
// Real images, made by the same library the server uses

function picture(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x ^ y) & 63) * 4;
      data[i + 3] = 255;
    }
  }
  return new ImageData(data, width, height);
}

async function jpeg(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(
    await encodeJpeg(picture(width, height), {
      quality: 85,
      progressive: false,
      optimize_coding: false,
    }),
  );
}

const png = async (w: number, h: number) =>
  new Uint8Array(await encodePng(picture(w, h)));
const webp = async (w: number, h: number) =>
  new Uint8Array(await encodeWebp(picture(w, h), { quality: 80 }));

const SECRET = "SECRET-GPS 41.8781N 87.6298W";

/**
 * An EXIF APP1 segment written by hand (big-endian TIFF): an image
 * description, an orientation, and a GPS IFD with latitude N 41° 52' 4".
 */
function exifSegment(orientation: number): Uint8Array {
  const text = new TextEncoder().encode(`${SECRET}\0`);
  const tiff = new Uint8Array(
    8 + 2 + 3 * 12 + 4 + text.length + 2 + 2 * 12 + 4 + 24,
  );
  const v = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d, 0x00, 0x2a]); // "MM", 42
  v.setUint32(4, 8);
  let p = 8;
  const ifd0End = 8 + 2 + 3 * 12 + 4;
  const textAt = ifd0End;
  const gpsAt = textAt + text.length;
  const rationalsAt = gpsAt + 2 + 2 * 12 + 4;
  const entry = (tag: number, type: number, count: number, value: number) => {
    v.setUint16(p, tag);
    v.setUint16(p + 2, type);
    v.setUint32(p + 4, count);
    if (type === 3) v.setUint16(p + 8, value);
    else v.setUint32(p + 8, value);
    p += 12;
  };
  v.setUint16(p, 3);
  p += 2;
  entry(0x010e, 2, text.length, textAt); // ImageDescription
  entry(0x0112, 3, 1, orientation); // Orientation
  entry(0x8825, 4, 1, gpsAt); // GPS IFD
  v.setUint32(p, 0);
  tiff.set(text, textAt);
  p = gpsAt;
  v.setUint16(p, 2);
  p += 2;
  v.setUint16(p, 0x0001); // GPSLatitudeRef "N"
  v.setUint16(p + 2, 2);
  v.setUint32(p + 4, 2);
  tiff.set([0x4e, 0], p + 8);
  p += 12;
  entry(0x0002, 5, 3, rationalsAt); // GPSLatitude
  v.setUint32(p, 0);
  [41, 1, 52, 1, 4, 1].forEach((n, i) => v.setUint32(rationalsAt + 4 * i, n));
  const payload = new Uint8Array(6 + tiff.length);
  payload.set(new TextEncoder().encode("Exif\0\0"));
  payload.set(tiff, 6);
  const segment = new Uint8Array(4 + payload.length);
  segment.set([
    0xff,
    0xe1,
    (payload.length + 2) >> 8,
    (payload.length + 2) & 255,
  ]);
  segment.set(payload, 4);
  return segment;
}

/** `segment` inserted right after the JPEG's SOI. */
function afterSoi(jpg: Uint8Array, segment: Uint8Array): Uint8Array {
  const out = new Uint8Array(jpg.length + segment.length);
  out.set(jpg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpg.subarray(2), 2 + segment.length);
  return out;
}

function contains(haystack: Uint8Array, needle: string): boolean {
  return new TextDecoder("latin1").decode(haystack).includes(needle);
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// ---------------------------------------------------------------------------
// The app

async function setup(email = "hana@example.com") {
  const t = await testApp();
  const { cookie, user } = await signUpConfirmed(t, email, "host");
  const listing = await createDraft(t.kv, user, t.clock());
  return { t, cookie, user, id: listing.id };
}

async function upload(
  t: T,
  cookie: string,
  kitchenId: string,
  bytes: Uint8Array,
  opts: { alt?: string; json?: boolean; name?: string; type?: string } = {},
): Promise<Response> {
  const form = new FormData();
  form.set("alt", opts.alt ?? "Six-burner range beside the prep table");
  form.set(
    "photo",
    new File([bytes.slice()], opts.name ?? "photo.jpg", {
      type: opts.type ?? "image/jpeg",
    }),
  );
  return await t.request(`/host/kitchens/${kitchenId}/photos`, {
    method: "POST",
    body: form,
    headers: {
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
      ...(opts.json ? { Accept: "application/json" } : {}),
    },
  });
}

async function photosOf(t: T, id: string, user: { id: string }) {
  const listing = await getListingFor(t.kv, id, { ...user, roles: ["host"] });
  return listing.values.photos ?? [];
}

async function countKeys(kv: Deno.Kv, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: [prefix] })) n++;
  return n;
}

async function storedNothing(t: T) {
  assert.equal(await countKeys(t.kv, "files"), 0, "no manifests");
  assert.equal(await countKeys(t.kv, "file_chunks"), 0, "no chunks");
  assert.equal(await countKeys(t.kv, "uploads_pending"), 0, "no markers");
}

async function stored(t: T, id: string) {
  const file = await getFile(t.kv, id);
  assert.ok(file, `file ${id} is stored`);
  const image = await decodeWebp(file.bytes.slice().buffer);
  return { ...file, width: image.width, height: image.height };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

Deno.test("photos: JPEG, PNG and WebP are stored as WebP in two sizes, without EXIF or GPS", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    const withGps = afterSoi(await jpeg(2000, 1200), exifSegment(1));
    assert.ok(contains(withGps, "Exif") && contains(withGps, SECRET));
    for (
      const [bytes, name, type] of [
        [withGps, "kitchen.jpg", "image/jpeg"],
        [await png(700, 500), "kitchen.png", "image/png"],
        // The stated type is ignored: the bytes decide.
        [await webp(640, 480), "kitchen.gif", "image/gif"],
      ] as const
    ) {
      const res = await upload(t, cookie, id, bytes, { name, type });
      assert.equal(res.status, 303, await res.clone().text());
      assert.equal(
        res.headers.get("location"),
        `/host/kitchens/${id}/edit/photos?notice=added`,
      );
    }
    const photos = await photosOf(t, id, user);
    assert.equal(photos.length, 3);
    const expected = [[1600, 960, 600, 360], [700, 500, 600, 429], [
      640,
      480,
      600,
      450,
    ]];
    for (const [i, p] of photos.entries()) {
      assert.match(p.id, ULID);
      assert.match(p.cardId!, ULID);
      assert.equal(p.alt, "Six-burner range beside the prep table");
      const large = await stored(t, p.id);
      const card = await stored(t, p.cardId!);
      for (const f of [large, card]) {
        assert.equal(f.meta.contentType, "image/webp");
        assert.equal(f.meta.owner, user.id);
        assert.equal(f.meta.purpose, "kitchen-photo");
        assert.equal(new TextDecoder().decode(f.bytes.subarray(0, 4)), "RIFF");
        assert.equal(new TextDecoder().decode(f.bytes.subarray(8, 12)), "WEBP");
        for (const s of ["Exif", "EXIF", "GPS", "XMP", SECRET]) {
          assert.ok(!contains(f.bytes, s), `photo ${i} has no ${s}`);
        }
      }
      assert.deepEqual(
        [large.width, large.height, card.width, card.height],
        expected[i],
      );
      assert.ok(Math.max(large.width, large.height) <= 1600);
      assert.ok(Math.max(card.width, card.height) <= 600);
    }
    // The public route serves both sizes with their exact type.
    const served = await t.request(`/photos/${photos[0].cardId}`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/webp");
    assert.equal(served.headers.get("x-content-type-options"), "nosniff");
    await served.body?.cancel();
    // The section page lists them, the first as the cover, card size.
    const page =
      await (await get(t, `/host/kitchens/${id}/edit/photos`, cookie))
        .text();
    assert.match(page, /3 of 20 photos/);
    assert.match(page, /Photo 1: cover/);
    assert.ok(page.includes(`/photos/${photos[2].cardId}`));
    assert.match(page, /<prep-island[^>]*PhotoUploader/);
    assert.match(page, /enctype="multipart\/form-data"/);
    assert.equal(await countKeys(t.kv, "uploads_pending"), 0);
  } finally {
    await t.close();
  }
});

Deno.test("photos: a portrait phone photo (EXIF orientation 6) is stored upright", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    const sideways = afterSoi(await jpeg(300, 200), exifSegment(6));
    const res = await upload(t, cookie, id, sideways);
    assert.equal(res.status, 303);
    const [photo] = await photosOf(t, id, user);
    const large = await stored(t, photo.id);
    assert.deepEqual([large.width, large.height], [200, 300]);
  } finally {
    await t.close();
  }
});

Deno.test("photos: the island's JSON answer names the new photo or the reason", async () => {
  const { t, cookie, id } = await setup();
  try {
    const ok = await upload(t, cookie, id, await jpeg(320, 240), {
      json: true,
    });
    assert.equal(ok.status, 201);
    const answer = await ok.json();
    assert.match(answer.photo.id, ULID);
    assert.match(answer.photo.cardId, ULID);
    assert.equal(answer.count, 1);
    assert.equal(answer.max, 20);
    const refused = await upload(
      t,
      cookie,
      id,
      new TextEncoder().encode("%PDF-1.7\n%%EOF\n"),
      { json: true },
    );
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error, /PDF document/);
    const noAlt = await upload(t, cookie, id, await jpeg(32, 32), {
      json: true,
      alt: "  ",
    });
    assert.equal(noAlt.status, 400);
    assert.deepEqual((await noAlt.json()).issues, {
      alt: "Enter a description of the photo",
    });
  } finally {
    await t.close();
  }
});

Deno.test("photos: SVG, HTML, PDF, GIF, polyglots and broken images are refused and nothing is stored", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    const text = (s: string) => new TextEncoder().encode(s);
    const good = await jpeg(64, 48);
    const comment = (s: string) => {
      const body = text(s);
      return concat(
        new Uint8Array([
          0xff,
          0xfe,
          (body.length + 2) >> 8,
          (body.length + 2) & 255,
        ]),
        body,
      );
    };
    // A PNG whose header claims 4001 × 3000: refused before it is decoded.
    const tooLargePng = (await png(8, 6)).slice();
    new DataView(tooLargePng.buffer).setUint32(16, 4001);
    new DataView(tooLargePng.buffer).setUint32(20, 3000);
    // Components 0 in the frame header: a JPEG by its bytes and its
    // structure, which no decoder accepts.
    const undecodable = good.slice();
    for (let i = 2; i < undecodable.length; i++) {
      if (undecodable[i] === 0xff && undecodable[i + 1] === 0xc0) {
        undecodable[i + 9] = 0;
        break;
      }
    }
    const gif = new Uint8Array([
      ...text("GIF89a"),
      1,
      0,
      1,
      0,
      0,
      0,
      0,
      0x2c,
      0,
      0,
      0,
      0,
      1,
      0,
      1,
      0,
      0,
      2,
      2,
      0x44,
      1,
      0,
      0x3b,
    ]);
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "SVG with a script",
        text(
          '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        /That file is a web page or an SVG drawing, not a photo\. Upload a JPEG, PNG or WebP photo\./,
      ],
      [
        "SVG with an XML declaration",
        text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        /That file is an XML or SVG file\./,
      ],
      [
        "HTML",
        text("<!doctype html><html><body><script>alert(1)</script>"),
        /That file is a web page or an SVG drawing, not a photo\./,
      ],
      [
        "PDF",
        text("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
        /That file is a PDF document\./,
      ],
      ["GIF", gif, /That file is a GIF\. Upload a JPEG, PNG or WebP photo\./],
      [
        "JPEG with a script in a comment",
        afterSoi(good, comment("<script>alert(document.cookie)</script>")),
        /That photo carries hidden web content \(markup or script\)/,
      ],
      [
        "JPEG with a web page after its end",
        concat(good, text("<html><body onload=alert(1)>hi</body></html>")),
        /That photo carries hidden web content/,
      ],
      [
        "truncated JPEG",
        good.subarray(0, good.length >> 1),
        /That photo is damaged or incomplete, so we could not read it\./,
      ],
      [
        "JPEG that does not decode",
        undecodable,
        /That photo is damaged or incomplete/,
      ],
      [
        "PNG over 12 megapixels (4001 × 3000)",
        tooLargePng,
        /That photo is 4001 × 3000 pixels; the most for a PNG is 12 megapixels\. Save it at a smaller size and upload it again\./,
      ],
      ["empty file", new Uint8Array(), /Choose a photo to upload\./],
      [
        "text",
        text("just some words"),
        /That file is not an image we recognise\./,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      const res = await upload(t, cookie, id, bytes);
      assert.equal(res.status, 400, name);
      const html = await res.text();
      assert.match(html, message, name);
      // The form says what it takes before anyone tries.
      assert.match(
        html,
        /JPEG \(up to 25 megapixels\), PNG or WebP \(up to 12 megapixels\), each up to 10 MB\./,
        name,
      );
      // The form keeps what was typed.
      assert.match(
        html,
        /value="Six-burner range beside the prep table"/,
        name,
      );
    }
    assert.equal((await photosOf(t, id, user)).length, 0);
    await storedNothing(t);
  } finally {
    await t.close();
  }
});

Deno.test("photos: a multipart body that cannot be read gets a clear 400, page or JSON, and nothing is stored", async () => {
  const { t, cookie, id } = await setup();
  try {
    const enc = new TextEncoder();
    const part = (boundary: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n` +
      "Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n";
    const long = "a".repeat(4_000);
    const bodies: [string, string, Uint8Array<ArrayBuffer>][] = [
      [
        "a boundary past RFC 2046's 70 characters",
        long,
        enc.encode(part(long) + `--${long}--\r\n`),
      ],
      ["no closing delimiter", "b", enc.encode(part("b"))],
      ["no boundary in the body", "b", enc.encode("just some bytes")],
      [
        "part headers that are not UTF-8",
        "b",
        new Uint8Array([
          ...enc.encode('--b\r\nContent-Disposition: form-data; name="'),
          0xff,
          ...enc.encode('"\r\n\r\nx\r\n--b--\r\n'),
        ]),
      ],
    ];
    for (const [what, boundary, body] of bodies) {
      for (const json of [false, true]) {
        const res = await t.request(`/host/kitchens/${id}/photos`, {
          method: "POST",
          body,
          headers: {
            "Content-Type": `multipart/form-data; boundary=${boundary}`,
            "Sec-Fetch-Site": "same-origin",
            Cookie: cookie,
            ...(json ? { Accept: "application/json" } : {}),
          },
        });
        assert.equal(res.status, 400, `${what}${json ? " (JSON)" : ""}`);
        const text = await res.text();
        assert.match(text, /We could not read that upload\./, what);
      }
    }
    await storedNothing(t);
  } finally {
    t.close();
  }
});

Deno.test("photos: an 11 MB upload gets a 413 before the body is read in full", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    const total = 11 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    const send = async (headers: Record<string, string>) => {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= total) return controller.close();
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await t.request(`/host/kitchens/${id}/photos`, {
        method: "POST",
        body,
        duplex: "half",
        headers: {
          "Content-Type": "multipart/form-data; boundary=x",
          "Sec-Fetch-Site": "same-origin",
          Cookie: cookie,
          ...headers,
        },
      } as RequestInit);
      return { res, pulled };
    };
    // Streamed with no length: reading stops at the limit.
    const streamed = await send({});
    assert.equal(streamed.res.status, 413);
    // The photos page again, saying why, with its upload form: no dead end.
    const page = await streamed.res.text();
    assert.match(
      page,
      /That photo is larger than 10 MB, so it was not uploaded\. Save it smaller first\./,
    );
    assert.match(page, /enctype="multipart\/form-data"/i);
    assert.ok(
      streamed.pulled <= 10.5 * 1024 * 1024 + 2 * chunk.length,
      `read ${streamed.pulled} of ${total} bytes`,
    );
    // Declared too long: refused without reading.
    const declared = await send({ "Content-Length": String(total) });
    assert.equal(declared.res.status, 413);
    assert.ok(declared.pulled <= 2 * chunk.length, `read ${declared.pulled}`);
    // The limit is the upload route's only: a small form elsewhere under
    // the kitchen keeps the 16 KB limit.
    const photoId = newId();
    const alt = await post(
      t,
      `/host/kitchens/${id}/photos/${photoId}/alt`,
      { alt: "x".repeat(20_000) },
      { cookie },
    );
    assert.equal(alt.status, 413);
    assert.equal((await photosOf(t, id, user)).length, 0);
    await storedNothing(t);
  } finally {
    await t.close();
  }
});

Deno.test("photos: the 21st photo is refused", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    const twenty: PhotoRef[] = Array.from({ length: 20 }, (_, n) => ({
      id: newId(),
      alt: `Photo ${n + 1}`,
    }));
    await saveSection(t.kv, id, user, "photos", { photos: twenty }, t.clock());
    const res = await upload(t, cookie, id, await jpeg(64, 48));
    assert.equal(res.status, 409);
    assert.match(
      await res.text(),
      /This kitchen already has 20 photos, the most it can have\. Delete one to add another\./,
    );
    assert.equal((await photosOf(t, id, user)).length, 20);
    await storedNothing(t);
    const page =
      await (await get(t, `/host/kitchens/${id}/edit/photos`, cookie))
        .text();
    assert.match(page, /This kitchen has 20 photos, the most it can have/);
    assert.doesNotMatch(page, /PhotoUploader/);
  } finally {
    await t.close();
  }
});

Deno.test("photos: reorder, cover, alt text and delete", async () => {
  const { t, cookie, user, id } = await setup();
  try {
    for (const alt of ["Range", "Walk-in", "Sinks"]) {
      assert.equal(
        (await upload(t, cookie, id, await jpeg(80, 60), { alt })).status,
        303,
      );
    }
    const order = async () => (await photosOf(t, id, user)).map((p) => p.alt);
    const [range, walkIn, sinks] = await photosOf(t, id, user);
    const act = async (photo: PhotoRef, action: string, form = {}) => {
      const res = await post(
        t,
        `/host/kitchens/${id}/photos/${photo.id}/${action}`,
        form,
        { cookie },
      );
      return res;
    };
    const moved = await act(sinks, "up");
    assert.equal(moved.status, 303);
    assert.equal(
      moved.headers.get("location"),
      `/host/kitchens/${id}/edit/photos?notice=moved`,
    );
    assert.deepEqual(await order(), ["Range", "Sinks", "Walk-in"]);
    await act(walkIn, "cover");
    assert.deepEqual(await order(), ["Walk-in", "Range", "Sinks"]);
    await act(range, "down");
    assert.deepEqual(await order(), ["Walk-in", "Sinks", "Range"]);
    await act(walkIn, "up"); // already first: nothing moves
    assert.deepEqual(await order(), ["Walk-in", "Sinks", "Range"]);

    const saved = await act(sinks, "alt", { alt: "  Two deep sinks  " });
    assert.equal(saved.status, 303);
    assert.deepEqual(await order(), ["Walk-in", "Two deep sinks", "Range"]);
    const blank = await act(sinks, "alt", { alt: "   " });
    assert.equal(blank.status, 400);
    assert.match(await blank.text(), /Enter a description of the photo/);
    assert.deepEqual(await order(), ["Walk-in", "Two deep sinks", "Range"]);

    const deleted = await act(range, "delete");
    assert.equal(deleted.status, 303);
    assert.deepEqual(await order(), ["Walk-in", "Two deep sinks"]);
    assert.equal(await getFile(t.kv, range.id), null);
    assert.equal(await getFile(t.kv, range.cardId!), null);
    assert.ok(await getFile(t.kv, sinks.id));
    // Both files are gone, chunks and all.
    for (const fileId of [range.id, range.cardId!]) {
      const left = [];
      for await (
        const e of t.kv.list({ prefix: keys.fileChunksPrefix(fileId) })
      ) left.push(e);
      assert.equal(left.length, 0);
    }
    assert.equal((await act(range, "cover")).status, 404);
    assert.equal((await act(range, "alt", { alt: "Gone" })).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("photos: another host's kitchen is a 404 on every route", async () => {
  const { t, user, id } = await setup();
  try {
    const other = await signUpConfirmed(t, "otto@example.com", "host");
    await saveSection(t.kv, id, user, "photos", {
      photos: [{ id: newId(), cardId: newId(), alt: "Range" }],
    }, t.clock());
    const [photo] = await photosOf(t, id, user);
    const before = await photosOf(t, id, user);
    const page = await get(t, `/host/kitchens/${id}/edit/photos`, other.cookie);
    assert.equal(page.status, 404);
    const res = await upload(t, other.cookie, id, await jpeg(64, 48));
    assert.equal(res.status, 404);
    for (const action of ["alt", "up", "down", "cover", "delete"]) {
      const r = await post(
        t,
        `/host/kitchens/${id}/photos/${photo.id}/${action}`,
        { alt: "Mine now" },
        { cookie: other.cookie },
      );
      assert.equal(r.status, 404, action);
    }
    assert.deepEqual(await photosOf(t, id, user), before);
    // An id that is not id-shaped never reaches KV.
    const odd = await get(
      t,
      `/host/kitchens/not-an-id/edit/photos`,
      other.cookie,
    );
    assert.equal(odd.status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("photos: support staff posting a photo get a clear 403 before it is processed, and nothing is stored", async () => {
  const { t, id } = await setup();
  try {
    const support = await staff(t, "sam@example.com", "support");
    const res = await upload(t, support, id, await jpeg(64, 48));
    assert.equal(res.status, 403);
    assert.match(
      await res.text(),
      /Support staff can look at a host(?:'|&#39;)s listing but not change it/,
    );
    const json = await upload(t, support, id, await jpeg(64, 48), {
      json: true,
    });
    assert.equal(json.status, 403);
    assert.match((await json.json()).error, /Support staff can look/);
    await storedNothing(t);
    // Refused before the bytes are even looked at: what is not a photo at
    // all gets the same answer, not "that is not a photo".
    const sam = (await userByEmail(t, "sam@example.com"))!;
    await assert.rejects(
      () =>
        addPhoto(t.kv, id, sam, {
          bytes: new Uint8Array([1, 2, 3]),
          alt: "Not a photo",
        }, t.clock()),
      ForbiddenError,
    );
    await storedNothing(t);
    // They see the photos page without its forms.
    const page = await get(t, `/host/kitchens/${id}/edit/photos`, support);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(
      html,
      /Only the kitchen(?:'|&#39;)s host or an admin adds and changes its photos/,
    );
    assert.doesNotMatch(html, /type="file"/);
  } finally {
    await t.close();
  }
});

Deno.test("photos: a published kitchen keeps at least 3 photos, and shared files are never deleted", async () => {
  const t = await testApp();
  try {
    const { cookie, user } = await signUpConfirmed(
      t,
      "pia@example.com",
      "host",
    );
    // Photos stored without an owner, as the demo seed stores them.
    const refs: PhotoRef[] = [];
    for (let n = 0; n < 4; n++) {
      const file = await putFile(t.kv, {
        bytes: await webp(40, 30),
        contentType: "image/webp",
      });
      refs.push({ id: file.id, alt: `Photo ${n + 1}` });
    }
    const [kitchen] = await addKitchens(t.kv, user.id, [
      kitchenFixture({ photos: refs }),
    ]);
    const url = (p: PhotoRef) =>
      `/host/kitchens/${kitchen.id}/photos/${p.id}/delete`;
    assert.equal((await post(t, url(refs[3]), {}, { cookie })).status, 303);
    assert.ok(await getFile(t.kv, refs[3].id), "not the host's file: kept");
    const refused = await post(t, url(refs[0]), {}, { cookie });
    assert.equal(refused.status, 409);
    assert.match(
      await refused.text(),
      /A published kitchen needs at least 3 photos\. Add another before deleting this one\./,
    );
    assert.equal((await photosOf(t, kitchen.id, user)).length, 3);
  } finally {
    await t.close();
  }
});

Deno.test("photos: reorderPhotos moves one photo up, down or to the cover", () => {
  const p = (id: string): PhotoRef => ({ id, alt: id });
  const list = ["A", "B", "C", "D"].map(p);
  const cases: [string, "up" | "down" | "cover", string][] = [
    ["C", "up", "ACBD"],
    ["A", "up", "ABCD"],
    ["B", "down", "ACBD"],
    ["D", "down", "ABCD"],
    ["D", "cover", "DABC"],
    ["A", "cover", "ABCD"],
  ];
  for (const [id, move, expected] of cases) {
    assert.equal(
      reorderPhotos(list, id, move).map((x) => x.id).join(""),
      expected,
      `${id} ${move}`,
    );
  }
  assert.throws(
    () => reorderPhotos(list, "Z", "up"),
    /could not find that photo/,
  );
});

/** The kv, with every atomic commit after the first `ok` failing like a crash. */
function crashingAfter(kv: Deno.Kv, ok: number): Deno.Kv {
  let commits = 0;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => {
            if (++commits > ok) throw new Error("simulated crash");
            return commit();
          };
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("files: chunks of an upload that never got its manifest are removed by the cleanup job", async () => {
  const t = await testApp();
  try {
    const bytes = new Uint8Array(60_000 * 14);
    for (let at = 0; at < bytes.length; at += 65_536) {
      crypto.getRandomValues(bytes.subarray(at, at + 65_536));
    }
    const id = newId();
    // The marker and the first dozen chunks land; the process "dies" then.
    await assert.rejects(
      putFile(crashingAfter(t.kv, 2), {
        id,
        bytes,
        contentType: "image/webp",
      }, { now: t.clock() }),
      /simulated crash/,
    );
    const chunks = async () => {
      let n = 0;
      for await (const _ of t.kv.list({ prefix: keys.fileChunksPrefix(id) })) {
        n++;
      }
      return n;
    };
    assert.equal(await chunks(), 12);
    assert.equal(await getFile(t.kv, id), null);
    // A finished upload and a finished delete leave no marker behind.
    const kept = await putFile(t.kv, { bytes, contentType: "image/webp" }, {
      now: t.clock(),
    });
    const gone = await putFile(t.kv, { bytes, contentType: "image/webp" }, {
      now: t.clock(),
    });
    assert.equal(await deleteFile(t.kv, gone.id, { now: t.clock() }), true);
    assert.equal(await countKeys(t.kv, "uploads_pending"), 1);
    // One cleanup sweep is scheduled for all of them, an hour or more out.
    const sweeps = [];
    for await (
      const e of t.kv.list<{ type: string; runAt: number }>({
        prefix: ["jobs"],
      })
    ) {
      if (e.value.type === FILE_CLEANUP_JOB) sweeps.push(e.value);
    }
    assert.equal(sweeps.length, 1);
    assert.ok(sweeps[0].runAt >= t.clock() + 60 * 60_000);

    t.advance(30 * 60_000);
    await runJobs(t);
    assert.equal(await chunks(), 12, "not due yet");

    t.advance(2 * 60 * 60_000);
    await runJobs(t);
    assert.equal(await chunks(), 0);
    assert.equal(await countKeys(t.kv, "uploads_pending"), 0);
    assert.deepEqual((await getFile(t.kv, kept.id))?.bytes, bytes);
    assert.equal(await getFile(t.kv, gone.id), null);
    // The sweep ran and is gone; nothing is dead-lettered.
    assert.equal(await countKeys(t.kv, "jobs"), 0);
    assert.equal(await countKeys(t.kv, "jobs_dead"), 0);
  } finally {
    await t.close();
  }
});

Deno.test("files: a write of the same id that died minutes ago does not block a new one", async () => {
  const t = await testApp();
  try {
    const id = newId();
    const bytes = new Uint8Array(150_000).fill(7);
    await assert.rejects(
      putFile(
        crashingAfter(t.kv, 1),
        { id, bytes, contentType: "image/webp" },
        {
          now: t.clock(),
        },
      ),
      /simulated crash/,
    );
    t.advance(6 * 60_000);
    const file = await putFile(t.kv, { id, bytes, contentType: "image/webp" }, {
      now: t.clock(),
    });
    assert.equal(file.id, id);
    assert.deepEqual((await getFile(t.kv, id))?.bytes, bytes);
    assert.equal(await countKeys(t.kv, "uploads_pending"), 0);
  } finally {
    await t.close();
  }
});
