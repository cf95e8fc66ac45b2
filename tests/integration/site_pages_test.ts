// Issue 17 §19: Help, Terms, Privacy and Contact, linked from every footer,
// written from the rules the app runs on; the contact form keeps a message
// and emails the support inbox; the home page promises only what exists.
import assert from "node:assert/strict";
import { SESSION_IDLE_MS } from "../../lib/accounts/sessions.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { HOLD_MS } from "../../lib/bookings/holds.ts";
import { RULE_PACKS } from "../../lib/compliance/rules.ts";
import { describePolicy, POLICY_NAMES } from "../../lib/kitchens/policy.ts";
import { SUPPORT_MESSAGE_KEEP_MS } from "../../lib/support/repo.ts";
import {
  get,
  post,
  runJobs,
  signUpConfirmed,
  staff,
  userByEmail,
} from "../account_helpers.ts";
import { testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const textOf = async (res: Response) => visibleText(await res.text());

async function countPrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

const GOOD = {
  name: "Rosa Diaz",
  email: "rosa@example.com",
  topic: "payment",
  booking: "",
  message: "My refund has not reached my card yet.\n\nCould you check it?",
};

Deno.test("site pages: every footer links Help, Contact, Terms and Privacy, credits the place data, and each page answers", async () => {
  const t = await testApp();
  try {
    for (const path of ["/", "/search", "/help", "/no/such/page"]) {
      const html = await (await t.request(path)).text();
      const footer = html.slice(html.indexOf("<footer"));
      for (const href of ["/help", "/contact", "/terms", "/privacy"]) {
        assert.match(footer, new RegExp(`href="${href}"`), `${path} ${href}`);
      }
      // The ZIP gazetteer's licence (GeoNames, CC BY 4.0) wants its credit.
      assert.match(
        visibleText(footer),
        /Place data from GeoNames\s*,\s*CC BY 4\.0\s*\./,
        path,
      );
      assert.match(footer, /href="https:\/\/www\.geonames\.org"/);
    }
    for (
      const [path, heading] of [
        ["/help", "Help"],
        ["/terms", "Terms of use"],
        ["/privacy", "Privacy"],
        ["/contact", "Contact Prep"],
      ]
    ) {
      const res = await t.request(path);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), new RegExp(`<h1[^>]*>${heading}</h1>`));
    }
  } finally {
    t.close();
  }
});

Deno.test("site pages: help and terms state every cancellation policy, fee and city rule from the app's own data", async () => {
  const t = await testApp(undefined, {
    PLATFORM_FEE_BPS: "1250",
    RENTER_FEE_BPS: "300",
  });
  try {
    const help = await textOf(await t.request("/help"));
    const terms = await textOf(await t.request("/terms"));
    for (const page of [help, terms]) {
      for (const [id, name] of Object.entries(POLICY_NAMES)) {
        assert.ok(page.includes(name), name);
        for (const term of describePolicy(id as keyof typeof POLICY_NAMES)) {
          assert.ok(page.includes(term), term);
        }
      }
      assert.match(
        page,
        /commission of 12\.5% of the hours and (the )?cleaning fee/,
      );
      assert.match(page, /service fee of 3% of the hours/);
    }
    assert.ok(help.includes(`held for you for ${HOLD_MS / 60_000} minutes`));
    for (const pack of Object.values(RULE_PACKS)) {
      for (const fee of pack.fees) {
        assert.ok(help.includes(`${fee.label} (${fee.bps / 100}%)`), fee.label);
      }
      const named = pack.insurance.additionalInsured;
      if (named) {
        assert.ok(help.includes(`${pack.cityName}: "${named}"`), named);
      }
    }
    assert.match(
      help,
      /Liability insurance of at least \$1,000,000 per occurrence and \$2,000,000 aggregate, on one certificate/,
    );
    assert.match(help, /Food handler card or Food manager certificate/);
    assert.match(help, /We remind you 30, 7 and 1 days before it expires/);
    // The test app runs demo payments, and the page says so.
    assert.match(help, /This site runs demo payments/);
    assert.match(help, /payouts are a one-click demo setup/);
  } finally {
    t.close();
  }
  // Without a service fee, no page mentions one.
  const plain = await testApp();
  try {
    const help = await textOf(await plain.request("/help"));
    assert.doesNotMatch(help, /service fee/);
    assert.match(help, /commission of 15%/);
  } finally {
    plain.close();
  }
});

Deno.test("site pages: privacy says what is kept, why and for how long, with the figures the app uses", async () => {
  const t = await testApp();
  try {
    const page = await textOf(await t.request("/privacy"));
    assert.ok(
      page.includes(`Ends after ${SESSION_IDLE_MS / 86_400_000} days unused`),
    );
    assert.ok(page.includes(`${SUPPORT_MESSAGE_KEEP_MS / 86_400_000} days`));
    for (
      const what of [
        "salted hash",
        "The files you upload",
        "The audit log",
        "What Stripe sends us about each payment",
        "Resend",
        "Deleting your account",
        "business profile",
      ]
    ) assert.ok(page.includes(what), what);
    assert.match(
      await (await t.request("/privacy")).text(),
      /href="\/account#delete"/,
    );
  } finally {
    t.close();
  }
});

