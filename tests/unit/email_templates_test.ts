import assert from "node:assert/strict";
import {
  emailChangedEmail,
  notificationEmail,
  passwordChangedEmail,
  passwordResetEmail,
  type RenderedEmail,
  verificationEmail,
} from "../../lib/email/templates.ts";
import { emailJobPayload, outgoingEmail } from "../../lib/email/job.ts";
import { splitLinks } from "../../lib/email/mailbox.ts";

const URL_A = "https://prep.example/verify?token=abc123&next=%2Fbookings";
const TAG = /<\/?[a-z][^>]*>/i;

/** The HTML's href and visible link carry the URL, with & escaped exactly once. */
function assertLinked(html: string, url: string) {
  const escaped = url.replaceAll("&", "&amp;");
  assert.ok(html.includes(`href="${escaped}"`), `href for ${url}`);
  assert.ok(!html.includes("&amp;amp;"), "double-escaped");
}

function assertPlainText(email: RenderedEmail) {
  assert.doesNotMatch(email.text, TAG);
  assert.doesNotMatch(email.text, /&(amp|lt|gt|quot|#39);/);
}

Deno.test("email templates: verification names the person, the link and the expiry", () => {
  const e = verificationEmail({ name: "Ana Ruiz", url: URL_A, hours: 24 });
  assert.match(e.subject, /confirm your email/i);
  assert.match(e.text, /Hi Ana Ruiz,/);
  assert.ok(e.text.includes(URL_A));
  assert.match(e.text, /expires in 24 hours/);
  assert.match(e.html, /Ana Ruiz/);
  assert.match(e.html, /expires in 24 hours/);
  assertLinked(e.html, URL_A);
  assertPlainText(e);
  assert.match(e.text, /used to sign up for Prep/, "footer says why");
  assert.match(
    verificationEmail({ name: "A", url: URL_A, hours: 1 }).text,
    /expires in 1 hour\./,
  );
});

Deno.test("email templates: password reset names the person, the link and the minutes", () => {
  const url = "https://prep.example/reset?token=xyz";
  const e = passwordResetEmail({ name: "Bo", url, minutes: 30 });
  assert.match(e.subject, /reset your prep password/i);
  assert.match(e.text, /Hi Bo,/);
  assert.ok(e.text.includes(url));
  assert.match(e.text, /expires in 30 minutes/);
  assert.match(e.html, /expires in 30 minutes/);
  assertLinked(e.html, url);
  assertPlainText(e);
});

Deno.test("email templates: password changed offers a reset if it wasn't you", () => {
  const resetUrl = "https://prep.example/reset";
  const e = passwordChangedEmail({ name: "Cy", resetUrl });
  assert.match(e.subject, /password was changed/i);
  assert.match(e.text, /Hi Cy,/);
  assert.match(e.text, /If this wasn't you, reset your password now/);
  assert.ok(e.text.includes(resetUrl));
  assertLinked(e.html, resetUrl);
  assertPlainText(e);
});

Deno.test("email templates: email changed tells the old address both addresses", () => {
  const resetUrl = "https://prep.example/reset";
  const e = emailChangedEmail({
    name: "Di",
    oldEmail: "di@old.example",
    newEmail: "x@attacker.example",
    resetUrl,
  });
  assert.match(e.subject, /email was changed/i);
  assert.match(e.text, /Hi Di,/);
  assert.match(e.text, /from di@old\.example to x@attacker\.example/);
  assert.match(e.text, /because di@old\.example was the sign-in email/);
  assert.ok(e.text.includes(resetUrl));
  assert.match(e.html, /<strong>x@attacker\.example<\/strong>/);
  assertLinked(e.html, resetUrl);
  assertPlainText(e);
});

Deno.test("email templates: notification renders paragraphs and an optional action", () => {
  const url = "https://prep.example/bookings/01J";
  const e = notificationEmail({
    name: "Eve",
    subject: "Booking confirmed",
    heading: "You're booked",
    paragraphs: ["Pilsen Kitchen, Dec 2, 8:00 AM–12:00 PM.", "Code: 4821"],
    action: { label: "View booking", url },
  });
  assert.equal(e.subject, "Booking confirmed");
  assert.match(e.text, /Hi Eve,\n\nPilsen Kitchen, Dec 2/);
  assert.match(e.text, /View booking:\nhttps:\/\/prep\.example\/bookings\/01J/);
  assert.match(e.html, /You&#39;re booked/);
  assertLinked(e.html, url);
  assertPlainText(e);
  const bare = notificationEmail({
    name: "Eve",
    subject: "Hello",
    heading: "Hi",
    paragraphs: ["No button here."],
  });
  assert.doesNotMatch(bare.html, /<a /);
});

Deno.test("email templates: HTML escapes every interpolated value", () => {
  const evil = `<script>alert("x")</script>`;
  const emails = [
    verificationEmail({ name: evil, url: URL_A, hours: 24 }),
    passwordResetEmail({ name: evil, url: URL_A, minutes: 30 }),
    passwordChangedEmail({ name: evil, resetUrl: URL_A }),
    emailChangedEmail({
      name: evil,
      oldEmail: `${evil}@a.example`,
      newEmail: `"><img src=x>@b.example`,
      resetUrl: URL_A,
    }),
    notificationEmail({
      name: evil,
      subject: evil,
      heading: evil,
      paragraphs: [evil],
      action: { label: evil, url: `${URL_A}&q="><script>` },
    }),
  ];
  for (const e of emails) {
    assert.doesNotMatch(e.html, /<script/i);
    assert.doesNotMatch(e.html, /<img/i);
    assert.match(
      e.html,
      /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/,
    );
    // Plain text is not HTML: the name appears as typed.
    assert.ok(e.text.includes(evil));
  }
});

Deno.test("email templates: a name cannot add lines to the plain text or the subject", () => {
  const e = notificationEmail({
    name: "Ann\n\nVisit https://evil.example now\r\n",
    subject: "Hi\r\nBcc: x@evil.example",
    heading: "Hello",
    paragraphs: ["Body"],
  });
  assert.equal(e.subject, "Hi Bcc: x@evil.example");
  assert.doesNotMatch(e.text, /evil/);
  assert.match(e.text, /^Hi,$/m);
});

Deno.test("email templates: a name that could be read as a link is never put in an email", () => {
  const cases: [string, string][] = [
    ["Ada Lovelace", "Hi Ada Lovelace,"],
    ["J. R. R. Tolkien", "Hi J. R. R. Tolkien,"],
    ["Zoë O'Brien-Smith", "Hi Zoë O'Brien-Smith,"],
    ["Visit https://evil.example", "Hi,"],
    ["evil.example", "Hi,"],
    ["www.evil", "Hi,"],
    ["Win at evil.co today", "Hi,"],
    ["mail me@evil.example", "Hi,"],
    ["ftp://x", "Hi,"],
  ];
  for (const [name, greeting] of cases) {
    const e = verificationEmail({
      name,
      url: "https://prep.example/v",
      hours: 1,
    });
    assert.match(
      e.text,
      new RegExp(`^${greeting.replace(/[.]/g, "\\.")}$`, "m"),
      name,
    );
    assert.ok(e.html.includes(greeting.replace("'", "&#39;")), name);
    if (greeting === "Hi,") {
      assert.doesNotMatch(e.html + e.text, /evil|ftp:/, name);
    }
  }
});

Deno.test("email templates: links must be absolute http(s) URLs", () => {
  assert.throws(
    () =>
      verificationEmail({ name: "A", url: "javascript:alert(1)", hours: 1 }),
    TypeError,
  );
  assert.throws(
    () => passwordResetEmail({ name: "A", url: "/reset", minutes: 5 }),
    TypeError,
  );
});

Deno.test("email job payload: accepts a rendered email, rejects bad addresses and oversized bodies", () => {
  const rendered = verificationEmail({ name: "Ana", url: URL_A, hours: 24 });
  const ok = outgoingEmail(
    { EMAIL_FROM: "Prep <hello@prep.localhost>" },
    "ana@example.com",
    rendered,
  );
  assert.equal(ok.to, "ana@example.com");
  assert.equal(ok.from, "Prep <hello@prep.localhost>");
  assert.equal(ok.subject, rendered.subject);
  const base = { ...ok };
  assert.equal(
    emailJobPayload.safeParse({ ...base, to: "nope" }).success,
    false,
  );
  assert.equal(
    emailJobPayload.safeParse({ ...base, subject: "a\r\nBcc: b@c.d" }).success,
    false,
  );
  assert.equal(
    emailJobPayload.safeParse({ ...base, html: "é".repeat(30_000) }).success,
    false,
    "60 KB of UTF-8 would not fit in one KV value",
  );
  assert.equal(emailJobPayload.safeParse({ ...base, text: "" }).success, false);
});

Deno.test("mailbox viewer: splitLinks finds http(s) URLs and leaves punctuation", () => {
  assert.deepEqual(
    splitLinks("Open https://a.example/v?t=1&x=2.\nOr (http://b.example)"),
    [
      { text: "Open " },
      { url: "https://a.example/v?t=1&x=2" },
      { text: ".\nOr (" },
      { url: "http://b.example" },
      { text: ")" },
    ],
  );
  assert.deepEqual(splitLinks("javascript:alert(1) ftp://x"), [
    { text: "javascript:alert(1) ftp://x" },
  ]);
  assert.deepEqual(splitLinks(""), []);
});
