/**
 * Multipart bodies read into one buffer (routes/multipart.ts): what
 * FormData gave for what browsers send, files as views of the body, and
 * no answer but null for a body that cannot be read.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  boundaryOf,
  dispositionOf,
  fileBytes,
  readMultipart,
  splitMultipart,
  UploadedFile,
} from "../../routes/multipart.ts";

const utf8 = new TextEncoder();

/** A request as a browser posts `form`: Deno writes the multipart body. */
function posted(form: FormData): Request {
  return new Request("http://prep.test/upload", { method: "POST", body: form });
}

/** A request with this exact body and boundary `b`. */
function raw(
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
) {
  return new Request("http://prep.test/upload", {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=b", ...headers },
    body: typeof body === "string" ? utf8.encode(body) : body,
  });
}

Deno.test("multipart: dispositionOf reads names as browsers write them", () => {
  const cases: [string, { name?: string; filename?: string }][] = [
    ['form-data; name="kind"', { name: "kind" }],
    ['form-data; name="file"; filename="cert.pdf"', {
      name: "file",
      filename: "cert.pdf",
    }],
    // An empty file input still sends a filename: it is a file, empty.
    ['form-data; name="file"; filename=""', { name: "file", filename: "" }],
    // Backslashes are the user's path, not escapes.
    ['form-data; name="f"; filename="C:\\Users\\rosa\\a.jpg"', {
      name: "f",
      filename: "C:\\Users\\rosa\\a.jpg",
    }],
    // Browsers write ", CR and LF as %22, %0D, %0A; a ";" inside quotes stays.
    ['form-data; name="a%22b"; filename="x;y%0D%0A.pdf"', {
      name: 'a"b',
      filename: "x;y\r\n.pdf",
    }],
    ["form-data; NAME=token; FileName=t.png", {
      name: "token",
      filename: "t.png",
    }],
    // The first of a repeated parameter wins; others are ignored.
    ['form-data; name="one"; name="two"; size=3', { name: "one" }],
    ["form-data", {}],
    ["", {}],
    ['form-data; filename="only.pdf"', { filename: "only.pdf" }],
  ];
  for (const [header, want] of cases) {
    assert.deepEqual(dispositionOf(header), want, header);
  }
});

Deno.test("multipart: fields come in order as FormData gives them, files as views of the one body buffer", async () => {
  const pdf = new Uint8Array(300_000).map((_, i) => i % 251);
  const form = new FormData();
  form.append("kind", "food_handler_card");
  form.append("name", "Rosa Díaz ✓");
  form.append(
    "file",
    new File([pdf], "Food card.pdf", { type: "application/pdf" }),
  );
  form.append("tags[]", "a");
  form.append("tags[]", "b");
  form.append("empty", new File([], "", { type: "application/octet-stream" }));
  const fields = await readMultipart(posted(form));
  assert.ok(fields);
  assert.deepEqual(
    fields.map(([k, v]) => [k, typeof v === "string" ? v : `file ${v.name}`]),
    [
      ["kind", "food_handler_card"],
      ["name", "Rosa Díaz ✓"],
      ["file", "file Food card.pdf"],
      ["tags[]", "a"],
      ["tags[]", "b"],
      ["empty", "file "],
    ],
  );
  const file = fields[2][1] as UploadedFile;
  assert.ok(file instanceof File && file instanceof UploadedFile);
  assert.equal(file.type, "application/pdf");
  assert.equal(file.size, pdf.length);
  const view = await fileBytes(file);
  assert.deepEqual(view, pdf);
  // Not a copy: the view sits inside the buffer the whole body went into.
  assert.ok(view.buffer.byteLength > pdf.length, "a view of the body");
  assert.equal(view, file.view());
  // The Blob methods read the same bytes, as copies.
  const copy = await file.bytes();
  assert.deepEqual(copy, pdf);
  assert.notEqual(copy.buffer, view.buffer);
  assert.deepEqual(new Uint8Array(await file.arrayBuffer()), pdf);
  assert.deepEqual(await new Response(file.stream()).bytes(), pdf);
  assert.deepEqual(await file.slice(10, 20).bytes(), pdf.slice(10, 20));
  assert.equal((fields[5][1] as File).size, 0);
  // zod's file type takes it, size checks included.
  assert.ok(z.file().max(pdf.length).safeParse(file).success);
  assert.ok(!z.file().max(pdf.length - 1).safeParse(file).success);
});

