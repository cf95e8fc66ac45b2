/**
 * Hours requested while the renter's documents are in review, as the
 * review page, the checkout and the booking page show them
 * (lib/bookings/document_requests.ts).
 */
import type { DocumentNeed } from "../lib/bookings/holds.ts";
import type { Booking, BookingMode } from "../lib/bookings/schema.ts";
import { formatDayTimeZoned } from "../lib/format.ts";
import { DocumentNeeds } from "./DocumentStates.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";

/** What happens once staff verify the documents, by how the kitchen books. */
function afterVerified(mode: BookingMode): string {
  return mode === "request"
    ? "the host gets your request and has 24 hours to accept; your card is charged only if they do"
    : "your booking is confirmed and your card is charged";
}

/**
 * The review page when only documents in review stand in the way: not a
 * refusal, but what is being checked and how the hours can be kept.
 */
export function DocumentsBeingChecked(
  { needs, mode }: { needs: readonly DocumentNeed[]; mode: BookingMode },
) {
  return (
    <section
      aria-labelledby="documents-checked"
      class="rounded-xl border-2 border-sky-300 bg-sky-50 p-5 text-sky-950"
    >
      <h2 id="documents-checked" class="text-xl font-bold">
        Your documents are being checked
      </h2>
      <p class="mt-1">
        {`Prep checks each document, usually within a working day. You don't have to wait: request these hours now and we hold them for you. Once your documents are verified, ${
          afterVerified(mode)
        }.`}
      </p>
      {needs.length > 0 && (
        <div class="mt-4 rounded-lg bg-white p-4">
          <DocumentNeeds needs={needs} label="Documents this booking needs" />
        </div>
      )}
    </section>
  );
}

/** The review page's button and terms for requesting hours while documents are checked. */
export function RequestTheseHours({ mode }: { mode: BookingMode }) {
  return (
    <div class="space-y-3">
      <p class="text-sm text-stone-700">
        {`Your card is authorised now and charged only once ${
          mode === "request"
            ? "the host accepts"
            : "Prep verifies your documents"
        }. If your documents are not verified within 24 hours (or before the start, if sooner), or one is rejected, the hours and the authorisation are released and you are emailed either way.`}
      </p>
      <button
        type="submit"
        name="intent"
        value="documents"
        class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
      >
        Request these hours
      </button>
    </div>
  );
}

/** The status line of hours waiting for documents, or null for any other booking. */
export function documentsStatus(b: Booking): string | null {
  if (b.waitingFor !== "documents") return null;
  if (b.status === "requested") return "Your documents are being checked";
  if (b.status === "expired") return "Not booked: the hours were released";
  return null;
}

/** The booking page's card while the hours wait for the renter's documents. */
export function WaitingForDocuments({ booking: b }: { booking: Booking }) {
  if (b.status !== "requested" || b.waitingFor !== "documents") return null;
  return (
    <div class={card}>
      <h2 class="text-xl font-bold">We are holding these hours for you</h2>
      <p class="mt-1">
        {`Prep is checking your documents, usually within a working day. Once they are verified, ${
          afterVerified(b.mode)
        }.`}
      </p>
      {b.respondBy !== null && (
        <p class="mt-1">
          {`If they are not verified by ${
            formatDayTimeZoned(b.timeZone, b.respondBy)
          }, the hours and the authorisation on your card are released.`}
        </p>
      )}
      <p class="mt-3">
        <a href="/account/compliance" class={link}>See your documents</a>
      </p>
    </div>
  );
}

/** The demo checkout's line for hours waiting for documents: this only authorises. */
export function AuthoriseOnly({ booking: b }: { booking: Booking }) {
  if (b.waitingFor !== "documents") return null;
  return (
    <p class="text-stone-800">
      {`Your card is only authorised now. It is charged once ${
        b.mode === "request"
          ? "the host accepts"
          : "Prep verifies your documents"
      }; if that does not happen, the authorisation is released.`}
    </p>
  );
}
