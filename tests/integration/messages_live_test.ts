/**
 * Live messages (issue 18 §2) through the real app: GET /messages/events
 * streams what changed in the reader's inbox, fed by kv.watch on their
 * inbox version, within a second of a write; across KV connections
 * (another instance); never another person's; ending when the client goes,
 * the session ends, its time is up or a newer tab replaces it. And what
 * the thread page's island fetches: the messages after its last one.
 */
import assert from "node:assert/strict";
import { createServices } from "../../lib/app.ts";
import { loadConfig } from "../../lib/config.ts";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { addKitchenCreate, newKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { HIDDEN } from "../../lib/messages/masking.ts";
import { replyInThread } from "../../lib/messages/threads.ts";
import { createApp } from "../../routes/app.tsx";
import { get, post, signUpConfirmed, type T } from "../account_helpers.ts";
import { kitchenFixture, testApp } from "../helpers.ts";
import type { WriteRequest } from "../live_writer.ts";
import { SseReader } from "../sse.ts";
import { at } from "../../lib/app.ts";
import type { User } from "../../lib/accounts/schema.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function kitchen(kv: Deno.Kv, hostId: string, title: string) {
  const k: Kitchen = {
    ...newKitchen(hostId, kitchenFixture({ title }), {
      status: "published",
      now: new Date(NOW),
    }),
    permits: { ok: true, missing: [], missingNames: [], checkedAt: NOW },
  };
  assert.ok((await addKitchenCreate(kv.atomic(), k).commit()).ok);
  return k;
}

/** Rosa asked Hal about his kitchen; Otto asked Hal about the same kitchen. */
async function setup(t: T) {
  const rosa = await signUpConfirmed(t, "rosa@example.com");
  const otto = await signUpConfirmed(t, "otto@example.com");
  const hal = await signUpConfirmed(t, "hal@example.com", "host");
  const k = await kitchen(t.kv, hal.user.id, "Hal's Kitchen");
  const rosaThread = await ask(t, rosa.cookie, k.id, "Is the mixer free?");
  const ottoThread = await ask(t, otto.cookie, k.id, "Do you have parking?");
  return { rosa, otto, hal, k, rosaThread, ottoThread };
}

async function ask(t: T, cookie: string, kitchenId: string, text: string) {
  const res = await post(t, "/messages/new", { kitchen: kitchenId, text }, {
    cookie,
  });
  assert.equal(res.status, 303, await res.clone().text());
  return /^\/messages\/([0-9A-Z]{26})/.exec(res.headers.get("location")!)![1];
}

async function reply(t: T, cookie: string, threadId: string, text: string) {
  const res = await post(t, `/messages/${threadId}`, { text }, { cookie });
  assert.equal(res.status, 303, await res.clone().text());
}

function open(
  t: {
    app: {
      request: (p: string, i?: RequestInit) => Response | Promise<Response>;
    };
  },
  cookie: string,
  opts: { signal?: AbortSignal; lastEventId?: string } = {},
) {
  return t.app.request("/messages/events", {
    headers: {
      Cookie: cookie,
      Accept: "text/event-stream",
      ...(opts.lastEventId ? { "Last-Event-ID": opts.lastEventId } : {}),
    },
    signal: opts.signal,
  });
}

/** Counts the kv.watch streams open on `kv` (each until it is cancelled or ends). */
function countWatches(kv: Deno.Kv): { open: number } {
  const counter = { open: 0 };
  const watch = kv.watch.bind(kv);
  kv.watch = ((keys: Deno.KvKey[], options?: { raw?: boolean }) => {
    const reader = watch(keys, options).getReader();
    counter.open++;
    let closed = false;
    const close = () => {
      if (!closed) counter.open--;
      closed = true;
    };
    return new ReadableStream<Deno.KvEntryMaybe<unknown>[]>({
      async pull(controller) {
        const r = await reader.read();
        if (r.done) {
          close();
          controller.close();
        } else controller.enqueue(r.value);
      },
      async cancel() {
        close();
        await reader.cancel();
      },
    });
  }) as typeof kv.watch;
  return counter;
}