Deno.test("multipart: a chunked body without a length is read whole, past the first buffer", async () => {
  const big = new Uint8Array(200_000).fill(7);
  const body = [
    utf8.encode(
      '--b\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n' +
        "Content-Type: image/jpeg\r\n\r\n",
    ),
    big,
    utf8.encode(
      '\r\n--b\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA sink\r\n--b--\r\n',
    ),
  ];
  const stream = ReadableStream.from(
    body.flatMap((part) => {
      const chunks = [];
      for (let i = 0; i < part.length; i += 30_000) {
        chunks.push(part.slice(i, i + 30_000));
      }
      return chunks;
    }),
  );
  const req = new Request("http://prep.test/upload", {
    method: "POST",
    headers: { "content-type": 'multipart/form-data; boundary="b"' },
    body: stream,
  });
  assert.equal(req.headers.get("content-length"), null);
  const fields = await readMultipart(req);
  assert.ok(fields);
  assert.equal(fields.length, 2);
  const [, photo] = fields[0];
  assert.ok(photo instanceof UploadedFile);
  assert.equal(photo.name, "p.jpg");
  assert.equal(photo.type, "image/jpeg");
  assert.deepEqual(photo.view(), big);
  assert.deepEqual(fields[1], ["alt", "A sink"]);
});

Deno.test("multipart: a body that cannot be read is null, never a throw", async () => {
  const part = '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n';
  const cases: [string, Request][] = [
    [
      "no boundary",
      new Request("http://prep.test/", {
        method: "POST",
        headers: { "content-type": "multipart/form-data" },
        body: part,
      }),
    ],
    ["no closing boundary", raw(part)],
    ["no delimiter at all", raw("hello\r\n--c--\r\n")],
    ["empty body", raw("")],
    [
      "part headers that are not UTF-8",
      raw(
        new Uint8Array([
          ...utf8.encode('--b\r\nContent-Disposition: form-data; name="'),
          0xff,
          0xfe,
          ...utf8.encode('"\r\n\r\nx\r\n--b--\r\n'),
        ]),
      ),
    ],
    [
      "a part header past the parser's limit",
      raw(
        `--b\r\nContent-Disposition: form-data; name="${
          "n".repeat(10_000)
        }"\r\n\r\nx\r\n--b--\r\n`,
      ),
    ],
    ["more parts than any form has", raw(part.repeat(1_001) + "--b--\r\n")],
  ];
  for (const [what, req] of cases) {
    assert.equal(await readMultipart(req), null, what);
  }
  // A well-formed body of the same parts reads.
  assert.deepEqual(await readMultipart(raw(part + "--b--\r\n")), [["a", "x"]]);
});

Deno.test("multipart: a part without a name is skipped, as FormData skips it", async () => {
  const body = "--b\r\nContent-Disposition: form-data\r\n\r\nlost\r\n" +
    '--b\r\nContent-Disposition: form-data; name="kept"\r\n\r\nyes\r\n--b--\r\n';
  assert.deepEqual(await readMultipart(raw(body)), [["kept", "yes"]]);
});

Deno.test("multipart: the buffer holds what arrived, never a Content-Length nobody sends, and never more than it", async () => {
  const body =
    '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n' +
    "hello\r\n--b--\r\n";
  // Declares 10 MB, sends a few bytes: one small buffer, not 10 MB.
  const fields = await readMultipart(
    raw(body, { "content-length": "10000000" }),
  );
  assert.ok(fields);
  const file = fields[0][1] as UploadedFile;
  assert.equal(await file.text(), "hello");
  assert.equal(file.view().buffer.byteLength, utf8.encode(body).length);
  // Sends more than it declared: not read.
  assert.equal(
    await readMultipart(raw(body, { "content-length": "20" })),
    null,
  );
});

