/**
 * Messages between renters and hosts (issue 18 §1, §3, §5, §6) through the
 * real app: threads, who may read them, masking, blocks, reports and staff
 * decisions, emails about unread messages, reply times, and bad input.
 */
import assert from "node:assert/strict";
import { listAudit } from "../../lib/audit/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { addKitchenCreate, newKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { HIDDEN } from "../../lib/messages/masking.ts";
import {
  getInboxVersion,
  getThread,
  inboxVersionKey,
  listMessagesAfter,
  unreadMessages,
} from "../../lib/messages/repo.ts";
import type { Thread } from "../../lib/messages/schema.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  signUpConfirmed,
  staff,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import { addConfirmedBooking, kitchenFixture, testApp } from "../helpers.ts";
import { at } from "../../lib/app.ts";
import {
  replyInThread,
  startConversation,
} from "../../lib/messages/threads.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const MINUTE = 60_000;
const HOUR = 3600_000;

async function kitchen(t: T, hostId: string, title: string) {
  const k: Kitchen = {
    ...newKitchen(hostId, kitchenFixture({ title }), {
      status: "published",
      now: new Date(NOW),
    }),
    permits: { ok: true, missing: [], missingNames: [], checkedAt: NOW },
  };
  assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
  return k;
}

async function setup() {
  const t = await testApp(NOW);
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const other = await signUpConfirmed(t, "otto@example.com");
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  const hostB = await signUpConfirmed(t, "sue@example.com", "host");
  const k = await kitchen(t, host.user.id, "Hal's Kitchen");
  const kB = await kitchen(t, hostB.user.id, "Sue's Kitchen");
  return { t, renter, other, host, hostB, k, kB };
}

/** Asks the host of `kitchenId`: the thread id, from the redirect. */
async function ask(
  t: T,
  cookie: string,
  kitchenId: string,
  text: string,
): Promise<string> {
  const res = await post(t, "/messages/new", { kitchen: kitchenId, text }, {
    cookie,
  });
  assert.equal(res.status, 303, await res.clone().text());
  const m = /^\/messages\/([0-9A-Z]{26})\?notice=sent#m-[0-9A-Z]{26}$/.exec(
    res.headers.get("location") ?? "",
  );
  assert.ok(m, res.headers.get("location") ?? "no location");
  return m[1];
}

async function reply(t: T, cookie: string, threadId: string, text: string) {
  const res = await post(t, `/messages/${threadId}`, { text }, { cookie });
  assert.equal(res.status, 303, await res.clone().text());
  return res;
}

async function text(res: Response): Promise<string> {
  return visibleText(await res.text()).trim();
}