async function until(what: string, ok: () => boolean, ms = 2000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("live: a message from the other party reaches the open stream within a second, with the unread count and the thread", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const res = await open(t, rosa.cookie);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const sse = new SseReader(res);
    const first = await sse.nextOf("inbox");
    assert.deepEqual(JSON.parse(first!.data), { unread: 0 });

    const sent = Date.now();
    await reply(t, hal.cookie, rosaThread, "Yes, all day.");
    const events = [
      await sse.nextOf("inbox", 1000),
      await sse.nextOf("thread", 1000),
    ];
    assert.ok(Date.now() - sent < 1000, `took ${Date.now() - sent} ms`);
    assert.deepEqual(JSON.parse(events[0]!.data), { unread: 1 });
    const thread = JSON.parse(events[1]!.data);
    assert.equal(thread.threadId, rosaThread);
    assert.match(thread.lastMessageId, /^[0-9A-Z]{26}$/);
    assert.equal(events[1]!.id, `${t.clock()}-${thread.lastMessageId}`);
    await sse.cancel();
  } finally {
    t.close();
  }
});

Deno.test("live: reading the thread elsewhere moves the count on the open stream; the page's island gets the new messages as list items", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const sse = new SseReader(await open(t, rosa.cookie));
    await sse.nextOf("inbox");
    const page = await (await get(t, `/messages/${rosaThread}`, rosa.cookie))
      .text();
    const lastShown = [...page.matchAll(/data-message-id="([0-9A-Z]{26})"/g)]
      .at(-1)![1];
    assert.match(page, /<prep-island data-island="LiveThread"/);
    assert.match(page, /<prep-island data-island="MessagesLink"/);

    await reply(t, hal.cookie, rosaThread, "Call me at 555-555-1234");
    assert.equal((await sse.next())?.data, '{"unread":1}');
    const ev = JSON.parse((await sse.nextOf("thread"))!.data);
    const since = await get(
      t,
      `/messages/${rosaThread}/since?after=${lastShown}`,
      rosa.cookie,
    );
    assert.equal(since.status, 200);
    const html = await since.text();
    assert.equal(html.match(/<li /g)?.length, 1);
    assert.match(html, new RegExp(`id="m-${ev.lastMessageId}"`));
    // Masked as the page is: no booking yet.
    assert.ok(html.includes(HIDDEN), html);
    assert.ok(!html.includes("555-555-1234"));
    assert.ok(!html.includes("<html"), "a fragment, not a page");

    // The island marks what it showed as read: the count goes back to 0.
    const read = await post(t, `/messages/${rosaThread}/read`, {}, {
      cookie: rosa.cookie,
    });
    assert.equal(read.status, 204);
    assert.deepEqual(JSON.parse((await sse.nextOf("inbox"))!.data), {
      unread: 0,
    });
    await sse.cancel();
  } finally {
    t.close();
  }
});

/** The app on a KV file of its own connection, as another instance would open it. */
async function instanceOn(path: string) {
  const kv = await Deno.openKv(path);
  const config = loadConfig({
    APP_ENV: "test",
    DENO_KV_PATH: path,
    KV_QUEUES: "false",
  });
  const services = createServices(config, kv, () => NOW);
  return {
    kv,
    services,
    app: createApp({ services, manifest: await loadManifest() }),
  };
}

/** An instance as the account helpers take a test app. */
function asTestApp(a: Awaited<ReturnType<typeof instanceOn>>): T {
  return {
    ...a,
    config: a.services.config,
    now: NOW,
    clock: () => NOW,
    advance: () => {},
    request: (p: string, i?: RequestInit) => a.app.request(p, i),
    close: () => a.kv.close(),
  } as unknown as T;
}