Deno.test("site pages: the home page promises only what exists", async () => {
  const t = await testApp();
  try {
    const html = await (await t.request("/")).text();
    const home = visibleText(html);
    assert.doesNotMatch(home, /near you/i, "nothing reads the visitor's place");
    assert.match(home, /address and access code are on your booking/);
    // The hero searches a city or a ZIP code's surroundings, as /search does.
    assert.match(html, /<label for="hero-near"[^>]*>\s*Or near a ZIP code/);
    assert.match(html, /<input id="hero-near" name="near"/);
    const near = await t.request("/search?city=&near=60614&date=");
    assert.equal(near.status, 200);
    assert.match(await textOf(near), /within 10 mi of Chicago, IL 60614/);
    // And for how long, as the search takes it; "Any length" sends nothing.
    assert.match(html, /<select id="hero-hours" name="hours"/);
    const long = await t.request(
      "/search?city=chicago&near=&date=2026-12-10&hours=4",
    );
    assert.equal(long.status, 200);
    assert.match(await textOf(long), /on Thu, Dec 10, for 4 hours/);
    const any = await t.request("/search?city=chicago&near=&date=&hours=");
    assert.equal(any.status, 200);
    assert.match(home, /More about booking and cancelling/);
  } finally {
    t.close();
  }
});

Deno.test("contact: a message is kept, emailed to the support inbox, and listed for staff", async () => {
  const t = await testApp(undefined, { SUPPORT_EMAIL: "Help@Prep.test" });
  try {
    const rosa = await signUpConfirmed(t, "rosa@example.com");
    const form = await (await get(t, "/contact", rosa.cookie)).text();
    assert.match(form, /name="email"[^>]*value="rosa@example.com"/);
    assert.match(form, /href="mailto:help@prep.test"/);
    const res = await post(t, "/contact", {
      ...GOOD,
      name: "",
      booking: "PRP-7K3Q-9D",
    }, { cookie: rosa.cookie });
    assert.equal(res.status, 400, "a name is still needed");
    const sent = await post(
      t,
      "/contact",
      { ...GOOD, booking: "PRP-7K3Q-9D" },
      {
        cookie: rosa.cookie,
      },
    );
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get("location"), "/contact/sent");
    assert.match(
      await (await get(t, "/contact/sent")).text(),
      /Thanks, your message is with us/,
    );
    await runJobs(t);
    const mail = (await listMail(t.kv)).filter((m) =>
      m.to === "help@prep.test"
    );
    assert.equal(mail.length, 1);
    assert.equal(
      mail[0].subject,
      "Contact form: A payment or refund (from Rosa Diaz)",
    );
    assert.match(
      mail[0].text,
      /From Rosa Diaz, rosa@example.com \(signed in to Prep\)/,
    );
    assert.match(mail[0].text, /Booking: PRP-7K3Q-9D/);
    assert.match(mail[0].text, /My refund has not reached my card yet\./);
    assert.match(mail[0].text, /\/admin\/messages#m-[0-9A-Z]{26}/);

    assert.equal((await get(t, "/admin/messages", rosa.cookie)).status, 403);
    const support = await staff(t, "sam@example.com", "support");
    const list = await (await get(t, "/admin/messages", support)).text();
    assert.match(list, /A payment or refund, from Rosa Diaz/);
    assert.match(list, /href="mailto:rosa@example.com"/);
    assert.match(list, new RegExp(`href="/admin/users/${rosa.user.id}"`));
    assert.match(list, /Could you check it\?/);
  } finally {
    t.close();
  }
});

Deno.test("contact: bad input re-renders the form with what was wrong, and nothing is kept or sent", async () => {
  const t = await testApp(undefined, { SUPPORT_EMAIL: "help@prep.test" });
  try {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["no name", { ...GOOD, name: "  " }, /Enter your name/],
      [
        "bad email",
        { ...GOOD, email: "rosa at example" },
        /Enter the email address we should reply to/,
      ],
      ["no topic", { ...GOOD, topic: "" }, /Choose what your message is about/],
      [
        "unknown topic",
        { ...GOOD, topic: "refund-now" },
        /Choose what your message is about/,
      ],
      ["too short", { ...GOOD, message: "help" }, /Use at least 10 characters/],
      [
        "too long",
        { ...GOOD, message: "x".repeat(4001) },
        /Use at most 4000 characters/,
      ],
      [
        "control characters",
        { ...GOOD, message: "Hello\u0007 there, please" },
        /Remove the control characters/,
      ],
      [
        "bidi override",
        { ...GOOD, name: "Rosa \u202eziD" },
        /Remove the text-direction override characters/,
      ],
      [
        "booking on two lines",
        { ...GOOD, booking: "PRP\nX" },
        /Keep this on one line/,
      ],
    ];
    for (const [what, form, message] of cases) {
      const res = await post(t, "/contact", form);
      assert.equal(res.status, 400, what);
      const html = await res.text();
      assert.match(html, message, what);
      assert.match(html, /Please check the highlighted fields/, what);
    }
    // What was typed comes back (the message too), so nothing is lost.
    const again = await (await post(t, "/contact", { ...GOOD, topic: "" }))
      .text();
    assert.match(again, /My refund has not reached my card yet/);
    // Far past the form's 64 KB limit: the form again, saying so, not a
    // bare 413 page; the field stops typing at 4000.
    const huge = await post(t, "/contact", {
      ...GOOD,
      message: "x".repeat(80_000),
    });
    assert.equal(huge.status, 413);
    const hugeHtml = await huge.text();
    assert.match(
      hugeHtml,
      /far longer than 4000 characters, so it was not read/,
    );
    assert.match(hugeHtml, /<textarea[^>]*name="message"[^>]*maxlength="4000"/);
    assert.equal(await countPrefix(t.kv, keys.supportMessagesPrefix()), 0);
    await runJobs(t);
    assert.equal((await listMail(t.kv)).length, 0);
  } finally {
    t.close();
  }
});

