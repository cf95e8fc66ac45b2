import assert from "node:assert/strict";
import {
  blankNames,
  checkPdfBudget,
  PDF_LIMITS,
  type PdfRefusal,
} from "../../lib/compliance/pdf_budget.ts";
import {
  assemblePdf,
  deflate,
  deflateZeros,
  hostilePdfs,
  makePdf,
  makeScannedPdf,
  ONE_PAGE,
  type RawObject,
} from "../pdf_fixtures.ts";

const MiB = 1024 * 1024;
const LIMITS = { maxInflatedBytes: 16 * MiB, maxMillis: 60_000 };
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** One page whose content is `content`, plus `more` objects from number 5 on. */
const page = (content: RawObject, ...more: RawObject[]) =>
  assemblePdf([...ONE_PAGE, content, ...more]);

function ascii85(bytes: Uint8Array): Uint8Array {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    const group = bytes.subarray(i, i + 4);
    const padded = new Uint8Array(4);
    padded.set(group);
    let n = new DataView(padded.buffer).getUint32(0);
    if (n === 0 && group.length === 4) {
      out += "z";
      continue;
    }
    const digits: string[] = [];
    for (let d = 0; d < 5; d++) {
      digits.unshift(String.fromCharCode(33 + (n % 85)));
      n = Math.floor(n / 85);
    }
    out += digits.join("").slice(0, group.length + 1);
  }
  return latin1(out + "~>");
}