Deno.test("messages: a renter asks before booking, the host answers; one thread per renter and kitchen; the inbox and the header count", async () => {
  const { t, renter, host, k } = await setup();
  try {
    // The kitchen page offers it.
    const kitchenPage = await text(await get(t, `/kitchens/${k.id}`));
    assert.match(
      kitchenPage,
      /Questions\? Equipment, access, parking: ask before you book\. The answer comes to your Messages\. Ask the host/,
    );
    const compose = await get(
      t,
      `/messages/new?kitchen=${k.id}`,
      renter.cookie,
    );
    assert.equal(compose.status, 200);
    assert.match(await text(compose), /Ask the host .* host of Hal's Kitchen/);

    const id = await ask(
      t,
      renter.cookie,
      k.id,
      "Is the mixer free on Fridays?",
    );
    // Asking again goes to the same thread.
    const again = await get(t, `/messages/new?kitchen=${k.id}`, renter.cookie);
    assert.equal(again.status, 303);
    assert.equal(again.headers.get("location"), `/messages/${id}#latest`);
    const second = await ask(t, renter.cookie, k.id, "And parking?");
    assert.equal(second, id);

    // The host's header counts it, the inbox lists it unread.
    const hostHome = await text(await get(t, "/", host.cookie));
    assert.match(hostHome, /Messages 2 unread/);
    const inbox = await text(await get(t, "/messages", host.cookie));
    assert.match(inbox, /You have 2 unread messages\./);
    assert.match(inbox, /Ada Lovelace 2 unread/);
    assert.match(inbox, /Renter · Hal's Kitchen/);
    assert.match(inbox, /And parking\?/);

    // Reading it clears the count.
    const read = await text(await get(t, `/messages/${id}`, host.cookie));
    assert.match(read, /Is the mixer free on Fridays\?/);
    assert.match(
      read,
      /No booking yet: this renter is asking before booking\./,
    );
    assert.equal(await unreadMessages(t.kv, host.user.id), 0);
    assert.doesNotMatch(
      await text(await get(t, "/", host.cookie)),
      /Messages \d+ unread/,
    );

    await reply(t, host.cookie, id, "Yes, from 9 AM.");
    const thread = await text(await get(t, `/messages/${id}`, renter.cookie));
    assert.match(thread, /Yes, from 9 AM\./);
    assert.match(thread, /Refresh to see new messages\./);
    const renterInbox = await text(await get(t, "/messages", renter.cookie));
    assert.match(renterInbox, /Host · Hal's Kitchen/);

    // The host cannot ask their own kitchen.
    const own = await post(t, "/messages/new", { kitchen: k.id, text: "Hi" }, {
      cookie: host.cookie,
    });
    assert.equal(own.status, 409);
    assert.match(await text(own), /This is your own kitchen/);
  } finally {
    t.close();
  }
});

Deno.test("messages: an anonymous Ask the host goes through login and comes back to the form", async () => {
  const { t, renter, k } = await setup();
  try {
    const res = await get(t, `/messages/new?kitchen=${k.id}`);
    assert.equal(res.status, 303);
    const login = res.headers.get("location")!;
    assert.match(login, /^\/login\?next=/);
    const next = new URL(login, "http://x").searchParams.get("next")!;
    assert.ok(next.startsWith(`/messages/new?kitchen=${k.id}~`));
    const back = await post(t, "/login", {
      email: "rosa@example.com",
      password: "correct horse battery",
      next,
    });
    assert.equal(back.status, 303);
    assert.equal(back.headers.get("location"), `/messages/new?kitchen=${k.id}`);
    assert.ok(renter.cookie);
  } finally {
    t.close();
  }
});

Deno.test("messages: only the two parties read a thread: 404 for another renter, another host, support and admin", async () => {
  const { t, renter, other, host, hostB, k } = await setup();
  try {
    const id = await ask(t, renter.cookie, k.id, "Hello");
    const support = await staff(t, "sam@example.com", "support");
    const admin = await staff(t, "ann@example.com", "admin");
    for (const cookie of [other.cookie, hostB.cookie, support, admin]) {
      for (
        const [method, path, form] of [
          ["GET", `/messages/${id}`, null],
          ["POST", `/messages/${id}`, { text: "Let me in" }],
          ["POST", `/messages/${id}/block`, {}],
          ["POST", `/messages/${id}/unblock`, {}],
          ["POST", `/messages/${id}/report`, {
            message: "01KZZZZZZZZZZZZZZZZZZZZZZZ",
            reason: "x",
          }],
        ] as const
      ) {
        const res = method === "GET"
          ? await get(t, path, cookie)
          : await post(t, path, form ?? {}, { cookie });
        assert.equal(res.status, 404, `${method} ${path}`);
        await res.body?.cancel();
      }
    }
    const thread = (await getThread(t.kv, id))!;
    assert.equal(thread.count, 1);
    assert.equal(await unreadMessages(t.kv, host.user.id), 1);
  } finally {
    t.close();
  }
});

Deno.test("messages: contact details are hidden for both sides before a confirmed booking, and the booking continues the thread with them shown", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const id = await ask(
      t,
      renter.cookie,
      k.id,
      "Call me on 555-555-1234 or rosa at gmail dot com",
    );
    await reply(
      t,
      host.cookie,
      id,
      "Sure: www.halskitchen.com, $40 an hour from 9:00",
    );
    for (const cookie of [renter.cookie, host.cookie]) {
      const page = await text(await get(t, `/messages/${id}`, cookie));
      assert.match(
        page,
        new RegExp(`Call me on \\${HIDDEN.slice(0, -1)}\\] or \\[contact`),
      );
      assert.doesNotMatch(page, /555-555-1234|gmail|halskitchen/);
      assert.match(page, /\$40 an hour from 9:00/);
      assert.match(page, /hidden until a booking is confirmed/);
    }
    // The stored text is what was typed.
    const stored = await listMessagesAfter(t.kv, id, null, 10);
    assert.equal(
      stored[0].text,
      "Call me on 555-555-1234 or rosa at gmail dot com",
    );
    const inbox = await text(await get(t, "/messages", host.cookie));
    assert.doesNotMatch(inbox, /555-555-1234/);

    const b = await addConfirmedBooking(
      t.kv,
      k,
      renter.user.id,
      NOW + 2 * 24 * HOUR,
      NOW,
    );
    // The booking's page leads to the same thread.
    const bookingPage = await text(
      await get(t, `/bookings/${b.id}`, renter.cookie),
    );
    assert.match(bookingPage, /Messages .* Message the host/);
    const fromBooking = await get(
      t,
      `/messages/new?booking=${b.id}`,
      host.cookie,
    );
    assert.equal(fromBooking.status, 303);
    assert.equal(fromBooking.headers.get("location"), `/messages/${id}#latest`);
    await reply(t, renter.cookie, id, "Booked! See you then.");
    for (const cookie of [renter.cookie, host.cookie]) {
      const page = await text(await get(t, `/messages/${id}`, cookie));
      assert.match(page, /555-555-1234/);
      assert.match(page, /www\.halskitchen\.com/);
      assert.match(page, /Thu, Dec 3, 9:00 AM - 12:00 PM · confirmed/);
      assert.doesNotMatch(page, /hidden until a booking is confirmed/);
    }
  } finally {
    t.close();
  }
});

Deno.test("messages: a booking's thread starts from the booking page when there was no question before", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const b = await addConfirmedBooking(
      t.kv,
      k,
      renter.user.id,
      NOW + 2 * 24 * HOUR,
      NOW,
    );
    const compose = await get(t, `/messages/new?booking=${b.id}`, host.cookie);
    assert.equal(compose.status, 200);
    const said = await text(compose);
    assert.match(
      said,
      /Message Ada Lovelace About Hal's Kitchen ?, booking Thu, Dec 3/,
    );
    // The host's wording, on a confirmed booking: nothing is hidden now.
    assert.match(said, /The renter answers here/);
    assert.doesNotMatch(said, /hidden until a booking is confirmed/);
    assert.match(said, /Back to the booking/);
    const res = await post(t, "/messages/new", {
      booking: b.id,
      text: "The door code is 4321, my cell 555-555-9876",
    }, {
      cookie: host.cookie,
    });
    assert.equal(res.status, 303);
    const id = res.headers.get("location")!.split("/")[2].split("?")[0];
    const page = await text(await get(t, `/messages/${id}`, renter.cookie));
    assert.match(page, /555-555-9876/);
    // Someone else's booking is not found.
    const stranger = await get(
      t,
      `/messages/new?booking=${b.id}`,
      (await signUpConfirmed(t, "x@example.com")).cookie,
    );
    assert.equal(stranger.status, 404);
  } finally {
    t.close();
  }
});

