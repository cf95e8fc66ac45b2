import type { ComponentChildren } from "preact";
import { Table } from "./Table.tsx";
import type { AuditEntry } from "../lib/audit/schema.ts";
import { type Booking, LEDGER_KINDS } from "../lib/bookings/schema.ts";
import type {
  StaffBookingRow,
  StaffBookingView,
} from "../lib/bookings/staff.ts";
import { isId } from "../lib/ids.ts";
import { referenceOf } from "../lib/bookings/reference.ts";
import { wasCharged } from "../lib/bookings/pages.ts";
import { formatDayTime, formatTime } from "../lib/format.ts";
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

/** "Thu, Dec 3, 10:00 AM – 1:00 PM (America/Chicago)": the kitchen's zone. */
function bookingTimes(b: Booking): string {
  return `${formatDayTime(b.timeZone, b.start)} – ${
    formatTime(b.timeZone, b.end)
  } (${b.timeZone})`;
}

export function StaffNav() {
  return (
    <nav aria-label="Staff pages" class="flex flex-wrap gap-4 text-sm">
      <a href="/admin" class={link}>Failed jobs</a>
      <a href="/admin/users" class={link}>Users</a>
      <a href="/admin/kitchens" class={link}>Kitchens</a>
      <a href="/admin/bookings" class={link}>Bookings</a>
      <a href="/admin/documents" class={link}>Documents</a>
      <a href="/admin/audit" class={link}>Audit log</a>
      <a href="/admin/messages" class={link}>Messages</a>
    </nav>
  );
}

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
        "Times",
        "Status",
        "Total",
        "Ledger",
      ]}
    >
      {rows.map(({ booking: b, renterEmail, ledgerProblem }) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={td}>
            <a href={`/admin/bookings/${b.id}`} class={`${link} font-mono`}>
              {referenceOf(b)}
            </a>
            <span class="block font-mono text-xs text-stone-600">{b.id}</span>
          </td>
          <td class={`${td} font-mono`}>
            <a href={`/admin/kitchens/${b.kitchenId}`} class={link}>
              {b.kitchenId}
            </a>
          </td>
          <td class={td}>
            <a href={`/admin/users/${b.renterId}`} class={link}>
              {renterEmail ?? b.renterId}
            </a>
          </td>
          <td class={td}>{bookingTimes(b)}</td>
          <td class={td}>{b.status}</td>
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
      <StaffNav />
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
    <div class="flex gap-2">
      <dt class="w-40 shrink-0 font-semibold">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function actorText(e: AuditEntry): string {
  return `${e.actor.kind}: ${e.actor.email ?? e.actor.id ?? "unknown"}`;
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

export function AuditRows(
  { entries, caption }: { entries: AuditEntry[]; caption: string },
) {
  return (
    <Table
      caption={caption}
      head={["When", "Who", "From", "Action", "Subject", "Details", "Reason"]}
    >
      {entries.map((e) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={`${td} whitespace-nowrap`}>{e.at}</td>
          <td class={td}>{actorText(e)}</td>
          <td class={`${td} font-mono text-xs`}>{e.client ?? ""}</td>
          <td class={`${td} font-mono`}>{e.action}</td>
          <td class={td}>
            {STAFF_PAGES[e.subject.kind] && isId(e.subject.id)
              ? (
                <a
                  href={`/admin/${STAFF_PAGES[e.subject.kind]}/${e.subject.id}`}
                  class={link}
                >
                  {`${e.subject.kind} ${e.subject.id}`}
                </a>
              )
              : `${e.subject.kind} ${e.subject.id}`}
          </td>
          <td class={`${td} font-mono text-xs`}>{detailsText(e)}</td>
          <td class="whitespace-pre-line py-2">{e.reason ?? ""}</td>
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
      <StaffNav />
      {notice && <Notice>{notice}</Notice>}
      <FormMessage form={form} />
      <header>
        <h1 class="text-3xl font-extrabold">{`Booking ${referenceOf(b)}`}</h1>
        <p class="font-mono text-xs text-stone-600">{b.id}</p>
        <p class="text-stone-700">{bookingTimes(b)}</p>
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
          <Fact label="Status">{b.status}</Fact>
          <Fact label="Kitchen">
            <a href={`/kitchens/${b.kitchenId}`} class={link}>
              {view.kitchenTitle ?? b.kitchenId}
            </a>
            <span class="break-all font-mono text-xs">{` ${b.kitchenId}`}</span>
            {" "}
            <a href={`/admin/kitchens/${b.kitchenId}`} class={link}>
              Staff view
            </a>
          </Fact>
          <Fact label="Renter">
            <a href={`/admin/users/${b.renterId}`} class={link}>
              {view.renterEmail ?? b.renterId}
            </a>
          </Fact>
          <Fact label="Host">
            <a href={`/admin/users/${b.hostId}`} class={link}>
              {view.hostEmail ?? b.hostId}
            </a>
          </Fact>
          <Fact label="Mode">{b.mode}</Fact>
          <Fact label="Payment">{b.payment.provider}</Fact>
          <Fact label="Created">{new Date(b.createdAt).toISOString()}</Fact>
          {b.disputed && <Fact label="Dispute">Disputed</Fact>}
          {b.cancellation && (
            <Fact label="Cancellation">
              {`By ${b.cancellation.by} at ${
                new Date(b.cancellation.at).toISOString()
              }: ${b.cancellation.explanation} Refund ${
                formatCents(b.cancellation.refundCents)
              }.`}
              {b.cancellation.reason && (
                <span class="block whitespace-pre-line">
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
                  <td class={td}>{new Date(e.at).toISOString()}</td>
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
          : <AuditRows entries={view.events} caption="Events" />}
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
              maxLength={1000}
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