const hex = (bytes: Uint8Array) =>
  latin1(
    [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("") + ">",
  );

Deno.test("pdf budget: what a file's streams decode to, counted before pdf.js reads it", async () => {
  const zeros64 = await deflateZeros(64 * MiB);
  const zeros6 = await deflateZeros(6 * MiB);
  const twice = await deflate(await deflateZeros(40 * MiB));
  const flate = (data: Uint8Array, extra = "") => ({
    dict: `<< /Length ${data.length} /Filter /FlateDecode ${extra}>>`,
    data,
  });
  const hidden = latin1(
    "5 0 obj\n<< /Filter /FlateDecode >>\nstream\n",
  );
  const cases: [string, Uint8Array, PdfRefusal | null][] = [
    [
      "a certificate written by pdf-lib (object and xref streams)",
      await makePdf(["Certificate No. FH-1"]),
      null,
    ],
    ["a scanned page (a Flate image)", await makeScannedPdf(), null],
    [
      "one FlateDecode stream of 64 MiB of zeros",
      page(flate(zeros64)),
      "too-large",
    ],
    [
      "Flate inside Flate, each layer small",
      page({ dict: `<< /Filter [/FlateDecode /FlateDecode] >>`, data: twice }),
      "too-large",
    ],
    [
      "ASCII85 around Flate",
      page({ dict: `<< /Filter [/A85 /Fl] >>`, data: ascii85(zeros64) }),
      "too-large",
    ],
    [
      "ASCIIHex around Flate",
      page({ dict: `<< /Filter [/AHx /Fl] >>`, data: hex(zeros64) }),
      "too-large",
    ],
    [
      "three streams under the budget, over it together",
      page(flate(zeros6), flate(zeros6), flate(zeros6)),
      "too-large",
    ],
    [
      "an object stream that inflates past the budget",
      page(flate(latin1("")), {
        dict: `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>`,
        data: zeros64,
      }),
      "too-large",
    ],
    [
      "a stream inside an object stream",
      page(flate(latin1("")), {
        dict: `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>`,
        data: await deflate(
          latin1("6 0 << /Filter /FlateDecode >>\nstream\nxx\nendstream"),
        ),
      }),
      "structure",
    ],
    [
      "a name spelt with # escapes",
      page({ dict: `<< /Filter /Fl#61teDecode >>`, data: zeros64 }),
      "too-large",
    ],
    [
      "/F, pdf.js's other name for /Filter",
      page({ dict: `<< /F /FlateDecode >>`, data: zeros64 }),
      "too-large",
    ],
    [
      "a /Length far shorter than the data",
      page({ dict: `<< /Length 10 /Filter /FlateDecode >>`, data: zeros64 }),
      "too-large",
    ],
    [
      "an object hidden in another stream's data, which its /Length covers",
      page({
        dict: `<< /Length ${hidden.length + zeros64.length} >>`,
        data: new Uint8Array([...hidden, ...zeros64]),
      }),
      "too-large",
    ],
    [
      "a PNG predictor whose rows are 200 MB wide",
      page(
        flate(
          await deflate(latin1("x")),
          "/DecodeParms << /Predictor 12 /Columns 50000000 /Colors 4 /BitsPerComponent 8 >> ",
        ),
      ),
      "too-large",
    ],
    [
      "a filter given by reference",
      page({ dict: `<< /Filter 5 0 R >>`, data: zeros64 }, "/FlateDecode"),
      "structure",
    ],
    [
      "LZW",
      page({ dict: `<< /Filter /LZWDecode >>`, data: latin1("x") }),
      "filter",
    ],
    [
      "Brotli",
      page({ dict: `<< /Filter /BrotliDecode >>`, data: latin1("x") }),
      "filter",
    ],
    [
      "an image codec before another filter",
      page({
        dict: `<< /Filter [/DCTDecode /FlateDecode] >>`,
        data: latin1("x"),
      }),
      "filter",
    ],
    [
      "encrypted",
      assemblePdf(
        [...ONE_PAGE, "<< /Filter /Standard /V 1 /R 2 >>"],
        "/Encrypt 4 0 R /ID [<00> <00>] ",
      ),
      "encrypted",
    ],
    [
      "a stream after a dict longer than any we read",
      page({
        dict: `<< /Filter /FlateDecode /Pad (${"x".repeat(70_000)}) >>`,
        data: zeros64,
      }),
      "structure",
    ],
    [
      "a stream keyword no parse accounts for",
      page({
        dict: `<< /Filter /FlateDecode /T (never closed >>`,
        data: zeros64,
      }),
      "structure",
    ],
    [
      "a Flate stream zlib cannot decode",
      page({
        dict: `<< /Filter /FlateDecode >>`,
        data: latin1("\x78\x9c\xff\xff\xff\xff"),
      }),
      "damaged",
    ],
  ];
  for (const [name, bytes, refusal] of cases) {
    const check = await checkPdfBudget(bytes, LIMITS);
    assert.deepEqual(
      check.ok ? null : check.refusal,
      refusal,
      `${name}: ${JSON.stringify(check)}`,
    );
    assert.ok(bytes.length < 2 * MiB, `${name} is small on disk`);
  }
});

Deno.test("pdf budget: the server's own limit passes the costliest text file the bench reads and refuses one a MiB past it", async () => {
  const edge =
    (await hostilePdfs()).find(([name]) =>
      name.startsWith("7.3 MiB of one-letter text")
    )![1];
  const passed = await checkPdfBudget(edge);
  assert.ok(passed.ok);
  assert.ok(passed.inflatedBytes > PDF_LIMITS.maxInflatedBytes - MiB);
  const over = await deflateZeros(PDF_LIMITS.maxInflatedBytes + MiB);
  const refused = await checkPdfBudget(
    page({
      dict: `<< /Length ${over.length} /Filter /FlateDecode >>`,
      data: over,
    }),
  );
  assert.deepEqual(refused, { ok: false, refusal: "too-large" });
});

Deno.test("pdf budget: a checksum error still counts what was decoded, as pdf.js ignores checksums", async () => {
  const data = await deflate(new Uint8Array(1000).fill(7));
  data[data.length - 1] ^= 0xff;
  const check = await checkPdfBudget(
    page({ dict: `<< /Filter /FlateDecode >>`, data }),
    LIMITS,
  );
  assert.deepEqual(check, {
    ok: true,
    inflatedBytes: 1000,
    filterNamesToBlank: [],
  });
});

Deno.test("pdf budget: images are never decoded; their filter names are blanked so pdf.js reads the bytes as they are", async () => {
  const text = (pdf: Uint8Array) => new TextDecoder("latin1").decode(pdf);
  // An image is not measured, whatever it inflates to: its filters go.
  const image = page({
    dict: `<< /Subtype /Image /Filter [/AHx /Fl#61teDecode] >>`,
    data: await deflateZeros(64 * MiB),
  });
  const checked = await checkPdfBudget(image, LIMITS);
  assert.ok(checked.ok);
  assert.equal(checked.inflatedBytes, 0);
  blankNames(image, checked.filterNamesToBlank);
  assert.match(text(image), /\/Filter \[\/XXX \/X{13}\]/);
  // An image codec ending another stream's chain: what comes before it
  // counts, the codec is blanked.
  const pdf = page({
    dict: `<< /Filter [/AHx /DCT#44ecode] >>`,
    data: latin1("ffd8ffd9>"),
  });
  const check = await checkPdfBudget(pdf, LIMITS);
  assert.ok(check.ok);
  assert.equal(check.inflatedBytes, 4);
  assert.equal(check.filterNamesToBlank.length, 1);
  assert.match(text(pdf), /\[\/AHx \/DCT#44ecode\]/);
  blankNames(pdf, check.filterNamesToBlank);
  assert.match(text(pdf), /\[\/AHx \/X{11}\]/);
  // Blanked, the file passes again with nothing left to blank.
  assert.deepEqual(await checkPdfBudget(pdf, LIMITS), {
    ok: true,
    inflatedBytes: 4,
    filterNamesToBlank: [],
  });
});

Deno.test("pdf budget: damaged and mutated files are refused or passed, never an error", async () => {
  const files = [
    await makePdf(["Certificate No. FH-1", "Expires 2028-06-30"]),
    await makeScannedPdf(),
    ...(await hostilePdfs()).map(([, pdf]) => pdf).filter((pdf) =>
      pdf.length < 300_000
    ),
  ];
  let seed = 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let round = 0; round < 200; round++) {
    const pdf = files[round % files.length].slice();
    for (let flips = 1 + Math.floor(random() * 30); flips > 0; flips--) {
      pdf[Math.floor(random() * pdf.length)] = Math.floor(random() * 256);
    }
    const cut = random() < 0.2
      ? pdf.subarray(0, Math.floor(random() * pdf.length))
      : pdf;
    const check = await checkPdfBudget(cut, LIMITS);
    assert.ok(check.ok || check.refusal, `round ${round}`);
  }
});