Deno.test("live: a message written through another KV connection (another instance) reaches the stream", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/live.kv`;
  const a = await instanceOn(path);
  const b = await instanceOn(path);
  // Setup goes through instance A (sign-ups, the question).
  const t = asTestApp(a);
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const sse = new SseReader(await open(a, rosa.cookie));
    await sse.nextOf("inbox");
    const sent = Date.now();
    // Hal's reply lands on instance B, whose KV connection is its own.
    const { message } = await replyInThread(
      at(b.services),
      hal.user as User,
      rosaThread,
      "From the other instance.",
    );
    const ev = await sse.nextOf("thread", 1000);
    assert.ok(ev, "no event within a second");
    assert.ok(Date.now() - sent < 1000);
    assert.equal(JSON.parse(ev.data).lastMessageId, message.id);
    await sse.cancel();
  } finally {
    a.kv.close();
    b.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live: a message written by another isolate of the process (a `deno serve --parallel` worker) reaches the stream within a second", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/live.kv`;
  const a = await instanceOn(path);
  const t = asTestApp(a);
  const worker = new Worker(new URL("../live_writer.ts", import.meta.url), {
    type: "module",
  });
  // Listening from the start: a message with no listener yet is lost.
  const replies: string[] = [];
  let heard: () => void = () => {};
  worker.onmessage = (e) => {
    replies.push(e.data);
    heard();
  };
  worker.onerror = (e) => {
    e.preventDefault();
    replies.push(`error: ${e.message}`);
    heard();
  };
  const reply = async (ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (replies.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail("the worker did not answer");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        heard = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return replies.shift()!;
  };
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const sse = new SseReader(await open(a, rosa.cookie));
    await sse.nextOf("inbox");
    const { passwordHash: _, ...author } = hal.user as User;
    assert.equal(await reply(), "ready");
    const sent = Date.now();
    worker.postMessage(
      {
        path,
        author,
        threadId: rosaThread,
        text: "From another isolate.",
        now: NOW,
      } satisfies WriteRequest,
    );
    const ev = await sse.nextOf("thread", 2000);
    assert.ok(ev, "no event");
    const id = await reply();
    assert.ok(Date.now() - sent < 1000, `took ${Date.now() - sent} ms`);
    assert.equal(JSON.parse(ev.data).lastMessageId, id);
    await sse.cancel();
  } finally {
    worker.terminate();
    a.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live: another process on the same KV file is not seen by kv.watch; the heartbeat's version read delivers it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/live.kv`;
  const a = await instanceOn(path);
  a.services.live.settings.heartbeatMs = 300;
  const t = asTestApp(a);
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const sse = new SseReader(await open(a, rosa.cookie));
    await sse.nextOf("inbox");
    const { passwordHash: _, ...author } = hal.user as User;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        new URL("../live_writer.ts", import.meta.url).pathname,
        JSON.stringify(
          {
            path,
            author,
            threadId: rosaThread,
            text: "From another process.",
            now: NOW,
          } satisfies WriteRequest,
        ),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.equal(out.code, 0);
    const id = new TextDecoder().decode(out.stdout).trim();
    const ev = await sse.nextOf("thread", 1500);
    assert.ok(ev, "not delivered within a heartbeat");
    assert.equal(JSON.parse(ev.data).lastMessageId, id);
    await sse.cancel();
  } finally {
    a.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live: a client that goes away ends the stream and its watch, and gives its place back", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa } = await setup(t);
    const watching = countWatches(t.kv);
    const rosaId = rosa.user.id;
    const sse = new SseReader(await open(t, rosa.cookie));
    await sse.nextOf("inbox");
    assert.equal(t.services.live.countOf(rosaId), 1);
    assert.equal(t.services.live.size, 1);
    assert.equal(watching.open, 1);
    // What Deno.serve does when the connection closes: cancel the body.
    await sse.cancel();
    await until("the watch to be cancelled", () => watching.open === 0);
    await until("the place to be given back", () => t.services.live.size === 0);
    assert.equal(t.services.live.countOf(rosaId), 0);
  } finally {
    t.close();
  }
});