Deno.test("messages: blocking stops messages both ways, leaves bookings alone, and unblocking lets them write again", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const id = await ask(t, renter.cookie, k.id, "Hello");
    const b = await addConfirmedBooking(
      t.kv,
      k,
      renter.user.id,
      NOW + 2 * 24 * HOUR,
      NOW,
    );
    const before = await getInboxVersion(t.kv, renter.user.id);
    const blocked = await post(t, `/messages/${id}/block`, {}, {
      cookie: host.cookie,
    });
    assert.equal(blocked.status, 303);
    assert.ok((await getInboxVersion(t.kv, renter.user.id)) > before);
    assert.match(
      await text(await get(t, `/messages/${id}?notice=blocked`, host.cookie)),
      /You blocked Ada Lovelace, so neither of you can send messages/,
    );
    assert.match(
      await text(await get(t, `/messages/${id}`, renter.cookie)),
      /You can't send messages in this conversation any more\./,
    );
    for (const cookie of [renter.cookie, host.cookie]) {
      const res = await post(t, `/messages/${id}`, { text: "Still there?" }, {
        cookie,
      });
      assert.equal(res.status, 409);
      await res.body?.cancel();
    }
    // Asking from the kitchen page is refused too.
    const askAgain = await post(t, "/messages/new", {
      kitchen: k.id,
      text: "Hi again",
    }, { cookie: renter.cookie });
    assert.equal(askAgain.status, 409);
    assert.equal((await getThread(t.kv, id))!.count, 1);
    // The booking stands.
    const booking = await t.kv.get<{ status: string }>(keys.booking(b.id));
    assert.equal(booking.value?.status, "confirmed");

    assert.equal(
      (await post(t, `/messages/${id}/unblock`, {}, { cookie: host.cookie }))
        .status,
      303,
    );
    await reply(t, renter.cookie, id, "Thanks");
    assert.equal((await getThread(t.kv, id))!.count, 2);
  } finally {
    t.close();
  }
});

