/**
 * Files sent with messages (issue 18 §4) through the real app: PDF, JPEG
 * and PNG up to 10 MB, typed from their bytes, shown in the thread and
 * served only to the two parties (and to staff through a report, audited)
 * as sandboxed attachments; at most 20 a person a day; and whatever is
 * refused leaves no file, no chunk and no message behind.
 */
import assert from "node:assert/strict";
import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import { at } from "../../lib/app.ts";
import type { User } from "../../lib/accounts/schema.ts";
import { listAudit } from "../../lib/audit/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { addKitchenCreate, newKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  ATTACHMENT_LIMIT,
  ATTACHMENT_MAX_BYTES,
  attachmentLabel,
  attachmentName,
} from "../../lib/messages/attachments.ts";
import { sendReply } from "../../lib/messages/replies.ts";
import { getThread, listMessagesAfter } from "../../lib/messages/repo.ts";
import {
  get,
  post,
  signUpConfirmed,
  staff,
  type T,
} from "../account_helpers.ts";
import { minimalPdf } from "../compliance_helpers.ts";
import { kitchenFixture, testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

function picture(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = i % 251;
    data[i + 1] = 90;
    data[i + 2] = 200;
    data[i + 3] = 255;
  }
  return new ImageData(data, width, height);
}

const png = async () => new Uint8Array(await encodePng(picture(30, 20)));
const jpeg = async () =>
  new Uint8Array(await encodeJpeg(picture(30, 20), { quality: 80 }));
const GIF = new TextEncoder().encode(
  "GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
);

async function kitchen(kv: Deno.Kv, hostId: string) {
  const k: Kitchen = {
    ...newKitchen(hostId, kitchenFixture({ title: "Hal's Kitchen" }), {
      status: "published",
      now: new Date(NOW),
    }),
    permits: { ok: true, missing: [], missingNames: [], checkedAt: NOW },
  };
  assert.ok((await addKitchenCreate(kv.atomic(), k).commit()).ok);
  return k;
}

async function setup() {
  const t = await testApp(NOW);
  const rosa = await signUpConfirmed(t, "rosa@example.com");
  const otto = await signUpConfirmed(t, "otto@example.com");
  const hal = await signUpConfirmed(t, "hal@example.com", "host");
  const k = await kitchen(t.kv, hal.user.id);
  const res = await post(t, "/messages/new", {
    kitchen: k.id,
    text: "Can I send you my insurance certificate?",
  }, { cookie: rosa.cookie });
  assert.equal(res.status, 303);
  const threadId = /^\/messages\/([0-9A-Z]{26})/.exec(
    res.headers.get("location")!,
  )![1];
  return { t, rosa, otto, hal, k, threadId };
}

/** Posts the reply form as a browser does (multipart, same origin). */
function replyWith(
  t: T,
  cookie: string,
  threadId: string,
  text: string,
  file?: { bytes: Uint8Array; name: string; type?: string },
  opts: { json?: boolean } = {},
): Promise<Response> {
  const form = new FormData();
  form.set("text", text);
  if (file) {
    form.set(
      "file",
      new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, {
        type: file.type ?? "application/octet-stream",
      }),
    );
  }
  return Promise.resolve(t.request(`/messages/${threadId}`, {
    method: "POST",
    body: form,
    headers: {
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
      ...(opts.json ? { Accept: "application/json" } : {}),
    },
  }));
}

/** Every file manifest, chunk and pending upload in KV. */
async function stored(kv: Deno.Kv) {
  const count = async (prefix: Deno.KvKey) => {
    let n = 0;
    for await (const _ of kv.list({ prefix })) n++;
    return n;
  };
  return {
    files: await count(["files"]),
    chunks: await count(["file_chunks"]),
    pending: await count(keys.pendingUploadsPrefix()),
  };
}

async function messagesOf(t: T, threadId: string) {
  return await listMessagesAfter(t.kv, threadId, null, 100);
}