Deno.test("live: a client that disconnects from a real server releases its stream", async () => {
  const t = await testApp(NOW);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    t.app.fetch,
  );
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const url = `http://127.0.0.1:${server.addr.port}/messages/events`;
    const abort = new AbortController();
    const res = await fetch(url, {
      headers: { Cookie: rosa.cookie, "Accept-Encoding": "gzip, br" },
      signal: abort.signal,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    const sse = new SseReader(res);
    await sse.nextOf("inbox");
    // Through the real HTTP server, with a browser's Accept-Encoding, an
    // event is not held back by compression or buffering.
    const sent = Date.now();
    await reply(t, hal.cookie, rosaThread, "Over real HTTP.");
    assert.ok(await sse.nextOf("thread", 1000), "no event within a second");
    assert.ok(Date.now() - sent < 1000);
    assert.equal(t.services.live.size, 1);
    abort.abort();
    await sse.cancel();
    // A busy machine may take a while; the stream must still be let go.
    await until(
      "the server to notice",
      () => t.services.live.size === 0,
      10_000,
    );
  } finally {
    // shutdown() waits for open responses: a stream the server failed to
    // let go would hang the suite rather than fail this test.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      server.shutdown(),
      new Promise((r) => timer = setTimeout(r, 5_000)),
    ]);
    clearTimeout(timer);
    t.close();
  }
});

Deno.test("live: signed out, the stream and the island's routes answer 401; another person's thread is a 404", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa, otto, rosaThread } = await setup(t);
    const events = await get(t, "/messages/events");
    assert.equal(events.status, 401);
    await events.body?.cancel();
    const since = await get(t, `/messages/${rosaThread}/since?after=`);
    assert.equal(since.status, 401);
    await since.body?.cancel();
    const read = await post(t, `/messages/${rosaThread}/read`, {});
    assert.equal(read.status, 401);
    await read.body?.cancel();
    // A stranger to the thread (another renter of the same host).
    const theirs = await get(
      t,
      `/messages/${rosaThread}/since?after=`,
      otto.cookie,
    );
    assert.equal(theirs.status, 404);
    await theirs.body?.cancel();
    const mark = await post(t, `/messages/${rosaThread}/read`, {}, {
      cookie: otto.cookie,
    });
    assert.equal(mark.status, 404);
    await mark.body?.cancel();
    // Bad input: an after that is not a message id.
    const bad = await get(
      t,
      `/messages/${rosaThread}/since?after=../x`,
      rosa.cookie,
    );
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("live: a stream never shows another person's events", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa, otto, hal, rosaThread, ottoThread } = await setup(t);
    const ottos = new SseReader(await open(t, otto.cookie));
    await ottos.nextOf("inbox");
    const rosas = new SseReader(await open(t, rosa.cookie));
    await rosas.nextOf("inbox");
    await reply(t, hal.cookie, rosaThread, "Only for Rosa.");
    const rosasEvent = await rosas.nextOf("thread");
    assert.ok(rosasEvent);
    // Nothing reaches Otto: not Rosa's count, not her thread.
    assert.deepEqual(await ottos.drain(300), []);
    await reply(t, hal.cookie, ottoThread, "Only for Otto.");
    const mine = await ottos.drain(300);
    assert.deepEqual(mine.map((e) => e.event).sort(), ["inbox", "thread"]);
    assert.equal(
      JSON.parse(mine.find((e) => e.event === "thread")!.data).threadId,
      ottoThread,
    );
    // A cursor taken from Rosa's stream resumes nothing of hers for Otto.
    await ottos.cancel();
    const resumed = new SseReader(
      await open(t, otto.cookie, { lastEventId: rosasEvent.id! }),
    );
    const after = await resumed.drain(300);
    assert.ok(
      after.every((e) => !e.data.includes(rosaThread)),
      JSON.stringify(after),
    );
    await resumed.cancel();
    await rosas.cancel();
  } finally {
    t.close();
  }
});

Deno.test("live: reconnecting with Last-Event-ID reports what changed while away", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa, hal, rosaThread } = await setup(t);
    const first = new SseReader(await open(t, rosa.cookie));
    await first.nextOf("inbox");
    await reply(t, hal.cookie, rosaThread, "First answer.");
    const ev = await first.nextOf("thread");
    await first.cancel();
    t.advance(5000);
    await reply(t, hal.cookie, rosaThread, "Sent while you were away.");
    const back = new SseReader(
      await open(t, rosa.cookie, { lastEventId: ev!.id! }),
    );
    const events = await back.drain(300);
    const thread = events.find((e) => e.event === "thread");
    assert.ok(thread, JSON.stringify(events));
    assert.notEqual(
      JSON.parse(thread.data).lastMessageId,
      JSON.parse(ev!.data).lastMessageId,
    );
    assert.deepEqual(
      JSON.parse(events.find((e) => e.event === "inbox")!.data),
      { unread: 2 },
    );
    await back.cancel();
    // A fresh stream (no cursor) starts from now: no thread events.
    const fresh = new SseReader(await open(t, rosa.cookie));
    assert.deepEqual((await fresh.drain(300)).map((e) => e.event), ["inbox"]);
    await fresh.cancel();
  } finally {
    t.close();
  }
});