Deno.test("messages: a first message far past the limit gets its form again, saying so", async () => {
  const { t, renter, k } = await setup();
  try {
    const res = await post(t, `/messages/new?kitchen=${k.id}`, {
      kitchen: k.id,
      text: "x".repeat(80_000),
    }, { cookie: renter.cookie });
    assert.equal(res.status, 413);
    const html = await res.text();
    assert.match(html, /far longer than \d+ characters, so it was not read/);
    assert.match(html, new RegExp(`action="/messages/new\\?kitchen=${k.id}"`));
    // Without the kitchen in the address, the plain 413 page.
    const bare = await post(t, "/messages/new", {
      kitchen: k.id,
      text: "x".repeat(80_000),
    }, { cookie: renter.cookie });
    assert.equal(bare.status, 413);
    assert.match(await bare.text(), /That request is too large/);
  } finally {
    t.close();
  }
});

Deno.test("messages: once a party deletes their account, the other reads the thread but cannot write into it", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const id = await ask(t, renter.cookie, k.id, "Is the walk-in free?");
    await reply(t, host.cookie, id, "Yes, all week.");
    const gone = await post(t, "/account/delete", {
      currentPassword: PASSWORD,
      confirm: "delete",
    }, { cookie: renter.cookie });
    assert.equal(gone.status, 303, await gone.clone().text());
    const page = await get(t, `/messages/${id}`, host.cookie);
    assert.equal(page.status, 200);
    const html = await page.text();
    const shown = visibleText(html);
    assert.match(shown, /A former Prep member/);
    assert.match(shown, /Is the walk-in free\?/, "the history stays");
    assert.match(
      shown,
      /deleted their Prep account, so messages can't be sent/,
    );
    assert.ok(!html.includes(`action="/messages/${id}"`), "no reply form");
    assert.ok(!html.includes("/block"), "nobody left to block");
    const unread = await unreadMessages(t.kv, renter.user.id);
    const res = await post(t, `/messages/${id}`, { text: "Still there?" }, {
      cookie: host.cookie,
    });
    assert.equal(res.status, 409);
    assert.match(await text(res), /deleted their Prep account/);
    assert.equal((await getThread(t.kv, id))!.count, 2, "nothing written");
    assert.equal(await unreadMessages(t.kv, renter.user.id), unread);
  } finally {
    t.close();
  }
});

