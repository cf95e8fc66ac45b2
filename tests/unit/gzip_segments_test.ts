import assert from "node:assert/strict";
import { crc32, gunzipSync } from "node:zlib";
import {
  gzipFilled,
  gzipLayout,
  storedBlocks,
} from "../../lib/page_cache/gzip.ts";
import { mulberry32 } from "../../lib/random.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function viaDecompressionStream(gz: Uint8Array): Promise<string> {
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

function page(rand: () => number, size: number): string {
  const words = ['<div class="card">', "kitchen", "Chicago", "</div>", "é€😀"];
  let s = "";
  while (s.length < size) s += words[Math.floor(rand() * words.length)] + " ";
  return s;
}

const rand = mulberry32(11);
const CASES: { name: string; pieces: string[]; insert: string }[] = [
  { name: "one piece, no insert", pieces: ["<p>hello</p>"], insert: "" },
  { name: "one empty piece", pieces: [""], insert: "zzz" },
  {
    name: "a nonce between pieces",
    pieces: ['<link nonce="', '" href="/a.js"><script nonce="', '"></script>'],
    insert: "q1w2e3r4t5y6u7i8o9p0aA==",
  },
  { name: "empty pieces around inserts", pieces: ["", "", ""], insert: "x/+=" },
  {
    name: "pages of 40 KB with repeated text across the cut",
    pieces: [page(rand, 40_000), page(rand, 40_000), page(rand, 40_000)],
    insert: "AbCdEfGhIjKlMnOpQrStUv==",
  },
  {
    name: "an insert of one whole stored block",
    pieces: ["a", "b"],
    insert: "n".repeat(0xffff),
  },
  { name: "multi-byte text", pieces: ["€", "😀", "é"], insert: "ü" },
];

/** The gzip of `pieces.join(insert)` through a layout made for the insert's length. */
function filled(pieces: string[], insert: string): Uint8Array {
  const layout = gzipLayout(
    pieces.map((p) => enc.encode(p)),
    enc.encode(insert).length,
  );
  const gz = gzipFilled(layout, insert);
  assert.ok(gz, "an insert of the layout's length fits");
  return gz;
}

for (const c of CASES) {
  Deno.test(`gzip segments: ${c.name} decodes to exactly the joined page`, async () => {
    const expected = c.pieces.join(c.insert);
    const gz = filled(c.pieces, c.insert);
    // gunzip checks the trailer's CRC and length.
    assert.equal(dec.decode(gunzipSync(gz)), expected);
    assert.equal(await viaDecompressionStream(gz), expected);
  });
}

Deno.test("gzip segments: one layout takes a different nonce each time; a response made from a fill keeps it", async () => {
  const pieces = ['<a nonce="', '">', "</a>"].map((p) => enc.encode(p));
  const layout = gzipLayout(pieces, 6);
  const nonces = ["first!", "second", "éabcd"];
  // The buffer is refilled per hit: what relies on Response copying its body.
  const responses = nonces.map((nonce) =>
    new Response(gzipFilled(layout, nonce))
  );
  for (const [i, nonce] of nonces.entries()) {
    const body = responses[i].body!.pipeThrough(
      new DecompressionStream("gzip"),
    );
    assert.equal(
      await new Response(body).text(),
      `<a nonce="${nonce}">${nonce}</a>`,
    );
  }
});

Deno.test("gzip segments: a value of another length is refused, so the caller builds a layout for it", () => {
  const layout = gzipLayout(["a", "b"].map((p) => enc.encode(p)), 4);
  assert.equal(gzipFilled(layout, "abc"), null);
  assert.equal(gzipFilled(layout, "abcde"), null);
  assert.equal(gzipFilled(layout, "abcé"), null, "five bytes in UTF-8");
  // A refused value left the template as it was.
  assert.equal(dec.decode(gunzipSync(gzipFilled(layout, "abcd")!)), "aabcdb");
  assert.equal(gzipFilled(layout, "abcdé"), null);
  assert.equal(dec.decode(gunzipSync(layout.template)), "aabcdb");
});

Deno.test("gzip segments: a one-piece page ignores the value and is the template", () => {
  const layout = gzipLayout([enc.encode("<p>hi</p>")], 0);
  const gz = gzipFilled(layout, "anything");
  assert.equal(gz, layout.template);
  assert.equal(dec.decode(gunzipSync(gz!)), "<p>hi</p>");
});

Deno.test("gzip segments: the trailer's CRC is the joined page's, over random layouts", () => {
  const random = mulberry32(7);
  for (let round = 0; round < 60; round++) {
    const count = 1 + Math.floor(random() * 6);
    const pieces = Array.from(
      { length: count },
      () => page(random, Math.floor(random() * (round < 50 ? 3_000 : 90_000))),
    );
    const insert = page(random, 1 + Math.floor(random() * 40)).trim();
    const gz = filled(pieces, insert);
    const joined = enc.encode(pieces.join(insert));
    const trailer = new DataView(gz.buffer, gz.byteOffset + gz.length - 8, 8);
    assert.equal(
      trailer.getUint32(0, true),
      crc32(joined) >>> 0,
      `round ${round}`,
    );
    assert.equal(trailer.getUint32(4, true), joined.length);
  }
});

Deno.test("gzip segments: a corrupted trailer is refused (the CRC covers the insert)", () => {
  const gz = filled(["a", "b"], "nonce");
  const bad = gz.slice();
  bad[bad.length - 8] ^= 1;
  assert.throws(() => gunzipSync(bad));
});

Deno.test("gzip segments: stored blocks carry LEN and its complement", () => {
  assert.deepEqual(
    [...storedBlocks(enc.encode("ab"))],
    [0, 2, 0, 0xfd, 0xff, 97, 98],
  );
  assert.deepEqual([...storedBlocks(new Uint8Array())], [0, 0, 0, 0xff, 0xff]);
  const big = storedBlocks(new Uint8Array(0x10000));
  assert.equal(big.length, 0x10000 + 10);
  assert.deepEqual([...big.subarray(0, 5)], [0, 0xff, 0xff, 0, 0]);
  assert.deepEqual([...big.subarray(0xffff + 5, 0xffff + 10)], [
    0,
    1,
    0,
    0xfe,
    0xff,
  ]);
});

Deno.test("gzip segments: refuses no pieces, and a value past one stored block", () => {
  assert.throws(() => gzipLayout([], 0));
  assert.throws(
    () => gzipLayout([enc.encode("a"), enc.encode("b")], 0x10000),
    RangeError,
  );
});
