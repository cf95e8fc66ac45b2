import type { StaffReviewItem } from "../lib/reviews/moderation.ts";
import { REPORT_REASONS } from "../lib/reviews/schema.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";
import { PersonLink, StaffNav, Stamp } from "./AdminPages.tsx";
import { ReviewCard } from "./ReviewPages.tsx";

const card = "space-y-4 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";

/**
 * `/admin/reviews`: reviews people reported, oldest review first, each with
 * its reports; admins remove one with a reason (its author is told) or
 * dismiss its reports. Support reads.
 */
export function AdminReviewsPage(
  { items, cursor, canAct, forms, notice }: {
    items: StaffReviewItem[];
    cursor: string | null;
    canAct: boolean;
    /** A failed removal's form, by review id. */
    forms: Record<string, FormState>;
    notice?: string;
  },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/reviews" readOnly={!canAct} />
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">Reported reviews</h1>
        <p class="text-stone-700">
          Reviews people reported, oldest first. Remove a review that breaks the
          rules (its author is emailed your reason, and it leaves the ratings),
          or dismiss the reports to keep it.
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      {items.length === 0
        ? <p class={card}>No reported reviews are waiting.</p>
        : (
          <ol class="space-y-4">
            {items.map((item) => (
              <li key={item.queued.reviewId}>
                <Item
                  item={item}
                  canAct={canAct}
                  form={forms[item.queued.reviewId]}
                />
              </li>
            ))}
          </ol>
        )}
      {cursor && (
        <p>
          <a href={`/admin/reviews?after=${cursor}`} class={link}>
            More reported reviews
          </a>
        </p>
      )}
    </section>
  );
}

function Item(
  { item, canAct, form }: {
    item: StaffReviewItem;
    canAct: boolean;
    form?: FormState;
  },
) {
  const r = item.review;
  const id = item.queued.reviewId;
  return (
    <article
      id={`r-${id}`}
      aria-labelledby={`r-${id}-heading`}
      class={card}
      data-testid="reported-review"
    >
      <h2 id={`r-${id}-heading`} class="text-lg font-bold">
        {r
          ? `${
            r.side === "renter" ? "Review of" : "Host's review at"
          } ${item.kitchenTitle}`
          : "A review that no longer exists"}
      </h2>
      {r && (
        <>
          <p class="text-sm text-stone-700">
            {"Written by "}
            <PersonLink id={r.authorId} person={item.author} />
          </p>
          {item.bookingReference && (
            <p class="text-sm">
              {"Booking "}
              <a href={`/admin/bookings/${r.bookingId}`} class={link}>
                {item.bookingReference}
              </a>
            </p>
          )}
          <div class="rounded-lg border border-stone-200 p-4">
            <ReviewCard review={r} timeZone="UTC" title={r.authorName} />
          </div>
        </>
      )}
      <div>
        <h3 class="font-bold">
          {`${item.queued.count} ${
            item.queued.count === 1 ? "report" : "reports"
          }`}
        </h3>
        <ul class="mt-2 space-y-2">
          {item.reports.map((x) => (
            <li key={x.reporterId} class="text-sm">
              <p class="font-semibold">{REPORT_REASONS[x.reason]}</p>
              {x.details && <p class="typed-text">{x.details}</p>}
              <p class="text-stone-700">
                <Stamp ms={x.at} />
                {" · "}
                <PersonLink id={x.reporterId} person={x.reporter} />
              </p>
            </li>
          ))}
        </ul>
      </div>
      {canAct && r && (
        <div class="grid gap-4 border-t border-stone-200 pt-4 md:grid-cols-2">
          <form
            method="post"
            action={`/admin/reviews/${id}/remove`}
            class="space-y-3"
          >
            <FormMessage form={form ?? { values: {}, errors: {} }} />
            <TextArea
              name="reason"
              label="Reason for removing it"
              hint={`The author is emailed this reason. ${
                upToChars(REASON_MAX_CHARS)
              }`}
              rows={3}
              maxLength={REASON_MAX_CHARS}
              scope={`remove-${id}`}
              form={form ?? { values: {}, errors: {} }}
            />
            <button
              type="submit"
              class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
            >
              Remove review
            </button>
          </form>
          <form
            method="post"
            action={`/admin/reviews/${id}/dismiss`}
            class="space-y-3"
          >
            <p class="text-sm text-stone-700">
              Nothing wrong with it? Dismissing keeps the review and takes it
              off this list.
            </p>
            <button
              type="submit"
              class="rounded-lg border border-stone-300 px-4 py-2 font-semibold"
            >
              Dismiss reports
            </button>
          </form>
        </div>
      )}
    </article>
  );
}
