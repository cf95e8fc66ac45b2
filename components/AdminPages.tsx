import { REASON_MAX_CHARS } from "../lib/text.ts";
import type { ComponentChildren } from "preact";
import { Table } from "./Table.tsx";
import {
  type AuditNames,
  NO_NAMES,
  type Person,
  subjectKey,
} from "../lib/audit/names.ts";
import type { AuditEntry } from "../lib/audit/schema.ts";
import { type Booking, LEDGER_KINDS } from "../lib/bookings/schema.ts";
import type {
  StaffBookingRow,
  StaffBookingView,
} from "../lib/bookings/staff.ts";
import { isId } from "../lib/ids.ts";
import { referenceOf } from "../lib/bookings/reference.ts";
import { wasCharged } from "../lib/bookings/pages.ts";
import { formatStamp, formatTimeRange } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { Receipt } from "./BookingPages.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextField,
} from "./Forms.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

/** "Thu, Dec 3, 10:00 AM - 1:00 PM (America/Chicago)": the kitchen's zone. */
export function bookingTimes(b: Booking): string {
  return `${formatTimeRange(b.timeZone, b.start, b.end)} (${b.timeZone})`;
}

/** The staff area's pages, each named for what it shows. */
const STAFF_PAGES_NAV = [
  ["/admin", "Overview"],
  ["/admin/documents", "Documents"],
  ["/admin/bookings", "Bookings"],
  ["/admin/users", "Users"],
  ["/admin/kitchens", "Kitchens"],
  ["/admin/audit", "Audit log"],
  ["/admin/jobs", "Failed jobs"],
  ["/admin/messages", "Contact messages"],
  ["/admin/reports", "Reports"],
  ["/admin/reviews", "Reviews"],
  ["/admin/metrics", "Figures"],
  ["/admin/certifiers", "Certifier recognitions"],
] as const;
export type StaffPage = typeof STAFF_PAGES_NAV[number][0];

/**
 * The staff area's navigation; the page being shown is marked as current.
 * `readOnly` (a support account on a page where admins act) says why the
 * page has no buttons.
 */
export function StaffNav(
  { current, readOnly = false }: { current?: StaffPage; readOnly?: boolean },
) {
  return (
    <>
      <StaffLinks current={current} />
      {readOnly && (
        <p
          role="note"
          class="rounded-lg border border-stone-300 bg-stone-50 px-4 py-3 text-stone-800"
        >
          You are signed in with a support account: you can read this page, and
          only an admin can act on it.
        </p>
      )}
    </>
  );
}