Deno.test("attachments: a PDF, a JPEG and a PNG go with replies; the thread shows them and only the two parties download them, as sandboxed attachments", async () => {
  const { t, rosa, otto, hal, threadId } = await setup();
  try {
    const sent = [
      { bytes: minimalPdf(), name: "Insurance certificate 2026.pdf" },
      { bytes: await jpeg(), name: "C:\\Users\\rosa\\walk-in.jpeg" },
      // Named as a PDF, but its bytes are a PNG: it is kept as what it is.
      { bytes: await png(), name: "floor plan.pdf" },
    ];
    for (const file of sent) {
      const res = await replyWith(
        t,
        rosa.cookie,
        threadId,
        "Here it is.",
        file,
      );
      assert.equal(res.status, 303, await res.clone().text());
      assert.match(
        res.headers.get("location")!,
        new RegExp(`^/messages/${threadId}\\?notice=sent#m-[0-9A-Z]{26}$`),
      );
    }
    const withFiles = (await messagesOf(t, threadId)).filter((m) =>
      m.attachment
    );
    assert.deepEqual(
      withFiles.map((m) => [m.attachment!.name, m.attachment!.contentType]),
      [
        ["Insurance certificate 2026.pdf", "application/pdf"],
        ["walk-in.jpg", "image/jpeg"],
        ["floor plan.png", "image/png"],
      ],
    );

    // Both parties see them in the thread, each with its type and size.
    for (const cookie of [rosa.cookie, hal.cookie]) {
      const page = visibleText(
        await (await get(t, `/messages/${threadId}`, cookie)).text(),
      );
      assert.match(page, /Insurance certificate 2026\.pdf PDF, 1 KB/);
      assert.match(page, /walk-in\.jpg JPEG image, \d+ KB/);
      assert.match(page, /floor plan\.png PNG image, \d+ KB/);
    }

    const [pdf, jpg, pngMsg] = withFiles;
    for (const cookie of [rosa.cookie, hal.cookie]) {
      const res = await get(t, `/messages/${threadId}/files/${pdf.id}`, cookie);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      assert.equal(
        res.headers.get("content-disposition"),
        `attachment; filename="Insurance certificate 2026.pdf"; filename*=UTF-8''Insurance%20certificate%202026.pdf`,
      );
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(
        res.headers.get("content-security-policy"),
        "default-src 'none'; sandbox",
      );
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), sent[0].bytes);
    }
    const image = await get(
      t,
      `/messages/${threadId}/files/${pngMsg.id}`,
      hal.cookie,
    );
    assert.equal(image.headers.get("content-type"), "image/png");
    assert.match(image.headers.get("content-disposition")!, /^attachment;/);
    await image.body?.cancel();

    // Anyone else: 404, staff included; signed out: the login page first.
    const admin = await staff(t, "ada.admin@example.com", "admin");
    for (const cookie of [otto.cookie, admin]) {
      const res = await get(t, `/messages/${threadId}/files/${jpg.id}`, cookie);
      assert.equal(res.status, 404);
      await res.body?.cancel();
    }
    const anon = await get(t, `/messages/${threadId}/files/${jpg.id}`);
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get("location")!, /^\/login\?next=/);
    // A message without a file, and a made-up one.
    const plain = (await messagesOf(t, threadId))[0];
    for (const id of [plain.id, "01J00000000000000000000000"]) {
      const res = await get(
        t,
        `/messages/${threadId}/files/${id}`,
        rosa.cookie,
      );
      assert.equal(res.status, 404);
      await res.body?.cancel();
    }
    // The file store serves none of them as a public image.
    const photo = await get(t, `/photos/${pngMsg.attachment!.fileId}`);
    assert.equal(photo.status, 404);
    await photo.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("attachments: a wrong type, an empty file and one over 10 MB are form errors; nothing is stored", async () => {
  const { t, rosa, threadId } = await setup();
  try {
    const before = await stored(t.kv);
    const count = (await messagesOf(t, threadId)).length;
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "animation.gif",
        GIF,
        /That file is a GIF image\. Upload a PDF, JPEG or PNG file\./,
      ],
      [
        "page.html",
        new TextEncoder().encode("<html><script>alert(1)</script>"),
        /That file is a web page or an SVG drawing/,
      ],
      [
        "notes.pdf",
        new TextEncoder().encode("%PDF-1.4 not really"),
        /That PDF is damaged or incomplete/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      const res = await replyWith(t, rosa.cookie, threadId, "See attached.", {
        bytes,
        name,
      });
      assert.equal(res.status, 400, name);
      const html = await res.text();
      assert.match(visibleText(html), message, name);
      // What was typed is kept.
      assert.match(
        html,
        /<textarea [^>]*name="text"[^>]*>See attached\.<\/textarea>/,
      );
    }
    // An empty file input is no file: the text goes alone.
    const empty = await replyWith(
      t,
      rosa.cookie,
      threadId,
      "No file after all.",
      {
        bytes: new Uint8Array(0),
        name: "",
      },
    );
    assert.equal(empty.status, 303);

    // Over the limit: refused before the body is read, as a form error.
    const big = new Uint8Array(ATTACHMENT_MAX_BYTES + 100 * 1024);
    big.set(minimalPdf());
    const tooBig = await replyWith(t, rosa.cookie, threadId, "A big one.", {
      bytes: big,
      name: "big.pdf",
    });
    assert.equal(tooBig.status, 413);
    assert.match(
      visibleText(await tooBig.text()),
      /That file is larger than 10 MB\. Save it at a smaller size, or send your message without it\./,
    );
    // With JavaScript the island gets JSON for what the server judges.
    const json = await replyWith(t, rosa.cookie, threadId, "A gif.", {
      bytes: GIF,
      name: "a.gif",
    }, { json: true });
    assert.equal(json.status, 400);
    const answer = await json.json();
    assert.match(answer.error, /GIF image/);
    assert.match(answer.issues.file, /GIF image/);
    const noText = await replyWith(t, rosa.cookie, threadId, "", {
      bytes: minimalPdf(),
      name: "a.pdf",
    }, { json: true });
    assert.equal(noText.status, 400);
    assert.ok((await noText.json()).issues.text);

    assert.deepEqual(await stored(t.kv), before);
    assert.equal((await messagesOf(t, threadId)).length, count + 1);
  } finally {
    t.close();
  }
});