Deno.test("messages: a report reaches /admin/reports; dismiss, warn and suspend are audited, and every staff view of a thread is", async () => {
  const { t, renter, other, host, k, kB, hostB } = await setup();
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    const support = await staff(t, "sam@example.com", "support");
    const adminUser = (await userByEmail(t, "ann@example.com"))!;
    // Three threads, three reports, one each way of deciding.
    const t1 = await ask(t, renter.cookie, k.id, "Hi");
    await reply(t, host.cookie, t1, "Pay me in cash, skip Prep");
    const t2 = await ask(t, other.cookie, k.id, "Hi");
    await reply(t, host.cookie, t2, "Rude words");
    const t3 = await ask(t, renter.cookie, kB.id, "Hi");
    await reply(t, hostB.cookie, t3, "Scam link");
    const reportOf = async (
      cookie: string,
      threadId: string,
      reason: string,
    ) => {
      const msgs = await listMessagesAfter(t.kv, threadId, null, 10);
      const theirs = msgs.at(-1)!;
      const res = await post(t, `/messages/${threadId}/report`, {
        message: theirs.id,
        reason,
      }, { cookie });
      assert.equal(res.status, 303, await res.clone().text());
      return theirs.id;
    };
    await reportOf(renter.cookie, t1, "Asks to pay off the platform");
    await reportOf(other.cookie, t2, "Insulting");
    await reportOf(renter.cookie, t3, "Phishing");
    // Reporting one's own message, or twice, is refused.
    const own = (await listMessagesAfter(t.kv, t1, null, 10))[0];
    const self = await post(t, `/messages/${t1}/report`, {
      message: own.id,
      reason: "x",
    }, { cookie: renter.cookie });
    assert.equal(self.status, 404);
    const twice = await post(t, `/messages/${t1}/report`, {
      message: (await listMessagesAfter(t.kv, t1, null, 10))[1].id,
      reason: "again",
    }, { cookie: renter.cookie });
    assert.equal(twice.status, 409);
    assert.match(await text(twice), /You already reported this message/);

    const queue = await text(await get(t, "/admin/reports", support));
    assert.match(queue, /Reports/);
    assert.match(queue, /Reason: Asks to pay off the platform/);
    assert.match(queue, /Reason: Insulting/);
    assert.match(queue, /Reason: Phishing/);
    const html = await (await get(t, "/admin/reports", admin)).text();
    const ids = [...html.matchAll(/href="\/admin\/reports\/([0-9A-Z]{26})"/g)]
      .map((m) => m[1]);
    assert.equal(ids.length, 3);

    // Support reads (audited) but cannot decide.
    const seen = await text(await get(t, `/admin/reports/${ids[0]}`, support));
    assert.match(seen, /Pay me in cash, skip Prep/);
    assert.match(
      seen,
      /Support accounts can read reports; an admin decides them\./,
    );
    const refused = await post(t, `/admin/reports/${ids[0]}`, {
      outcome: "dismissed",
      note: "x",
    }, { cookie: support });
    assert.equal(refused.status, 403);

    // A decision needs an outcome and a note.
    const bad = await post(t, `/admin/reports/${ids[0]}`, {
      outcome: "",
      note: "",
    }, { cookie: admin });
    assert.equal(bad.status, 400);

    const decide = async (id: string, outcome: string, note: string) => {
      const res = await post(t, `/admin/reports/${id}`, { outcome, note }, {
        cookie: admin,
      });
      assert.equal(res.status, 303, await res.clone().text());
      return res.headers.get("location");
    };
    assert.equal(
      await decide(ids[0], "warned", "Keep payment on Prep."),
      "/admin/reports?notice=warned",
    );
    assert.equal(
      await decide(ids[1], "dismissed", "Not insulting."),
      "/admin/reports?notice=dismissed",
    );
    assert.equal(
      await decide(ids[2], "suspended", "Phishing links."),
      "/admin/reports?notice=suspended",
    );
    const again = await post(t, `/admin/reports/${ids[1]}`, {
      outcome: "warned",
      note: "x",
    }, { cookie: admin });
    assert.equal(again.status, 409);
    assert.match(
      await text(await get(t, "/admin/reports", admin)),
      /No reports are waiting/,
    );

    // The warned author got the note by email; the suspended one cannot log in.
    await runJobs(t);
    const mail = (await listMail(t.kv)).find((m) =>
      m.to === "hal@example.com" && /warning/.test(m.subject)
    );
    assert.ok(mail);
    assert.match(mail.text, /Keep payment on Prep\./);
    const sue = (await userByEmail(t, "sue@example.com"))!;
    assert.equal(sue.suspension?.reason, "Phishing links.");
    assert.equal((await get(t, "/messages", hostB.cookie)).status, 303);

    const log = (await listAudit(t.kv, { limit: 100 })).entries;
    const actions = log.map((e) =>
      `${e.action}:${e.actor.id === adminUser.id ? "admin" : "other"}`
    );
    assert.ok(actions.includes("message_report.warned:admin"));
    assert.ok(actions.includes("message_report.dismissed:admin"));
    assert.ok(actions.includes("message_report.suspended:admin"));
    assert.ok(actions.includes("user.suspended:admin"));
    const views = log.filter((e) => e.action === "thread.viewed");
    // Support's view, the bad form's page and the conflict's page.
    assert.ok(views.length >= 3, `${views.length} views`);
    assert.ok(
      views.some((e) =>
        e.subject.id === t1 && e.actor.email === "sam@example.com"
      ),
    );
    // Staff still cannot open the thread itself.
    assert.equal((await get(t, `/messages/${t1}`, admin)).status, 404);
    assert.equal(((await getThread(t.kv, t1)) as Thread).openReports, 0);
  } finally {
    t.close();
  }
});

