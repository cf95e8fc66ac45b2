/**
 * The site's own pages, linked from every footer: Help (/help), Terms
 * (/terms) and Privacy (/privacy). Figures (policies, fees, documents, how
 * long things are kept) come from lib/support/site_facts.ts, which reads
 * them from the rules the app runs on.
 */
import type { ComponentChildren } from "preact";
import type { SiteFacts } from "../lib/support/site_facts.ts";
import { Table } from "./Table.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";
const primary =
  "inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const td = "py-2 pr-4 align-top";

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** "30, 7 and 1". */
function listWords(items: readonly (string | number)[]): string {
  const words = items.map(String);
  return words.length < 2
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function Page(
  { title, intro, contents, children }: {
    title: string;
    intro: ComponentChildren;
    contents: [string, string][];
    children: ComponentChildren;
  },
) {
  return (
    <article class="mx-auto max-w-3xl space-y-6">
      <header class="space-y-2">
        <h1 class="text-3xl font-extrabold">{title}</h1>
        <div class="text-lg text-stone-700">{intro}</div>
      </header>
      <nav aria-label="On this page" class={card}>
        <h2 class="font-bold">On this page</h2>
        <ul class="mt-2 grid gap-1 sm:grid-cols-2">
          {contents.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`} class={link}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </article>
  );
}

function Section(
  { id, title, children }: {
    id: string;
    title: string;
    children: ComponentChildren;
  },
) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-heading`}
      class={`${card} space-y-3`}
    >
      <h2 id={`${id}-heading`} class="text-2xl font-bold">{title}</h2>
      {children}
    </section>
  );
}

/** Every cancellation policy with its terms, from lib/kitchens/policy.ts. */
function Policies({ facts }: { facts: SiteFacts }) {
  return (
    <ul class="grid gap-3 sm:grid-cols-3">
      {facts.policies.map((p) => (
        <li key={p.id} class="rounded-lg bg-stone-100 p-4">
          <h3 class="font-bold">{p.name}</h3>
          <ul class="mt-1 list-disc space-y-1 pl-5 text-sm">
            {p.terms.map((t) => <li key={t}>{t}</li>)}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function CityFees({ facts }: { facts: SiteFacts }) {
  const charging = facts.cities.filter((c) => c.fees.length > 0);
  return (
    <ul class="list-disc pl-5">
      {charging.map((c) => (
        <li key={c.slug}>
          <a href={`/cities/${c.slug}`} class={link}>{c.name}</a>
          {`: ${c.fees.join("; ")}`}
        </li>
      ))}
    </ul>
  );
}

function ContactNext({ facts }: { facts: SiteFacts }) {
  return (
    <div class="flex flex-wrap items-center gap-4">
      <a href="/contact" class={primary}>Send us a message</a>
      {facts.supportEmail && (
        <p>
          {"Or email "}
          <a href={`mailto:${facts.supportEmail}`} class={link}>
            {facts.supportEmail}
          </a>
          .
        </p>
      )}
    </div>
  );
}

function paymentWords(facts: SiteFacts): string {
  switch (facts.payments) {
    case "stripe":
      return "You pay by card on Stripe Checkout, Stripe's own payment page. Prep never sees or keeps your card number.";
    case "demo":
      return "This site runs demo payments: the checkout is a clearly labelled demo page and no card is charged. With live payments, renters pay by card on Stripe Checkout, Stripe's own payment page, and Prep never sees the card number.";
    case "off":
      return "Payments are switched off on this site right now, so bookings cannot be paid for. With payments on, renters pay by card on Stripe Checkout, Stripe's own payment page.";
  }
}

/** `/help`: how booking, paying, cancelling, documents and payouts work. */
export function HelpPage({ facts }: { facts: SiteFacts }) {
  return (
    <Page
      title="Help"
      intro="How booking, paying, cancelling, documents and payouts work on Prep, for renters and hosts."
      contents={[
        ["booking", "Booking a kitchen"],
        ["paying", "Paying"],
        ["cancelling", "Cancelling and refunds"],
        ["documents", "Documents and compliance"],
        ["hosting", "Hosting and payouts"],
        ["account", "Your account and your data"],
        ["contact", "Getting help"],
      ]}
    >
      <Section id="booking" title="Booking a kitchen">
        <ol class="list-decimal space-y-2 pl-5">
          <li>
            <a href="/search" class={link}>Search</a>{" "}
            by city, date and hours, price, equipment and storage. A kitchen's
            page shows its free hours in the kitchen's own time zone; choose a
            start and an end.
          </li>
          <li>
            Confirm your email address first: the link is in the email we send
            when you sign up.
          </li>
          <li>
            The review page shows the price line by line, the kitchen's
            cancellation policy and house rules, and what the city requires of
            you. When the city allows the booking with conditions, you tick each
            one; when something is missing, the page says what.
          </li>
          <li>
            {`When you continue, the hours are held for you for ${facts.holdMinutes} minutes while you pay. You can have up to ${
              plural(facts.maxHolds, "unpaid hold")
            } at a time.`}
          </li>
          <li>
            {`Once paid, the booking is confirmed and we email you. Its page gives the kitchen's address, the access code from ${facts.accessCodeHours} hours before the start, a calendar file and your receipt.`}
          </li>
        </ol>
        <h3 class="text-lg font-bold">Request to book</h3>
        <p>
          Some kitchens ask the host first. When you send the request your card
          is authorised, not charged. The host has 24 hours to answer (or until
          the start, if that is sooner): accepting charges your card and
          confirms the booking; declining, or not answering in time, releases
          the authorisation and no money moves. We email you either way.
        </p>
      </Section>

      <Section id="paying" title="Paying">
        <p>{paymentWords(facts)}</p>
        <p>
          {`The payment goes to the kitchen's host through Stripe Connect, less Prep's commission of ${facts.commission} of the hours and the cleaning fee. The host pays the commission; it is not added to your price.`}
          {facts.serviceFee &&
            ` Prep adds a service fee of ${facts.serviceFee} of the hours to your total.`}
        </p>
        <p>
          Some cities charge a fee on kitchen bookings. It shows as its own line
          on your quote and receipt, and Prep passes it on:
        </p>
        <CityFees facts={facts} />
        <p>Every booking's page has its receipt, with each line you paid.</p>
      </Section>

      <Section id="cancelling" title="Cancelling and refunds">
        <p>
          Each kitchen has one of these cancellation policies. Its page and the
          review page show which one before you pay. The share refunded applies
          to everything you paid: hours, cleaning and fees.
        </p>
        <Policies facts={facts} />
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Cancel from the booking's page; it shows what you would get back if
            you cancelled now.
          </li>
          <li>
            If the host or Prep cancels your booking, you get a full refund,
            whatever the policy.
          </li>
          <li>
            Refunds go back to the card you paid with. Banks usually show them
            within 5 to 10 business days.
          </li>
          <li>
            A request the host declines or does not answer is never charged.
          </li>
        </ul>
      </Section>

      <Section id="documents" title="Documents and compliance">
        <p>
          Every kitchen on Prep holds the permits its city requires, verified by
          Prep's staff. The city's rules also ask things of you, and Prep checks
          them before each booking.
        </p>
        <h3 class="text-lg font-bold">For renters</h3>
        <p>
          {"Keep your documents in your "}
          <a href="/account/compliance" class={link}>document wallet</a>
          {`. Upload a PDF, JPEG or PNG of up to ${facts.documentMaxMb} MB; when a PDF has text in it, its details are filled in for you to check. Prep's staff then verify it, reject it with the reason, or ask for a renewal, and we tell you by email and in the app.`}
        </p>
        <p>What every city asks of you:</p>
        <ul class="list-disc space-y-1 pl-5">
          {facts.training.map((t) => <li key={t}>{t}</li>)}
          {facts.insurance.map((i) => (
            <li key={i}>{`${i}, on one certificate`}</li>
          ))}
          {facts.workersComp && (
            <li>
              Workers' compensation insurance, if your business has employees
            </li>
          )}
        </ul>
        <p>
          Some cities also ask your insurance certificate to name them as
          additional insured, spelled exactly like this:
        </p>
        <ul class="list-disc space-y-1 pl-5">
          {facts.cities.filter((c) => c.additionalInsured).map((c) => (
            <li key={c.slug}>{`${c.name}: "${c.additionalInsured}"`}</li>
          ))}
        </ul>
        <p>
          {`A document is valid to the end of its expiry date in the kitchen's time zone. We remind you ${
            listWords(facts.reminderDays)
          } days before it expires.`}
        </p>
        <h3 class="text-lg font-bold">For hosts</h3>
        <p>
          A kitchen is in search and takes bookings only while every permit its
          city requires is verified and unexpired:
        </p>
        <Table
          caption="The permits each city requires of a kitchen"
          head={["City", "Permits"]}
        >
          {facts.cities.map((c) => (
            <tr key={c.slug} class="border-b border-stone-200">
              <td class={td}>
                <a href={`/cities/${c.slug}`} class={link}>{c.name}</a>
              </td>
              <td class={td}>{c.kitchenPermits.join("; ")}</td>
            </tr>
          ))}
        </Table>
        <p>
          Each city's guide lists everything Prep checks there, for renters and
          kitchens alike.
        </p>
      </Section>

      <Section id="hosting" title="Hosting and payouts">
        <ul class="list-disc space-y-2 pl-5">
          <li>
            {"Choose "}
            <strong>List your kitchen</strong>
            {" on your "}
            <a href="/account" class={link}>account page</a>
            {`, then fill in the listing section by section: basics, location, equipment and storage, photos (JPEG, PNG or WebP up to ${facts.photoMaxMb} MB), hours, prices, house rules and cancellation policy. Upload the kitchen's permits, then publish.`}
          </li>
          <li>
            {`Payouts: connect a Stripe Express account at Hosting → Payouts. Stripe checks your identity and bank details; Prep never sees your bank account number. Each payment goes to your Stripe account less Prep's commission of ${facts.commission} of the hours and cleaning fee, and Stripe pays out to your bank on your payout schedule. Refunds under the kitchen's policy are taken back from that payment.`}
            {facts.payments === "demo" &&
              " On this demo site, payouts are a one-click demo setup and no money moves."}
          </li>
          <li>
            On request-to-book kitchens you have 24 hours to accept or decline
            each request, or until its start if that is sooner.
          </li>
          <li>
            If you cancel a confirmed booking, the renter gets a full refund.
          </li>
          <li>
            Your dashboard shows requests, upcoming bookings, a calendar per
            kitchen and your earnings by month, with a CSV export.
          </li>
        </ul>
      </Section>

      <Section id="account" title="Your account and your data">
        <p>
          {"Change your name, email address and password on your "}
          <a href="/account" class={link}>account page</a>
          {". You can delete your account there too. "}
          <a href="/privacy" class={link}>Privacy</a>
          {" says what Prep keeps, why and for how long, and what deleting your account removes."}
        </p>
      </Section>

      <Section id="contact" title="Getting help">
        <p>
          Can't find the answer here? Write to Prep's staff and we reply by
          email.
        </p>
        <ContactNext facts={facts} />
      </Section>
    </Page>
  );
}

/** `/terms`: the terms of use, in plain words. */
export function TermsPage({ facts }: { facts: SiteFacts }) {
  return (
    <Page
      title="Terms of use"
      intro="The rules for using Prep, for renters and hosts. Creating an account or making a booking means you agree to them."
      contents={[
        ["marketplace", "Prep and you"],
        ["accounts", "Accounts"],
        ["bookings", "Bookings and payment"],
        ["cancellations", "Cancellations and refunds"],
        ["renters", "What renters agree to"],
        ["hosts", "What hosts agree to"],
        ["documents", "Documents"],
        ["suspension", "Suspension"],
        ["questions", "Changes and questions"],
      ]}
    >
      <Section id="marketplace" title="Prep and you">
        <p>
          Prep is a marketplace: hosts list commercial kitchens, and renters
          book hours in them. A booking is an agreement between the renter and
          the host, made and paid through Prep. Prep runs the site, takes the
          payments through Stripe, and checks the documents that the cities'
          rules require.
        </p>
      </Section>
      <Section id="accounts" title="Accounts">
        <p>
          Use your own name and an email address you read, and keep your
          password to yourself: what is done with your account is your
          responsibility. One account is for one person. You can delete your
          account at any time from your account page.
        </p>
      </Section>
      <Section id="bookings" title="Bookings and payment">
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Hosts set their prices. The review page shows every line before you
            pay, and what you are charged is what it shows.
          </li>
          <li>
            {`Renters pay by card through Stripe. Prep keeps a commission of ${facts.commission} of the hours and cleaning fee from the host's share${
              facts.serviceFee
                ? ` and adds a service fee of ${facts.serviceFee} of the hours to the renter's total`
                : ""
            }. City fees are collected on the quote and passed on.`}
          </li>
          <li>
            {`Hours are held for ${facts.holdMinutes} minutes while you pay; unpaid holds lapse and the time is free again.`}
          </li>
          <li>
            On request-to-book kitchens the card is authorised when the request
            is sent and charged only if the host accepts.
          </li>
        </ul>
      </Section>
      <Section id="cancellations" title="Cancellations and refunds">
        <p>
          A renter who cancels is refunded under the kitchen's cancellation
          policy, one of these:
        </p>
        <Policies facts={facts} />
        <p>
          When a host or Prep cancels a booking, the renter is refunded in full.
          Refunds go back to the card that paid.
        </p>
      </Section>
      <Section id="renters" title="What renters agree to">
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Hold the documents the kitchen's city requires, valid until the
            booking ends, and upload only your own, genuine documents.
          </li>
          <li>
            Keep the conditions you accept at checkout, the kitchen's house
            rules and the city's rules, such as quiet hours and daily limits.
          </li>
          <li>
            Arrive and leave within your booked hours and leave the kitchen
            clean.
          </li>
        </ul>
      </Section>
      <Section id="hosts" title="What hosts agree to">
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Keep every permit the city requires verified and unexpired; a
            kitchen without them is not listed.
          </li>
          <li>
            Describe the kitchen as it is: equipment, storage, house rules,
            hours and prices.
          </li>
          <li>
            Honour confirmed bookings. If you cancel one, the renter is refunded
            in full.
          </li>
          <li>
            Answer booking requests in time; an unanswered request lapses.
          </li>
        </ul>
      </Section>
      <Section id="documents" title="Documents">
        <p>
          Prep's staff check each document against the rules of the city it is
          used in, and may reject it with a reason or ask for a renewal. A
          verification says a document met those rules when it was checked; it
          does not make Prep your insurer or your licensing authority.
        </p>
      </Section>
      <Section id="suspension" title="Suspension">
        <p>
          Prep's staff may suspend a listing or an account that breaks these
          terms or the cities' rules, and record why. A suspended account cannot
          sign in and a suspended listing takes no bookings until staff
          reinstate it.
        </p>
      </Section>
      <Section id="questions" title="Changes and questions">
        <p>
          When these terms change, the new version is published on this page.
          Questions about them are welcome.
        </p>
        <ContactNext facts={facts} />
      </Section>
    </Page>
  );
}

interface Kept {
  title: string;
  what: string;
  why: string;
  howLong: string;
}

/** `/privacy`: what Prep keeps and why, for how long, and deleting an account. */
export function PrivacyPage({ facts }: { facts: SiteFacts }) {
  const k = facts.kept;
  const rows: Kept[] = [
    {
      title: "Your account",
      what:
        "Name, email address, business name, and your password as a salted hash (never the password itself)",
      why: "To sign you in, and to show who made a booking",
      howLong: "Until you delete your account",
    },
    {
      title: "Your business profile",
      what:
        "Whether you have employees, need an accessible kitchen, and what you make",
      why: "To work out which documents a city requires of you",
      howLong: "Until you delete your account",
    },
    {
      title: "Sessions",
      what:
        "A hash of your sign-in cookie, and when it began and was last used",
      why: "To keep you signed in",
      howLong: `Ends after ${plural(k.sessionIdleDays, "day")} unused, or ${
        plural(k.sessionMaxDays, "day")
      } at most`,
    },
    {
      title: "Browsers you have signed in with",
      what: "A hash of a cookie on each",
      why:
        "So that others guessing your password cannot slow down your own sign-ins",
      howLong: `${plural(k.trustedDeviceDays, "day")} after the last sign-in`,
    },
    {
      title: "Sign-in protection",
      what:
        "Counts of wrong passwords per email, and of attempts per network address or email",
      why: "To slow down password guessing and abuse of the forms",
      howLong: `Wrong passwords ${
        plural(k.loginFailureHours, "hour")
      }; other counts ${plural(k.attemptCounterHours, "hour")} at most`,
    },
    {
      title: "Links we email you",
      what: "Confirming your address, resetting a password",
      why: "To check the address is yours",
      howLong: `Confirmation links ${
        plural(k.confirmLinkHours, "hour")
      }; reset links ${plural(k.resetLinkMinutes, "minute")}`,
    },
    {
      title: "Documents",
      what:
        "The files you upload, the details read from them or typed, and staff's decisions with their reasons",
      why:
        "To check each booking against the city's rules, and as the record that it did",
      howLong:
        "Kept with the bookings they allowed, also after you delete your account",
    },
    {
      title: "Bookings and payments",
      what:
        "Kitchen, times, price lines, refunds, and Stripe's references for the payment (not your card number)",
      why: "To run the booking, pay the host, refund, and keep accounts",
      howLong:
        "Kept as the record of the booking, also after you delete your account",
    },
    {
      title: "Payment events",
      what: "What Stripe sends us about each payment",
      why: "To confirm each payment exactly once",
      howLong: plural(k.paymentEventDays, "day"),
    },
    {
      title: "The audit log",
      what:
        "Staff decisions and money movements, who made them and from which network address",
      why: "So every staff action and payment can be accounted for",
      howLong: "Never edited or deleted",
    },
    {
      title: "Notifications",
      what: "What the app tells you about bookings and documents",
      why: "To tell you about bookings and documents",
      howLong: "Kept with your account's history",
    },
    {
      title: "Saved kitchens",
      what: "The kitchens you save, and when you saved each",
      why: "To list them for you under Saved",
      howLong: "Until you remove them or delete your account",
    },
    {
      title: "Emails to you",
      what: "Booking, document and account notices",
      why:
        "To tell you about bookings, documents and your account. Resend, our email provider, delivers them",
      howLong:
        "Prep keeps a copy only until it is sent; one that cannot be delivered is kept for staff to retry",
    },
    {
      title: "Contact messages",
      what:
        "What you send through the contact form: your name, email address and message",
      why: "To answer you",
      howLong: plural(k.supportMessageDays, "day"),
    },
    {
      title: "Hosts' listings",
      what:
        "Photos (re-encoded, with camera and location details removed), address, calendar links you add and the busy times read from them, and payout status from Stripe",
      why: "To list the kitchen, keep its calendar and pay you",
      howLong: "While the kitchen is on Prep",
    },
  ];
  return (
    <Page
      title="Privacy"
      intro="What Prep keeps about you, why, for how long, who else sees it, and how to delete your account."
      contents={[
        ["kept", "What we keep and why"],
        ["shared", "Who else sees it"],
        ["cookies", "Cookies"],
        ["deleting", "Deleting your account"],
        ["questions", "Questions and requests"],
      ]}
    >
      <Section id="kept" title="What we keep and why">
        <ul class="space-y-3">
          {rows.map((r) => (
            <li key={r.title} class="rounded-lg bg-stone-100 p-4">
              <h3 class="font-bold">{r.title}</h3>
              <p>{r.what}</p>
              <dl class="mt-2 grid gap-x-3 gap-y-1 text-sm sm:grid-cols-[7rem_1fr]">
                <dt class="font-semibold">Why</dt>
                <dd>{r.why}</dd>
                <dt class="font-semibold">How long</dt>
                <dd>{r.howLong}</dd>
              </dl>
            </li>
          ))}
        </ul>
      </Section>
      <Section id="shared" title="Who else sees it">
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Stripe handles card payments, refunds and hosts' payouts. Your card
            details and a host's bank details go to Stripe, never to Prep.
          </li>
          <li>Resend delivers our emails.</li>
          <li>
            The host of a kitchen you book sees the booking: its times, what was
            paid and its status. When you ask to book a request-to-book kitchen,
            the host also sees what they need to decide: who is asking and the
            details the request page shows them.
          </li>
          <li>
            Prep's staff see what they need to review documents, help with
            bookings and answer messages. Support staff can read; only admins
            act, and every action goes in the audit log.
          </li>
          <li>Your documents' files are shown only to you and to staff.</li>
        </ul>
        <p>We do not sell your data or show you advertising.</p>
      </Section>
      <Section id="cookies" title="Cookies">
        <p>
          Prep sets two cookies: one that keeps you signed in, and one that
          remembers a browser you have signed in with. A third is set only when
          you press a kitchen's heart before logging in: it remembers that
          kitchen for a day, so it is saved once you have. There are no
          advertising or analytics cookies.
        </p>
      </Section>
      <Section id="deleting" title="Deleting your account">
        <p>
          {"On your "}
          <a href="/account#delete" class={link}>account page</a>
          {", "}
          <strong>Delete your account</strong>
          {" removes at once your name, email address and password, your business profile, your sessions and remembered browsers, and your host profile; your saved kitchens follow within a minute. A host whose kitchens are still listed asks us first, so no listing is left without its host."}
        </p>
        <p>
          What stays: bookings and payments, the documents that allowed them,
          notifications, and the audit log, as the record of what happened and
          for refunds and accounts.
        </p>
      </Section>
      <Section id="questions" title="Questions and requests">
        <p>
          To ask what we hold about you, to correct it, or to have something
          removed, write to us and choose "My account or my data".
        </p>
        <ContactNext facts={facts} />
      </Section>
    </Page>
  );
}