function StaffLinks({ current }: { current?: StaffPage }) {
  return (
    <nav aria-label="Staff pages" class="border-b border-stone-200 pb-3">
      <ul class="flex flex-wrap gap-x-1 gap-y-2 text-sm">
        {STAFF_PAGES_NAV.map(([href, name]) => (
          <li key={href}>
            <a
              href={href}
              aria-current={href === current ? "page" : undefined}
              class={href === current
                ? "block rounded-lg bg-emerald-800 px-3 py-1.5 font-semibold text-white"
                : "block rounded-lg px-3 py-1.5 font-semibold text-emerald-800 underline hover:bg-emerald-50"}
            >
              {name}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** An id as small text that one click selects whole, for copying. */
export function Id({ id }: { id: string }) {
  return (
    <code class="block select-all break-all font-mono text-xs text-stone-600">
      {id}
    </code>
  );
}

/** An instant as staff read it: "Thu, Dec 10, 2026, 9:00 AM UTC" (the audit filters' days are UTC). */
export function Stamp({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()}>
      {`${formatStamp("UTC", ms)} UTC`}
    </time>
  );
}

/** A person, linked to their staff page: the name, the email beneath; the id when the account is gone. */
export function PersonLink(
  { id, person, fallback }: {
    id: string;
    person: Person | null | undefined;
    /** What to show when the account is gone (the email recorded then). */
    fallback?: string;
  },
) {
  if (!person) {
    return (
      <span>
        {fallback ?? "Account not found"}
        <Id id={id} />
      </span>
    );
  }
  return (
    <span>
      <a href={`/admin/users/${id}`} class={link}>{person.name}</a>
      <span class="block text-xs text-stone-700">{person.email}</span>
    </span>
  );
}

/** Staff words for a booking's status; a status without one shows as it is stored. */
const BOOKING_STATUS_NAMES: Partial<Record<Booking["status"], string>> = {
  held: "Held, awaiting payment",
  requested: "Requested, awaiting the host",
  confirmed: "Confirmed",
  scheduled: "Scheduled, charged 3 days before",
  expired: "Expired",
  declined: "Declined",
  cancelled: "Cancelled",
  completed: "Completed",
};

export const bookingStatusName = (s: Booking["status"]): string =>
  BOOKING_STATUS_NAMES[s] ?? s;

/** The flag on a booking whose ledger does not balance. */
function LedgerFlag({ problem }: { problem: string | null }) {
  return problem
    ? (
      <span class="font-semibold text-red-700">
        {`Ledger does not balance: ${problem}`}
      </span>
    )
    : <span class="text-stone-600">Balanced</span>;
}

function BookingRows({ rows }: { rows: StaffBookingRow[] }) {
  return (
    <Table
      caption="Bookings"
      head={[
        "Booking",
        "Kitchen",
        "Renter",
        "Host",
        "Times",
        "Status",
        "Total",
        "Ledger",
      ]}
    >
      {rows.map(({ booking: b, kitchenTitle, renter, host, ledgerProblem }) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={td}>
            <a href={`/admin/bookings/${b.id}`} class={`${link} font-mono`}>
              {referenceOf(b)}
            </a>
            <Id id={b.id} />
          </td>
          <td class={td}>
            <a href={`/admin/kitchens/${b.kitchenId}`} class={link}>
              {kitchenTitle ?? "Kitchen not found"}
            </a>
          </td>
          <td class={td}>
            <PersonLink id={b.renterId} person={renter} />
          </td>
          <td class={td}>
            <PersonLink id={b.hostId} person={host} />
          </td>
          <td class={td}>{bookingTimes(b)}</td>
          <td class={td}>{bookingStatusName(b.status)}</td>
          <td class={td}>{formatCents(b.quote.totalChargedCents)}</td>
          <td class={td}>
            <LedgerFlag problem={ledgerProblem} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function AdminBookingsPage(
  { rows, form, searched }: {
    rows: StaffBookingRow[];
    form: FormState;
    /** What was searched for, or null for the newest bookings. */
    searched: string | null;
  },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/bookings" />
      <h1 class="text-3xl font-extrabold">Bookings</h1>
      <form method="get" action="/admin/bookings" class={card} role="search">
        <FormMessage form={form} />
        <TextField
          name="q"
          label="Booking reference, id or email"
          form={form}
          hint="A booking reference like PRP-7K3Q-9D, a booking id, or the email of a renter or host."
        />
        <SubmitButton>Find bookings</SubmitButton>
      </form>
      {Object.keys(form.errors).length === 0 && (
        <div class="space-y-3">
          <h2 class="text-xl font-bold">
            {searched === null ? "Newest bookings" : `Results for ${searched}`}
          </h2>
          {rows.length === 0
            ? (
              <p>
                {searched === null ? "No bookings yet." : "No bookings found."}
              </p>
            )
            : <BookingRows rows={rows} />}
        </div>
      )}
    </section>
  );
}

export function Fact(
  { label, children }: { label: string; children: ComponentChildren },
) {
  return (
    <div class="sm:flex sm:gap-2">
      <dt class="font-semibold sm:w-40 sm:shrink-0">{label}</dt>
      <dd class="min-w-0 break-words">{children}</dd>
    </div>
  );
}

/** Who acted: a person by name, or Prep itself (a job, a script), or Stripe (its event). */
function Actor({ e, names }: { e: AuditEntry; names: AuditNames }) {
  const { actor } = e;
  if (actor.kind === "user" && actor.id) {
    return (
      <PersonLink
        id={actor.id}
        person={names.people[actor.id]}
        fallback={actor.email}
      />
    );
  }
  return (
    <span>
      {actor.kind === "stripe" ? "Stripe" : "Prep"}
      {actor.id && <Id id={actor.id} />}
    </span>
  );
}

/** "document.verified" → "Document verified". */
export function actionName(action: string): string {
  const words = action.replaceAll(/[._]/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function detailsText(e: AuditEntry): string {
  return Object.entries(e.details).map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
}

/** Staff pages of audited objects, by subject kind. */
const STAFF_PAGES: Record<string, string> = {
  booking: "bookings",
  document: "documents",
  kitchen: "kitchens",
  user: "users",
};

const SUBJECT_KINDS: Record<string, string> = {
  booking: "Booking",
  document: "Document",
  kitchen: "Kitchen",
  user: "Account",
  certifier_recognition: "Certifier recognition",
  review: "Review",
};

/** What an entry is about: its name, linked to its staff page, and its id beneath. */
function Subject({ e, names }: { e: AuditEntry; names: AuditNames }) {
  const { kind, id } = e.subject;
  const name = names.subjects[subjectKey(kind, id)] ??
    SUBJECT_KINDS[kind] ?? kind;
  return (
    <span>
      {STAFF_PAGES[kind] && (isId(id) || kind === "user")
        ? <a href={`/admin/${STAFF_PAGES[kind]}/${id}`} class={link}>{name}</a>
        : name}
      <Id id={id} />
    </span>
  );
}

export function AuditRows(
  { entries, caption, names = NO_NAMES }: {
    entries: AuditEntry[];
    caption: string;
    /** People and things named; an entry with none shows its ids. */
    names?: AuditNames;
  },
) {
  return (
    <Table
      caption={caption}
      head={["When", "Who", "Action", "About", "Details", "Reason", "From"]}
    >
      {entries.map((e) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={`${td} whitespace-nowrap`}>
            <Stamp ms={Date.parse(e.at)} />
          </td>
          <td class={td}>
            <Actor e={e} names={names} />
          </td>
          <td class={td}>
            {actionName(e.action)}
            <code class="block font-mono text-xs text-stone-600">
              {e.action}
            </code>
          </td>
          <td class={td}>
            <Subject e={e} names={names} />
          </td>
          <td class={`${td} font-mono text-xs`}>{detailsText(e)}</td>
          <td class={`${td} typed-text`}>{e.reason ?? ""}</td>
          <td class="py-2 font-mono text-xs">{e.client ?? ""}</td>
        </tr>
      ))}
    </Table>
  );
}

export function AdminBookingPage(
  { view, canAct, form, notice }: {
    view: StaffBookingView;
    /** Admins act; support only reads. */
    canAct: boolean;
    form: FormState;
    notice?: string;
  },
) {
  const b = view.booking;
  const reasonError = form.errors.reason;
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/bookings" readOnly={!canAct} />
      {notice && <Notice>{notice}</Notice>}
      <FormMessage form={form} />
      <header>
        <h1 class="text-3xl font-extrabold">
          {`Booking ${referenceOf(b)} at ${
            view.kitchenTitle ?? "a kitchen not found"
          }`}
        </h1>
        <p class="text-stone-700">{bookingTimes(b)}</p>
        <Id id={b.id} />
        {wasCharged(b) && (
          <p class="mt-1">
            <a href={`/bookings/${b.id}/receipt.pdf`} class={link}>
              Download the receipt (PDF)
            </a>
          </p>
        )}
      </header>
      <div class={card}>
        <h2 class="text-xl font-bold">Details</h2>
        <dl class="space-y-1">
          <Fact label="Status">{bookingStatusName(b.status)}</Fact>
          <Fact label="Kitchen">
            <a href={`/admin/kitchens/${b.kitchenId}`} class={link}>
              {view.kitchenTitle ?? "Kitchen not found"}
            </a>
            {" · "}
            <a href={`/kitchens/${b.kitchenId}`} class={link}>
              Public page
            </a>
            <Id id={b.kitchenId} />
          </Fact>
          <Fact label="Renter">
            <PersonLink id={b.renterId} person={view.renter} />
          </Fact>
          <Fact label="Host">
            <PersonLink id={b.hostId} person={view.host} />
          </Fact>
          <Fact label="Mode">
            {b.mode === "request" ? "Request to book" : "Instant"}
          </Fact>
          <Fact label="Payment">
            {b.payment.provider === "demo" ? "Demo checkout" : "Stripe"}
          </Fact>
          <Fact label="Created">
            <Stamp ms={b.createdAt} />
          </Fact>
          {b.disputed && <Fact label="Dispute">Disputed</Fact>}
          {b.cancellation && (
            <Fact label="Cancellation">
              {`By ${b.cancellation.by} on ${
                formatStamp("UTC", b.cancellation.at)
              } UTC: ${b.cancellation.explanation} Refund ${
                formatCents(b.cancellation.refundCents)
              }.`}
              {b.cancellation.reason && (
                <span class="block typed-text">
                  {`Reason: ${b.cancellation.reason}`}
                </span>
              )}
            </Fact>
          )}
          {b.note && <Fact label="Note">{b.note}</Fact>}
        </dl>
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Price</h2>
        <Receipt quote={b.quote} />
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Ledger</h2>
        <p>
          <LedgerFlag problem={view.ledgerProblem} />
        </p>
        {b.ledger.length === 0
          ? <p>No money has moved.</p>
          : (
            <Table caption="Ledger" head={["When", "Kind", "Amount", "Ref"]}>
              {b.ledger.map((e) => (
                <tr class="border-b border-stone-200">
                  <td class={`${td} whitespace-nowrap`}>
                    <Stamp ms={e.at} />
                  </td>
                  <td class={`${td} font-mono`}>{e.kind}</td>
                  <td class={td}>{formatCents(e.amountCents)}</td>
                  <td class={`${td} font-mono text-xs`}>
                    {e.ref ?? "pending"}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        <h3 class="font-bold">Totals by kind</h3>
        <Table caption="Ledger totals by kind" head={["Kind", "Total"]}>
          {LEDGER_KINDS.map((k) => (
            <tr class="border-b border-stone-200">
              <td class={`${td} font-mono`}>{k}</td>
              <td class={td}>{formatCents(view.totals[k])}</td>
            </tr>
          ))}
        </Table>
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Events</h2>
        {view.events.length === 0
          ? <p>No audit entries for this booking.</p>
          : (
            <AuditRows
              entries={view.events}
              names={view.names}
              caption="Events"
            />
          )}
      </div>
      {canAct && view.cancellable && (
        <form
          method="post"
          action={`/admin/bookings/${b.id}/cancel`}
          class={card}
        >
          <h2 class="text-xl font-bold">Cancel with full refund</h2>
          <p>
            {`Cancels the booking, frees its time and refunds the renter ${
              formatCents(b.quote.totalChargedCents)
            }. Both sides are emailed.`}
          </p>
          <div>
            <label for="cancel-reason" class="block text-sm font-semibold">
              Reason (kept in the audit log)
            </label>
            <textarea
              id="cancel-reason"
              name="reason"
              rows={3}
              maxLength={REASON_MAX_CHARS}
              required
              class={`mt-1 w-full rounded-lg border bg-white px-3 py-2 ${
                reasonError ? "border-red-600" : "border-stone-300"
              }`}
              aria-invalid={reasonError ? "true" : undefined}
              aria-describedby={reasonError ? "cancel-reason-error" : undefined}
            >
              {form.values.reason ?? ""}
            </textarea>
            {reasonError && (
              <p
                id="cancel-reason-error"
                class="mt-1 text-sm font-medium text-red-700"
              >
                {reasonError}
              </p>
            )}
          </div>
          <button
            type="submit"
            class="rounded-lg border border-red-300 px-4 py-2 font-semibold text-red-800"
          >
            Cancel with full refund
          </button>
        </form>
      )}
    </section>
  );
}