Deno.test("messages: an unread message is emailed after 10 minutes, at most once an hour per thread; read or turned off, none", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const mailTo = async (to: string) =>
      (await listMail(t.kv)).filter((m) =>
        m.to === to && /sent you/.test(m.subject)
      );
    const id = await ask(
      t,
      renter.cookie,
      k.id,
      "Is <b>the oven</b> free? Call 555-555-1234",
    );
    t.advance(9 * MINUTE);
    await runJobs(t);
    assert.equal((await mailTo("hal@example.com")).length, 0);
    t.advance(1 * MINUTE);
    await runJobs(t);
    const first = await mailTo("hal@example.com");
    assert.equal(first.length, 1);
    assert.match(
      first[0].subject,
      /Ada Lovelace sent you a message about Hal's Kitchen/,
    );
    assert.match(first[0].html, /Is &lt;b&gt;the oven&lt;\/b&gt; free\?/);
    assert.doesNotMatch(first[0].html, /555-555-1234/);
    assert.match(first[0].text, /\[contact details hidden until booking\]/);
    assert.match(first[0].text, new RegExp(`/messages/${id}`));

    // A second message within the hour: no second email yet, one when the hour is up.
    t.advance(5 * MINUTE);
    await reply(t, renter.cookie, id, "Also, is there parking?");
    t.advance(15 * MINUTE);
    await runJobs(t);
    assert.equal((await mailTo("hal@example.com")).length, 1);
    t.advance(45 * MINUTE);
    await runJobs(t);
    const both = await mailTo("hal@example.com");
    assert.equal(both.length, 2);
    assert.match(
      both.map((m) => m.text).join("\n"),
      /Also, is there parking\?/,
    );
    // Nothing more comes from the same messages.
    t.advance(3 * HOUR);
    await runJobs(t);
    assert.equal((await mailTo("hal@example.com")).length, 2);

    // Read in time: no email.
    await reply(t, host.cookie, id, "Yes");
    t.advance(2 * MINUTE);
    await get(t, `/messages/${id}`, renter.cookie);
    t.advance(20 * MINUTE);
    await runJobs(t);
    assert.equal((await mailTo("rosa@example.com")).length, 0);

    // Turned off on /account: none.
    const account = await text(await get(t, "/account", host.cookie));
    assert.match(
      account,
      /Message emails When a message to you is unread for 10 minutes/,
    );
    const off = await post(t, "/account/messages", { emailUnread: "off" }, {
      cookie: host.cookie,
    });
    assert.equal(off.status, 303);
    assert.equal(
      off.headers.get("location"),
      "/account?notice=message-emails-off#messages",
    );
    assert.match(
      await text(
        await get(t, "/account?notice=message-emails-off", host.cookie),
      ),
      /We will not email you about unread messages\./,
    );
    await reply(t, renter.cookie, id, "One more question");
    t.advance(2 * HOUR);
    await runJobs(t);
    assert.equal((await mailTo("hal@example.com")).length, 2);
    const bad = await post(t, "/account/messages", { emailUnread: "maybe" }, {
      cookie: host.cookie,
    });
    assert.equal(bad.status, 400);
  } finally {
    t.close();
  }
});