Deno.test("attachments: 20 files a person a day; the 21st is a form error; racing sends never pass the cap or leave a file without its message", async () => {
  const { t, rosa, hal, threadId } = await setup();
  try {
    const deps = at(t.services);
    const rosaUser = rosa.user as User;
    const file = () => ({ bytes: minimalPdf(), name: "menu.pdf" });
    for (let i = 0; i < ATTACHMENT_LIMIT.max - 2; i++) {
      await sendReply(deps, rosaUser, threadId, {
        text: `File ${i}`,
        file: file(),
      });
    }
    // Three at once for the last two places of the day.
    const raced = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        sendReply(deps, rosaUser, threadId, { text: `Race ${i}`, file: file() })
      ),
    );
    assert.equal(raced.filter((r) => r.status === "fulfilled").length, 2);
    const refused = raced.find((r) =>
      r.status === "rejected"
    ) as PromiseRejectedResult;
    assert.match(refused.reason.message, /You have sent 20 files today/);

    const res = await replyWith(t, rosa.cookie, threadId, "One more?", file());
    assert.equal(res.status, 400);
    assert.match(
      visibleText(await res.text()),
      /You have sent 20 files today, the most for one day\. Send your message without the file, or send the file tomorrow\./,
    );
    // The text alone still goes, and the host's own count is separate.
    assert.equal(
      (await replyWith(t, rosa.cookie, threadId, "Just text.")).status,
      303,
    );
    assert.equal(
      (await replyWith(t, hal.cookie, threadId, "Mine", file())).status,
      303,
    );

    const messages = await messagesOf(t, threadId);
    const withFiles = messages.filter((m) => m.attachment);
    assert.equal(withFiles.length, ATTACHMENT_LIMIT.max + 1);
    const s = await stored(t.kv);
    assert.equal(
      s.files,
      withFiles.length,
      "one file per message that names one",
    );
    assert.equal(s.pending, 0, "no upload left half-written");
    assert.equal(s.chunks, withFiles.length, "small files: one chunk each");

    // The next day, Rosa may send files again.
    t.advance(ATTACHMENT_LIMIT.windowMs);
    assert.equal(
      (await replyWith(t, rosa.cookie, threadId, "Next day", file())).status,
      303,
    );
  } finally {
    t.close();
  }
});