Deno.test("contact: limited per network address and per reply address; a refused message keeps nothing", async () => {
  const t = await testApp(undefined, { SUPPORT_EMAIL: "help@prep.test" });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(t, "/contact", GOOD)).status, 303);
    }
    const same = await post(t, "/contact", GOOD);
    assert.equal(same.status, 429);
    assert.match(
      await same.text(),
      /Too many attempts\. Please try again in \d+ minutes?\./,
    );
    for (let i = 0; i < 2; i++) {
      const other = { ...GOOD, email: `other${i}@example.com` };
      assert.equal((await post(t, "/contact", other)).status, 303);
    }
    const sixth = await post(t, "/contact", {
      ...GOOD,
      email: "new@example.com",
    });
    assert.equal(sixth.status, 429, "five an hour from one address");
    assert.equal(await countPrefix(t.kv, keys.supportMessagesPrefix()), 5);
    await runJobs(t);
    assert.equal((await listMail(t.kv)).length, 5);
    // An hour on, the same address may write again.
    t.advance(3600_000);
    assert.equal((await post(t, "/contact", GOOD)).status, 303);
  } finally {
    t.close();
  }
});

Deno.test("contact: without SUPPORT_EMAIL, messages go to the admins and the pages give no address", async () => {
  const t = await testApp(undefined, {
    ADMIN_EMAILS: "ann@example.com, abe@example.com",
  });
  try {
    const form = await (await t.request("/contact")).text();
    assert.doesNotMatch(form, /mailto:/);
    assert.doesNotMatch(await (await t.request("/help")).text(), /mailto:/);
    assert.equal((await post(t, "/contact", GOOD)).status, 303);
    await runJobs(t);
    assert.deepEqual(
      (await listMail(t.kv)).map((m) => m.to).sort(),
      ["abe@example.com", "ann@example.com"],
    );
  } finally {
    t.close();
  }
});

Deno.test("contact: staff read messages a page at a time; lapsed messages are left out", async () => {
  const t = await testApp(undefined, { SUPPORT_EMAIL: "help@prep.test" });
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await post(t, "/contact", { ...GOOD, email: `r${i}@example.com` }))
          .status,
        303,
      );
      t.advance(3600_000);
    }
    const page = await (await get(t, "/admin/messages", admin)).text();
    const order = [...page.matchAll(/r(\d)@example\.com<\/a>/g)].map((m) =>
      m[1]
    );
    assert.deepEqual(order, ["2", "1", "0"], "newest first");
    t.advance(SUPPORT_MESSAGE_KEEP_MS - 2.5 * 3600_000);
    const admin2 = await staff(t, "abe@example.com", "admin");
    const later = await (await get(t, "/admin/messages", admin2)).text();
    assert.doesNotMatch(later, /r0@example\.com/);
    assert.match(later, /r2@example\.com/);
    const bad = await get(t, "/admin/messages?before=%00nonsense", admin2);
    assert.equal(bad.status, 200);
  } finally {
    t.close();
  }
});

Deno.test("accounts: deleting an account removes the renter's business profile with it", async () => {
  const t = await testApp();
  try {
    const rosa = await signUpConfirmed(t, "rosa@example.com");
    await post(t, "/account/compliance/profile", {
      hasEmployees: "yes",
      productType: "baked_goods",
    }, { cookie: rosa.cookie });
    assert.ok((await t.kv.get(keys.renterProfile(rosa.user.id))).value);
    const res = await post(t, "/account/delete", {
      currentPassword: "correct horse battery",
      confirm: "delete",
    }, { cookie: rosa.cookie });
    assert.equal(res.status, 303);
    assert.equal(await userByEmail(t, "rosa@example.com"), null);
    assert.equal(
      (await t.kv.get(keys.renterProfile(rosa.user.id))).value,
      null,
    );
  } finally {
    t.close();
  }
});