Deno.test("live: signed out, an EventSource is told the stream ended for good (signed-out), not a 401 it would retry", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa } = await setup(t);
    // Never signed in, and a tab whose session ended between reconnects.
    const out = await post(t, "/logout", {}, { cookie: rosa.cookie });
    assert.equal(out.status, 303);
    for (const cookie of ["", rosa.cookie]) {
      const res = await open(t, cookie);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
      const sse = new SseReader(res);
      const events = await sse.drain(1000);
      assert.deepEqual(events.map((e) => [e.event, JSON.parse(e.data)]), [
        ["end", { reason: "signed-out" }],
      ]);
      assert.ok(sse.done, "the server closed the stream");
    }
    assert.equal(t.services.live.size, 0, "no live place taken");
  } finally {
    t.close();
  }
});

Deno.test("live: a stream ends when its time is up, pings while quiet, and ends at once when the session does", async () => {
  const t = await testApp(NOW);
  try {
    const { rosa } = await setup(t);
    t.services.live.settings.heartbeatMs = 100;
    t.services.live.settings.lifetimeMs = 400;
    const sse = new SseReader(await open(t, rosa.cookie));
    await sse.nextOf("inbox");
    assert.equal((await sse.next(500))?.event, "comment");
    const end = await sse.nextOf("end", 1500);
    assert.deepEqual(JSON.parse(end!.data), { reason: "expired" });
    assert.equal(await sse.next(500), null);
    assert.ok(sse.done);
    await until("the place to be given back", () => t.services.live.size === 0);

    t.services.live.settings.lifetimeMs = 60_000;
    t.services.live.settings.heartbeatMs = 60_000;
    const again = new SseReader(await open(t, rosa.cookie));
    await again.nextOf("inbox");
    const out = await post(t, "/logout", {}, { cookie: rosa.cookie });
    assert.equal(out.status, 303);
    const bye = await again.nextOf("end", 1000);
    assert.deepEqual(JSON.parse(bye!.data), { reason: "signed-out" });
    await until("the place to be given back", () => t.services.live.size === 0);
  } finally {
    t.close();
  }
});

Deno.test("live: a person's sixth tab replaces their oldest stream; a full instance answers 503", async () => {
  const t = await testApp(NOW, { LIVE_STREAMS_MAX: "7" });
  try {
    const { rosa, otto } = await setup(t);
    const tabs: SseReader[] = [];
    for (let i = 0; i < 5; i++) {
      const s = new SseReader(await open(t, rosa.cookie));
      await s.nextOf("inbox");
      tabs.push(s);
    }
    assert.equal(t.services.live.countOf(rosa.user.id), 5);
    const sixth = new SseReader(await open(t, rosa.cookie));
    await sixth.nextOf("inbox");
    const end = await tabs[0].nextOf("end");
    assert.deepEqual(JSON.parse(end!.data), { reason: "replaced" });
    assert.equal(await tabs[0].next(500), null);
    assert.ok(tabs[0].done);
    assert.equal(t.services.live.countOf(rosa.user.id), 5);

    // 5 of Rosa's and 2 of Otto's fill the instance; the next is refused.
    const ottos = [];
    for (let i = 0; i < 2; i++) {
      const s = new SseReader(await open(t, otto.cookie));
      await s.nextOf("inbox");
      ottos.push(s);
    }
    const full = await open(t, otto.cookie);
    assert.equal(full.status, 503);
    assert.ok(Number(full.headers.get("retry-after")) > 0);
    await full.body?.cancel();
    for (const s of [...tabs, sixth, ...ottos]) await s.cancel();
    await until(
      "every place to be given back",
      () => t.services.live.size === 0,
    );
  } finally {
    t.close();
  }
});