Deno.test("messages: bad input gets a clear answer and writes nothing", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const id = await ask(t, renter.cookie, k.id, "Hello");
    const countBefore = (await getThread(t.kv, id))!.count;
    const cases: [string, Record<string, string>, number, RegExp][] = [
      [`/messages/${id}`, { text: "" }, 400, /Enter a message/],
      [`/messages/${id}`, { text: "   " }, 400, /Enter a message/],
      [
        `/messages/${id}`,
        { text: "a".repeat(4001) },
        400,
        /Use at most 4000 characters/,
      ],
      [
        `/messages/${id}`,
        { text: "ring\u0007" },
        400,
        /Remove the control characters/,
      ],
      ["/messages/new", { kitchen: k.id, text: "" }, 400, /Enter a message/],
      [
        "/messages/new",
        { kitchen: "../../etc", text: "Hi" },
        400,
        /Start a conversation from a kitchen/,
      ],
      [
        "/messages/new",
        { kitchen: "01KZZZZZZZZZZZZZZZZZZZZZZZ", text: "Hi" },
        404,
        /could not find that kitchen/,
      ],
      [
        "/messages/new",
        { booking: "01KZZZZZZZZZZZZZZZZZZZZZZZ", text: "Hi" },
        404,
        /could not find that booking/,
      ],
      [
        `/messages/${id}/report`,
        { message: "nope", reason: "x" },
        400,
        /Pick a message to report/,
      ],
      [
        `/messages/${id}/report`,
        { message: "01KZZZZZZZZZZZZZZZZZZZZZZZ", reason: "" },
        400,
        /Enter a reason/,
      ],
    ];
    for (const [path, form, status, message] of cases) {
      const res = await post(t, path, form, { cookie: renter.cookie });
      assert.equal(
        res.status,
        status,
        `${path} ${JSON.stringify(form).slice(0, 60)}`,
      );
      assert.match(await text(res), message, path);
    }
    // Ids that are not ids never reach a key.
    for (
      const path of [
        "/messages/not-an-id",
        "/messages/01KZZZZZZZZZZZZZZZZZZZZZZZ",
        "/messages/new?kitchen=x",
        "/messages?cursor=zzz",
      ]
    ) {
      const res = await get(t, path, renter.cookie);
      assert.ok(
        res.status === 404 || res.status === 400,
        `${path}: ${res.status}`,
      );
      await res.body?.cancel();
    }
    // A cross-site post is refused before anything is read.
    const csrf = await t.request(`/messages/${id}`, {
      method: "POST",
      body: new URLSearchParams({ text: "Forged" }),
      headers: { Cookie: renter.cookie, "Sec-Fetch-Site": "cross-site" },
    });
    assert.equal(csrf.status, 403);
    await csrf.body?.cancel();
    const thread = (await getThread(t.kv, id))!;
    assert.equal(thread.count, countBefore);
    assert.equal(thread.openReports, 0);
    assert.equal((await listMessagesAfter(t.kv, id, null, 50)).length, 1);
    assert.equal(await unreadMessages(t.kv, host.user.id), 1);
    // 4,000 characters of any script fit through the body limit.
    const long = "é".repeat(2000) + "🍞".repeat(2000);
    await reply(t, renter.cookie, id, long);
    assert.equal(
      (await listMessagesAfter(t.kv, id, null, 50)).at(-1)!.text,
      long,
    );
    const tooBig = await post(
      t,
      `/messages/${id}`,
      { text: "🍞".repeat(6000) },
      {
        cookie: renter.cookie,
      },
    );
    assert.equal(tooBig.status, 413);
    await tooBig.body?.cancel();
    // The typed text comes back in the form.
    const kept = await post(t, `/messages/${id}`, { text: "x".repeat(4001) }, {
      cookie: renter.cookie,
    });
    assert.match(await kept.text(), /x{4001}<\/textarea>/);
  } finally {
    t.close();
  }
});

Deno.test("messages: 30 messages per person per 10 minutes, 5 new threads per renter a day", async () => {
  const t = await testApp(NOW);
  try {
    const renter = await signUpConfirmed(t, "rosa@example.com");
    const kitchens: Kitchen[] = [];
    for (let i = 0; i < 6; i++) {
      const h = await signUpConfirmed(t, `host${i}@example.com`, "host");
      kitchens.push(await kitchen(t, h.user.id, `Kitchen ${i}`));
    }
    for (let i = 0; i < 5; i++) {
      await ask(t, renter.cookie, kitchens[i].id, "Hi");
    }
    const sixth = await post(t, "/messages/new", {
      kitchen: kitchens[5].id,
      text: "Hi",
    }, { cookie: renter.cookie });
    assert.equal(sixth.status, 429);
    assert.match(await text(sixth), /Too many attempts/);
    t.advance(24 * HOUR);
    const id = await ask(t, renter.cookie, kitchens[5].id, "Hi, a day later");
    for (let i = 1; i < 30; i++) {
      await reply(t, renter.cookie, id, `Message ${i}`);
    }
    const over = await post(t, `/messages/${id}`, { text: "One too many" }, {
      cookie: renter.cookie,
    });
    assert.equal(over.status, 429);
    await over.body?.cancel();
    assert.equal((await getThread(t.kv, id))!.count, 30);
  } finally {
    t.close();
  }
});

