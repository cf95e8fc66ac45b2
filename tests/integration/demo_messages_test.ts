/** Issue 18: on a fresh start the demo renter and host have conversations to show. */
import assert from "node:assert/strict";
import { listMail } from "../../lib/email/mailbox.ts";
import { unreadMessages } from "../../lib/messages/repo.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoBookings } from "../../scripts/demo/bookings.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { seedDemoMessages } from "../../scripts/demo/messages.ts";
import { get, post, runJobs, sessionCookie } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

Deno.test("demo messages: a question before booking and a booking's conversation, written through the domain, read, once", async () => {
  const t = await testApp(NOW);
  try {
    await seedDemoData(t.kv, { now: new Date(NOW) });
    await seedDemoAccounts(t.kv, new Date(NOW));
    await seedDemoBookings(t.kv, NOW);
    assert.deepEqual(await seedDemoMessages(t.kv, NOW), {
      threads: 2,
      messages: 6,
    });
    assert.equal(await seedDemoMessages(t.kv, NOW), null);

    const login = await post(t, "/login", {
      email: "renter@prep.test",
      password: DEMO_PASSWORD,
    });
    const cookie = sessionCookie(login);
    const inboxHtml = await (await get(t, "/messages", cookie)).text();
    const inbox = visibleText(inboxHtml);
    assert.match(inbox, /Host · Bushwick Night Kitchen/);
    assert.match(inbox, /Host · .* · Booking /);
    // The demo host sees the booking conversation too.
    const hostCookie = sessionCookie(
      await post(t, "/login", {
        email: "host@prep.test",
        password: DEMO_PASSWORD,
      }),
    );
    const hostInbox = visibleText(
      await (await get(t, "/messages", hostCookie)).text(),
    );
    assert.match(hostInbox, /Rosa Renter/);
    assert.match(hostInbox, /Renter · .* · Booking /);
    const ids = [...inboxHtml.matchAll(/data-thread-id="([0-9A-Z]{26})"/g)]
      .map((m) => m[1]);
    assert.equal(ids.length, 2);
    const pages = await Promise.all(
      ids.map(async (id) =>
        visibleText(await (await get(t, `/messages/${id}`, cookie)).text())
      ),
    );
    const question = pages.find((p) => /steam kettle/.test(p))!;
    const booking = pages.find((p) => /loading door/.test(p))!;
    // No booking with that kitchen: the renter's number stays hidden.
    assert.match(
      question,
      /text me at \[contact details hidden until booking\]/,
    );
    assert.match(booking, /Call me on 555-318-2290/);

    // Everything is read: no badge, and nobody is emailed.
    assert.equal(await unreadMessages(t.kv, "demo-user-renter"), 0);
    assert.equal(await unreadMessages(t.kv, "demo-host-01"), 0);
    await runJobs(t);
    assert.deepEqual(
      (await listMail(t.kv)).map((m) => m.subject).filter((s) =>
        /sent you/.test(s)
      ),
      [],
    );
  } finally {
    t.close();
  }
});
