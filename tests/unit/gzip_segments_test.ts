import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  deflatePieces,
  gzipJoined,
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
    name: "an insert longer than one stored block",
    pieces: ["a", "b"],
    insert: "n".repeat(70_000),
  },
  { name: "multi-byte text", pieces: ["€", "😀", "é"], insert: "ü" },
];

for (const c of CASES) {
  Deno.test(`gzip segments: ${c.name} decodes to exactly the joined page`, async () => {
    const pieces = c.pieces.map((p) => enc.encode(p));
    const expected = c.pieces.join(c.insert);
    const gz = gzipJoined(pieces, deflatePieces(pieces), enc.encode(c.insert));
    assert.equal(dec.decode(gunzipSync(gz)), expected);
    assert.equal(await viaDecompressionStream(gz), expected);
  });
}

Deno.test("gzip segments: the same deflated pieces take a different insert each time", async () => {
  const pieces = ['<a nonce="', '">', "</a>"].map((p) => enc.encode(p));
  const deflated = deflatePieces(pieces);
  for (const nonce of ["first", "second-and-longer", ""]) {
    const gz = gzipJoined(pieces, deflated, enc.encode(nonce));
    assert.equal(
      await viaDecompressionStream(gz),
      `<a nonce="${nonce}">${nonce}</a>`,
    );
  }
});

Deno.test("gzip segments: a corrupted trailer is refused (the CRC covers the insert)", () => {
  const pieces = ["a", "b"].map((p) => enc.encode(p));
  const gz = gzipJoined(pieces, deflatePieces(pieces), enc.encode("nonce"));
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

Deno.test("gzip segments: refuses mismatched pieces and deflated parts", () => {
  assert.throws(() => gzipJoined([enc.encode("a")], [], new Uint8Array()));
  assert.throws(() => gzipJoined([], [], new Uint8Array()));
});