Deno.test("multipart: boundaryOf takes RFC 2046 boundaries only", () => {
  const cases: [string, string | null][] = [
    [
      "multipart/form-data; boundary=----WebKitFormBoundaryx1Y2",
      "----WebKitFormBoundaryx1Y2",
    ],
    ['multipart/form-data; boundary="quoted; semicolon"', null],
    ['multipart/form-data; boundary="a b"', "a b"],
    ["multipart/form-data; charset=utf-8; BOUNDARY=abc", "abc"],
    ["multipart/form-data; boundary=" + "x".repeat(70), "x".repeat(70)],
    // Longer than 70, empty, ending in a space, characters outside bchars.
    ["multipart/form-data; boundary=" + "x".repeat(71), null],
    ["multipart/form-data; boundary=", null],
    ['multipart/form-data; boundary="ends "', null],
    ["multipart/form-data; boundary=a\u00e9b", null],
    ['multipart/form-data; boundary="a\rb"', null],
    ["multipart/form-data", null],
  ];
  for (const [header, want] of cases) {
    assert.equal(boundaryOf(header), want, header);
  }
});

Deno.test("multipart: splitMultipart finds parts as RFC 2046 frames them", () => {
  const split = (body: string) =>
    splitMultipart(utf8.encode(body), "b")?.map((p) => [
      p.disposition,
      p.type,
      new TextDecoder().decode(p.content),
    ]);
  const cd = (n: string) => `Content-Disposition: form-data; name="${n}"`;
  const cases: [string, string, string[][] | undefined][] = [
    ["one part", `--b\r\n${cd("a")}\r\n\r\nx\r\n--b--`, [[
      cd("a").slice(21),
      "",
      "x",
    ]]],
    [
      "a preamble and an epilogue",
      `junk\r\n--b\r\n${cd("a")}\r\n\r\nx\r\n--b--\r\nmore`,
      [[cd("a").slice(21), "", "x"]],
    ],
    ["padding after the delimiter", `--b  \t\r\n${cd("a")}\r\n\r\nx\r\n--b--`, [
      [cd("a").slice(21), "", "x"],
    ]],
    ["no headers at all", "--b\r\n\r\nx\r\n--b--", [["", "", "x"]]],
    [
      "header names in any case, first wins",
      `--b\r\nCONTENT-TYPE: image/png\r\ncontent-type: text/plain\r\n${
        cd("f")
      }\r\n\r\n\r\n--b--`,
      [[cd("f").slice(21), "image/png", ""]],
    ],
    // The delimiter counts only at a line's start; near misses stay content.
    [
      "near misses in the content",
      `--b\r\n${cd("a")}\r\n\r\nx--b\r\n--c\r\n-\r\n-b\r\n--b--`,
      [[cd("a").slice(21), "", "x--b\r\n--c\r\n-\r\n-b"]],
    ],
    ["an empty form", "--b--\r\n", []],
    ["no closing delimiter", `--b\r\n${cd("a")}\r\n\r\nx`, undefined],
    [
      "no CRLF after the delimiter",
      `--bx\r\n${cd("a")}\r\n\r\nx\r\n--b--`,
      undefined,
    ],
    [
      "no empty line after the headers",
      `--b\r\n${cd("a")}\r\nx\r\n--b--`,
      undefined,
    ],
    ["no delimiter at all", "hello", undefined],
    ["nothing", "", undefined],
  ];
  for (const [what, body, want] of cases) {
    assert.deepEqual(split(body), want, what);
  }
  // RFC 2046: the delimiter must not appear in a part, even as the start of
  // a longer line ("--bb"); a body where it does is not read.
  assert.equal(
    split(`--b\r\n${cd("a")}\r\n\r\nx\r\n--bb\r\ny\r\n--b--`),
    undefined,
  );
  // Content keeps its own CRLFs, and a part may be empty.
  assert.deepEqual(
    split(
      `--b\r\n${cd("a")}\r\n\r\n\r\nl1\r\nl2\r\n\r\n--b\r\n${
        cd("e")
      }\r\n\r\n\r\n--b--`,
    ),
    [[cd("a").slice(21), "", "\r\nl1\r\nl2\r\n"], [cd("e").slice(21), "", ""]],
  );
  // A header block past 8 KB is no browser's.
  assert.equal(
    split(`--b\r\nX: ${"y".repeat(9000)}\r\n${cd("a")}\r\n\r\nx\r\n--b--`),
    undefined,
  );
});