Deno.test("attachments: a reply refused after its file was written (blocked) leaves no file behind; strangers store nothing", async () => {
  const { t, rosa, otto, hal, threadId } = await setup();
  try {
    const before = await stored(t.kv);
    const blocked = await post(t, `/messages/${threadId}/block`, {}, {
      cookie: hal.cookie,
    });
    assert.equal(blocked.status, 303);
    const res = await replyWith(t, rosa.cookie, threadId, "Here.", {
      bytes: minimalPdf(),
      name: "x.pdf",
    });
    assert.equal(res.status, 409);
    assert.match(visibleText(await res.text()), /can't send messages/);
    const stranger = await replyWith(t, otto.cookie, threadId, "Hi", {
      bytes: minimalPdf(),
      name: "x.pdf",
    });
    assert.equal(stranger.status, 404);
    await stranger.body?.cancel();
    assert.deepEqual(await stored(t.kv), before);
    assert.equal((await getThread(t.kv, threadId))!.count, 1);
  } finally {
    t.close();
  }
});

Deno.test("attachments: staff open a reported thread's file through the report, and each opening is audited", async () => {
  const { t, rosa, hal, threadId } = await setup();
  try {
    const res = await replyWith(
      t,
      hal.cookie,
      threadId,
      "Pay me here instead.",
      {
        bytes: minimalPdf(),
        name: "invoice.pdf",
      },
    );
    assert.equal(res.status, 303);
    const m = (await messagesOf(t, threadId)).find((x) => x.attachment)!;
    const reported = await post(t, `/messages/${threadId}/report`, {
      message: m.id,
      reason: "Asks me to pay off the platform.",
    }, { cookie: rosa.cookie });
    assert.equal(reported.status, 303);
    const admin = await staff(t, "ada.admin@example.com", "admin");
    const support = await staff(t, "sam.support@example.com", "support");
    const queue = await (await get(t, "/admin/reports", admin)).text();
    const reportId = /\/admin\/reports\/([0-9A-Z]{26})/.exec(queue)![1];
    const view = await (await get(t, `/admin/reports/${reportId}`, admin))
      .text();
    assert.match(
      visibleText(view),
      /invoice\.pdf \(PDF, 1 KB; opening it is recorded\)/,
    );
    const href = `/admin/reports/${reportId}/files/${m.id}`;
    assert.ok(view.includes(href));

    for (const cookie of [admin, support]) {
      const file = await get(t, href, cookie);
      assert.equal(file.status, 200);
      assert.equal(
        file.headers.get("content-security-policy"),
        "default-src 'none'; sandbox",
      );
      assert.match(
        file.headers.get("content-disposition")!,
        /^attachment; filename="invoice\.pdf"/,
      );
      await file.body?.cancel();
    }
    const opened = (await listAudit(t.kv, { limit: 50 })).entries.filter((e) =>
      e.action === "attachment.viewed"
    );
    assert.equal(opened.length, 2);
    assert.equal(opened[0].subject.id, threadId);
    // The parties are not staff; a message of the report's thread without a file is a 404.
    const notStaff = await get(t, href, rosa.cookie);
    assert.equal(notStaff.status, 403);
    await notStaff.body?.cancel();
    const plain = (await messagesOf(t, threadId))[0];
    const none = await get(
      t,
      `/admin/reports/${reportId}/files/${plain.id}`,
      admin,
    );
    assert.equal(none.status, 404);
    await none.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("attachments: names are cleaned and take the extension of what the bytes are; sizes read as people write them", () => {
  const cases: [
    string,
    "application/pdf" | "image/jpeg" | "image/png",
    string,
  ][] = [
    ["certificate.pdf", "application/pdf", "certificate.pdf"],
    ["../../etc/passwd", "application/pdf", "passwd.pdf"],
    ["C:\\fakepath\\IMG_0042.JPG", "image/jpeg", "IMG_0042.jpg"],
    ["photo.pdf", "image/png", "photo.png"],
    ["report\u202Egpj.exe", "application/pdf", "reportgpj.pdf"],
    ["a\u0000b\nc.png", "image/png", "abc.png"],
    ["...hidden", "application/pdf", "hidden.pdf"],
    ["", "application/pdf", "attachment.pdf"],
    [".pdf", "application/pdf", "attachment.pdf"],
    ["menu v2.final.pdf", "application/pdf", "menu v2.final.pdf"],
    ["x".repeat(200) + ".pdf", "application/pdf", "x".repeat(80) + ".pdf"],
    ["😀".repeat(90), "image/png", "😀".repeat(80) + ".png"],
  ];
  for (const [raw, type, name] of cases) {
    assert.equal(attachmentName(raw, type), name, JSON.stringify(raw));
  }
  assert.equal(
    attachmentLabel({ contentType: "application/pdf", size: 300 }),
    "PDF, 1 KB",
  );
  assert.equal(
    attachmentLabel({ contentType: "image/jpeg", size: 340_000 }),
    "JPEG image, 332 KB",
  );
  assert.equal(
    attachmentLabel({ contentType: "image/png", size: 1_300_000 }),
    "PNG image, 1.2 MB",
  );
  assert.equal(
    attachmentLabel({
      contentType: "application/pdf",
      size: ATTACHMENT_MAX_BYTES,
    }),
    "PDF, 10.0 MB",
  );
});