Deno.test("messages: the kitchen page says how fast the host replies once 3 threads were answered in 90 days", async () => {
  const t = await testApp(NOW);
  try {
    const host = await signUpConfirmed(t, "hal@example.com", "host");
    const k = await kitchen(t, host.user.id, "Hal's Kitchen");
    const delays = [30 * MINUTE, 90 * MINUTE, 5 * HOUR];
    for (const [i, delay] of delays.entries()) {
      const r = await signUpConfirmed(t, `r${i}@example.com`);
      const id = await ask(t, r.cookie, k.id, "Question");
      t.advance(delay);
      await reply(t, host.cookie, id, "Answer");
      // A second answer is not a first reply.
      t.advance(10 * HOUR);
      await reply(t, host.cookie, id, "Another answer");
      const page = await text(await get(t, `/kitchens/${k.id}`));
      if (i < 2) assert.doesNotMatch(page, /Usually replies/);
      else assert.match(page, /Usually replies within 2 hours/);
    }
    // 90 days on, the figures lapse.
    t.advance(91 * 24 * HOUR);
    assert.doesNotMatch(
      await text(await get(t, `/kitchens/${k.id}?x=1`)),
      /Usually replies/,
    );
  } finally {
    t.close();
  }
});

Deno.test("messages: every message bumps both inbox versions in its atomic, and listMessagesAfter resumes after an id", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const watcher = t.kv.watch([inboxVersionKey(host.user.id)]);
    const reader = watcher.getReader();
    const first = await reader.read();
    assert.equal(first.value?.[0].value, null);
    const id = await ask(t, renter.cookie, k.id, "One");
    const next = await reader.read();
    assert.equal((next.value?.[0].value as Deno.KvU64).value, 1n);
    await reader.cancel();
    assert.equal(await getInboxVersion(t.kv, renter.user.id), 1n);
    await reply(t, host.cookie, id, "Two");
    await reply(t, renter.cookie, id, "Three");
    assert.equal(await getInboxVersion(t.kv, host.user.id), 3n);
    const all = await listMessagesAfter(t.kv, id, null, 10);
    assert.deepEqual(all.map((m) => m.text), ["One", "Two", "Three"]);
    const after = await listMessagesAfter(t.kv, id, all[0].id, 10);
    assert.deepEqual(after.map((m) => m.text), ["Two", "Three"]);
    assert.deepEqual(await listMessagesAfter(t.kv, id, all[2].id, 10), []);
    assert.deepEqual(await listMessagesAfter(t.kv, id, "../x", 10), []);
  } finally {
    t.close();
  }
});

Deno.test("messages: concurrent first messages make one thread, and concurrent writers keep the unread counters exact", async () => {
  const { t, renter, host, k } = await setup();
  try {
    const deps = at(t.services);
    // Twenty tabs ask at once: one thread, every message in it.
    const asked = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          startConversation(deps, renter.user, { kitchen: k.id }, `Ask ${i}`),
      ),
    );
    const ids = new Set(asked.map((a) => a.thread.id));
    assert.equal(ids.size, 1);
    const [id] = ids;
    // Both sides write at once.
    await Promise.all([
      ...Array.from(
        { length: 8 },
        (_, i) => replyInThread(deps, host.user, id, `Host ${i}`),
      ),
      ...Array.from(
        { length: 5 },
        (_, i) => replyInThread(deps, renter.user, id, `Renter ${i}`),
      ),
    ]);
    const thread = (await getThread(t.kv, id))!;
    const all = await listMessagesAfter(t.kv, id, null, 100);
    assert.equal(all.length, 33);
    assert.equal(thread.count, 33);
    // Each side's unread is what the other wrote since it last wrote.
    const since = (side: string) => {
      let n = 0;
      for (const m of all) {
        if ((m.authorId === renter.user.id) === (side === "renter")) n = 0;
        else n++;
      }
      return n;
    };
    assert.equal(thread.unread.renter, since("renter"));
    assert.equal(thread.unread.host, since("host"));
    assert.equal(await unreadMessages(t.kv, renter.user.id), since("renter"));
    assert.equal(await unreadMessages(t.kv, host.user.id), since("host"));
  } finally {
    t.close();
  }
});
