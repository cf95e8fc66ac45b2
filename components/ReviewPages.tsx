/**
 * Reviews as people see them (issue 18 §7–11): stars and averages, a
 * review with its response, the review section of a booking's page, the
 * review form, a kitchen's reviews, the host's response and the report
 * forms, and the "Review your booking at …" lists.
 */
import type { ComponentChildren } from "preact";
import { formatDate, formatDateYear, formatTimeRange } from "../lib/format.ts";
import type {
  BookingReviewsView,
  DueView,
  HostReviewsView,
  KitchenReviewsView,
  ReviewFormView,
} from "../lib/reviews/pages.ts";
import type { ReviewPage } from "../lib/reviews/repo.ts";
import {
  formatAverage,
  lastReviewDate,
  localDateOf,
  type RatingSummary,
  REFUSAL_TEXT,
} from "../lib/reviews/rules.ts";
import {
  KITCHEN_SCORES,
  RENTER_SCORES,
  REPORT_REASONS,
  type Review,
  SCORE_NAMES,
  TEXT_MAX,
  TEXT_MIN,
} from "../lib/reviews/schema.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";
const button =
  "inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n} ${n === 1 ? one : many}`;

/** Five stars, `value` of them filled; read out as "4 out of 5 stars". */
export function Stars({ value }: { value: number }) {
  const full = Math.round(value);
  return (
    <span class="whitespace-nowrap">
      <span aria-hidden="true" class="tracking-tight text-amber-700">
        {"★".repeat(full)}
        <span class="text-stone-300">{"★".repeat(5 - full)}</span>
      </span>
      <span class="sr-only">{`${value} out of 5 stars`}</span>
    </span>
  );
}

/** "★ 4.7 · 12 reviews", or null with no reviews: a kitchen's rating in a line. */
export function RatingLine(
  { average, count, href }: {
    average: number | null;
    count: number;
    href?: string;
  },
) {
  if (average === null || count === 0) return null;
  const words = `${formatAverage(average)} out of 5 · ${
    plural(count, "review")
  }`;
  const body = (
    <>
      <span aria-hidden="true" class="text-amber-700">★</span>{" "}
      <span class="font-semibold">{formatAverage(average)}</span>
      <span class="sr-only">out of 5</span>
      {` · ${plural(count, "review")}`}
    </>
  );
  return (
    <span data-testid="rating" data-rating={words}>
      {href ? <a href={href} class="underline">{body}</a> : body}
    </span>
  );
}

/** Each score's average as a definition list (cleanliness 4.8, …). */
function ScoreList({ summary }: { summary: RatingSummary }) {
  return (
    <dl class="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 sm:grid-cols-3">
      {summary.scores.map((s) => (
        <div key={s.score} class="flex justify-between gap-2 sm:block">
          <dt class="text-sm text-stone-700">
            {SCORE_NAMES[s.score as keyof typeof SCORE_NAMES]}
          </dt>
          <dd class="font-semibold">
            {s.average === null ? "None yet" : formatAverage(s.average)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** One review: who, when, the stars and scores, the text and the host's response. */
export function ReviewCard(
  { review: r, timeZone, heading = "h3", title, actions }: {
    review: Review;
    timeZone: string;
    heading?: "h2" | "h3";
    /** Defaults to the author's name. */
    title?: string;
    actions?: ComponentChildren;
  },
) {
  const H = heading;
  const scores = r.side === "renter" ? KITCHEN_SCORES : RENTER_SCORES;
  const when = r.publishedAt ?? r.createdAt;
  return (
    <article
      class="space-y-2 border-t border-stone-100 pt-4 first:border-t-0 first:pt-0"
      aria-labelledby={`review-${r.id}`}
      data-testid="review"
    >
      <H id={`review-${r.id}`} class="font-bold">
        {title ?? r.authorName}
      </H>
      <p class="text-sm text-stone-700">
        <Stars value={r.ratings.overall} />
        {" · "}
        <time dateTime={new Date(when).toISOString()}>
          {formatDateYear(localDateOf(when, timeZone))}
        </time>
        {r.status === "pending" && " · not published yet"}
      </p>
      <ul class="flex flex-wrap gap-x-4 gap-y-1 text-sm text-stone-700">
        {scores.filter((s) => s !== "overall").map((s) => (
          <li key={s}>
            {`${SCORE_NAMES[s]}: ${
              (r.ratings as Record<string, number>)[s]
            } of 5`}
          </li>
        ))}
      </ul>
      <p class="typed-text">{r.text}</p>
      {r.response && (
        <div class="rounded-lg bg-stone-100 p-3">
          <p class="text-sm font-semibold">Response from the host</p>
          <p class="mt-1 typed-text">{r.response.text}</p>
        </div>
      )}
      {actions && <p class="flex flex-wrap gap-4 text-sm">{actions}</p>}
    </article>
  );
}

/** The "Report" link under a review (signed-out people log in on the way). */
function ReportLink({ id }: { id: string }) {
  return (
    <a href={`/reviews/${id}/report`} class="text-stone-700 underline">
      Report this review
    </a>
  );
}

/** The kitchen page's reviews: the average, each score, the latest few and a link to all. */
export function KitchenReviewsSection({ view }: { view: KitchenReviewsView }) {
  const s = view.summary;
  const all = `/kitchens/${view.kitchenId}/reviews`;
  return (
    <section id="reviews" aria-labelledby="reviews-heading" class="scroll-mt-4">
      <h2 id="reviews-heading" class="text-xl font-bold">Reviews</h2>
      {s.count === 0
        ? (
          <p class="mt-2 text-stone-700">
            No reviews yet. Renters review a kitchen after their booking; the
            first ones appear here.
          </p>
        )
        : (
          <>
            <p class="mt-2 text-lg">
              <RatingLine average={s.average} count={s.count} />
            </p>
            <ScoreList summary={s} />
            <div class="mt-4 space-y-4">
              {view.latest.map((r) => (
                <ReviewCard
                  key={r.id}
                  review={r}
                  timeZone={view.timeZone}
                  actions={<ReportLink id={r.id} />}
                />
              ))}
            </div>
            {view.more && (
              <p class="mt-4">
                <a href={all} class={link}>
                  {`Read all ${plural(s.count, "review")}`}
                </a>
              </p>
            )}
          </>
        )}
    </section>
  );
}

/** `/kitchens/:id/reviews`: every published review of a kitchen, newest first, ten a page. */
export function KitchenReviewsPage(
  { kitchen, summary, page, first }: {
    kitchen: { id: string; title: string; timeZone: string };
    summary: RatingSummary;
    page: ReviewPage;
    first: boolean;
  },
) {
  const base = `/kitchens/${kitchen.id}/reviews`;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={`/kitchens/${kitchen.id}`} class={link}>
          {`Back to ${kitchen.title}`}
        </a>
      </p>
      <header>
        <h1 class="text-3xl font-extrabold">{`Reviews of ${kitchen.title}`}</h1>
        {summary.count > 0 && (
          <p class="mt-2 text-lg">
            <RatingLine average={summary.average} count={summary.count} />
          </p>
        )}
      </header>
      {summary.count > 0 && (
        <div class={card}>
          <h2 class="text-xl font-bold">Scores</h2>
          <ScoreList summary={summary} />
        </div>
      )}
      <div class={`${card} space-y-4`}>
        {page.reviews.length === 0
          ? <p>No reviews yet.</p>
          : page.reviews.map((r) => (
            <ReviewCard
              key={r.id}
              review={r}
              heading="h2"
              timeZone={kitchen.timeZone}
              actions={<ReportLink id={r.id} />}
            />
          ))}
      </div>
      <nav aria-label="Pages" class="flex justify-between">
        {first ? <span /> : <a href={base} class={link}>Newest reviews</a>}
        {page.cursor && (
          <a href={`${base}?before=${page.cursor}`} rel="next" class={link}>
            Older reviews →
          </a>
        )}
      </nav>
    </section>
  );
}

const REVIEW_NOTICES: Record<string, string> = {
  // The booking's reviews say what happens next (who has yet to write, until when).
  reviewed: "Thank you: your review is in.",
  published:
    "Thank you: your review is in, and both reviews are now published.",
  responded: "Your response is published under the review.",
};

/** The notice a booking's page shows after a review action, by `?notice=`. */
export function reviewNotice(notice: string): string | undefined {
  return REVIEW_NOTICES[notice];
}

/** The reviews part of a booking's page (the renter's, the host's, staff's). */
export function BookingReviews(
  { view, notice }: { view: BookingReviewsView; notice?: string },
) {
  if (!view.completed && !view.renter && !view.host) return null;
  const last = formatDate(lastReviewDate(view.closesAt, view.timeZone));
  const other = view.side === "renter"
    ? view.names.host
    : view.side === "host"
    ? view.names.renter
    : null;
  const mine = view.side ? view[view.side] : null;
  const theirs = view.side === "renter"
    ? view.host
    : view.side === "host"
    ? view.renter
    : null;
  const titleOf = (r: Review) =>
    r.side === "renter"
      ? `${r.authorName}'s review of ${view.names.kitchen}`
      : `${r.authorName}'s review of ${view.names.renter}`;
  const shown = view.side ? [mine, theirs] : [view.renter, view.host];
  return (
    <section
      id="reviews"
      aria-labelledby="booking-reviews-heading"
      class={`${card} scroll-mt-4 space-y-4`}
      data-testid="booking-reviews"
    >
      <h2 id="booking-reviews-heading" class="text-xl font-bold">Reviews</h2>
      {notice && <Notice>{notice}</Notice>}
      {view.side && view.refusal === null && (
        <div class="space-y-2">
          <p>
            {view.side === "renter"
              ? `How was ${view.names.kitchen}? Review it by ${last}.`
              : `How was ${view.names.renter} as a renter? Review them by ${last}.`}
          </p>
          <p class="text-sm text-stone-700">
            {`Reviews stay hidden until you and ${other} have both written one, or until the window closes; then they are published together and cannot be changed.`}
          </p>
          <p>
            <a href={`/bookings/${view.bookingId}/review`} class={button}>
              {view.side === "renter"
                ? `Review your booking at ${view.names.kitchen}`
                : `Review ${view.names.renter}`}
            </a>
          </p>
        </div>
      )}
      {view.removedOwn && (
        <p class="typed-text" data-testid="review-removed">
          {`Prep removed your review on ${
            formatDateYear(localDateOf(view.removedOwn.at, view.timeZone))
          }: ${view.removedOwn.reason}`}
        </p>
      )}
      {mine?.status === "pending" && (
        <p data-testid="review-waiting">
          {`Your review is in. It stays hidden until ${other} reviews too, or until the end of ${last}; then both are published.`}
        </p>
      )}
      {view.side && view.refusal === "window_closed" && !mine && (
        <p>{REFUSAL_TEXT.window_closed}</p>
      )}
      {shown.filter((r): r is Review => r !== null).map((r) => (
        <ReviewCard
          key={r.id}
          review={r}
          timeZone={view.timeZone}
          title={r === mine ? "Your review" : titleOf(r)}
          actions={
            <>
              {view.respondTo === r.id && (
                <a href={`/reviews/${r.id}/response`} class={link}>
                  Respond publicly
                </a>
              )}
              {r !== mine && r.status === "published" && (
                <ReportLink id={r.id} />
              )}
            </>
          }
        />
      ))}
      {view.side && mine?.status === "published" && !theirs && (
        <p class="text-sm text-stone-700">
          {`${other} did not write a review in time.`}
        </p>
      )}
    </section>
  );
}

/** A row of five choices for one score, as a fieldset; works without JavaScript. */
function RatingField(
  { name, label, form }: { name: string; label: string; form: FormState },
) {
  const error = form.errors[name];
  const id = `r-${name}`;
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend class="text-sm font-semibold">{label}</legend>
      <div class="mt-1 grid max-w-sm grid-cols-5 gap-2">
        {[1, 2, 3, 4, 5].map((n) => (
          <label
            key={n}
            class={error
              ? "flex cursor-pointer items-center justify-center gap-1.5 rounded-lg border-2 border-red-700 bg-red-50 px-1 py-2"
              : "flex cursor-pointer items-center justify-center gap-1.5 rounded-lg border border-stone-300 bg-white px-1 py-2"}
          >
            <input
              type="radio"
              name={name}
              value={String(n)}
              checked={form.values[name] === String(n)}
              required
              class="h-4 w-4 accent-emerald-700"
            />
            <span>
              {n}
              <span aria-hidden="true" class="text-amber-700">★</span>
              <span class="sr-only">{n === 1 ? " star" : " stars"}</span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p id={`${id}-error`} class="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** `/bookings/:id/review`: the review form for the viewer's side, or why it cannot be written. */
export function ReviewFormPage(
  { view, form }: { view: ReviewFormView; form: FormState },
) {
  const b = view.booking;
  const last = formatDate(lastReviewDate(view.closesAt, b.timeZone));
  const aboutKitchen = view.side === "renter";
  const title = aboutKitchen
    ? `Review your booking at ${view.kitchenTitle}`
    : `Review ${view.renterName}`;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={`/bookings/${b.id}`} class={link}>Back to the booking</a>
      </p>
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">{title}</h1>
        <p class="text-stone-700">
          {`${
            aboutKitchen ? "Your booking" : `${view.renterName}'s booking`
          } on ${formatTimeRange(b.timeZone, b.start, b.end)}${
            aboutKitchen ? "" : ` at ${view.kitchenTitle}`
          }`}
        </p>
      </header>
      {view.refusal
        ? (
          <div class={`${card} space-y-3`}>
            <p role="status">{REFUSAL_TEXT[view.refusal]}</p>
            <p>
              <a href={`/bookings/${b.id}`} class={link}>
                See the booking
              </a>
            </p>
          </div>
        )
        : (
          <form
            method="post"
            action={`/bookings/${b.id}/review`}
            class={`${card} space-y-5`}
          >
            <p class="text-stone-700">
              {view.otherWrote
                ? `Write it by ${last}. ${view.otherName} has sent theirs, so both are published as soon as you send yours; a review cannot be changed once sent.`
                : `Write it by ${last}. It stays hidden until ${view.otherName} has reviewed too, or until the end of ${last} if they have not; then both are published together. A review cannot be changed once sent.`}
            </p>
            <p class="text-sm text-stone-700">
              Rate each from 1 star (poor) to 5 stars (excellent).
            </p>
            <FormMessage form={form} />
            {(aboutKitchen ? KITCHEN_SCORES : RENTER_SCORES).map((s) => (
              <RatingField
                key={s}
                name={s}
                label={s === "overall"
                  ? aboutKitchen
                    ? "Overall, the kitchen"
                    : "Overall, as a renter"
                  : SCORE_NAMES[s]}
                form={form}
              />
            ))}
            <TextArea
              name="text"
              label="Your review"
              hint={aboutKitchen
                ? `What should other renters know? ${TEXT_MIN} to ${
                  TEXT_MAX.toLocaleString("en-US")
                } characters.`
                : `What should other hosts know about this renter? ${TEXT_MIN} to ${
                  TEXT_MAX.toLocaleString("en-US")
                } characters.`}
              rows={6}
              maxLength={TEXT_MAX}
              form={form}
            />
            <SubmitButton>Send review</SubmitButton>
          </form>
        )}
    </section>
  );
}

/** `/reviews/:id/response`: the host's one public response to a review of their kitchen. */
export function ResponsePage(
  { review: r, kitchenTitle, timeZone, form }: {
    review: Review;
    kitchenTitle: string;
    timeZone: string;
    form: FormState;
  },
) {
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={`/bookings/${r.bookingId}#reviews`} class={link}>
          Back to the booking
        </a>
      </p>
      <h1 class="text-3xl font-extrabold">
        {`Respond to ${r.authorName}'s review`}
      </h1>
      <div class={card}>
        <ReviewCard
          review={r}
          timeZone={timeZone}
          heading="h2"
          title={`${r.authorName}'s review of ${kitchenTitle}`}
        />
      </div>
      {(r.response || r.status !== "published") && <FormMessage form={form} />}
      {r.response
        ? (
          <p class={card}>
            You have responded to this review; a response cannot be changed.
          </p>
        )
        : r.status !== "published"
        ? <p class={card}>You can respond once the review is published.</p>
        : (
          <form
            method="post"
            action={`/reviews/${r.id}/response`}
            class={`${card} space-y-4`}
          >
            <FormMessage form={form} />
            <TextArea
              name="response"
              label="Your public response"
              hint={`Everyone who reads the review sees it. You can respond once, up to ${
                TEXT_MAX.toLocaleString("en-US")
              } characters.`}
              rows={5}
              maxLength={TEXT_MAX}
              form={form}
            />
            <SubmitButton>Publish response</SubmitButton>
          </form>
        )}
    </section>
  );
}

/** `/reviews/:id/report`: why a review should be looked at by Prep's staff. */
export function ReportPage(
  { review, kitchenTitle, timeZone, reported, own, backHref, form, sent }: {
    review: Review;
    kitchenTitle: string;
    timeZone: string;
    reported: boolean;
    own: boolean;
    backHref: string;
    form: FormState;
    sent: boolean;
  },
) {
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={backHref} class={link}>Back to the reviews</a>
      </p>
      <h1 class="text-3xl font-extrabold">Report a review</h1>
      {sent && (
        <Notice>
          Thank you. Prep's staff will read the review and remove it if it
          breaks the rules.
        </Notice>
      )}
      <div class={card}>
        <ReviewCard
          review={review}
          timeZone={timeZone}
          heading="h2"
          title={review.side === "renter"
            ? `${review.authorName}'s review of ${kitchenTitle}`
            : `${review.authorName}'s review of a renter`}
        />
      </div>
      {own
        ? <p class={card}>You wrote this review, so you cannot report it.</p>
        : reported
        ? (
          <p class={card}>
            You have reported this review. Prep's staff will look at it.
          </p>
        )
        : (
          <form
            method="post"
            action={`/reviews/${review.id}/report`}
            class={`${card} space-y-4`}
          >
            <FormMessage form={form} />
            <Select
              name="reason"
              label="What is wrong with it?"
              options={[
                ["", "Choose a reason"],
                ...Object.entries(REPORT_REASONS) as [string, string][],
              ]}
              form={form}
            />
            <TextArea
              name="details"
              label="Anything staff should know (optional)"
              hint={upToChars(REASON_MAX_CHARS)}
              rows={3}
              maxLength={REASON_MAX_CHARS}
              form={form}
            />
            <SubmitButton>Send report</SubmitButton>
          </form>
        )}
    </section>
  );
}

/** "Review your booking at …": reviews the viewer may still write, with the last day for each. */
export function ReviewsDue({ due }: { due: DueView[] }) {
  if (due.length === 0) return null;
  return (
    <section
      aria-labelledby="reviews-due-heading"
      class={`${card} space-y-3`}
      data-testid="reviews-due"
    >
      <h2 id="reviews-due-heading" class="text-xl font-bold">
        Reviews to write
      </h2>
      <ul class="space-y-3">
        {due.map((d) => (
          <li key={d.bookingId}>
            <a href={`/bookings/${d.bookingId}/review`} class={link}>
              {d.side === "renter"
                ? `Review your booking at ${d.kitchenTitle}`
                : `Review your renter at ${d.kitchenTitle}`}
            </a>
            <p class="text-sm text-stone-700">
              {`Booked for ${formatDate(d.localDate)}; write it by ${
                formatDate(lastReviewDate(d.closesAt, d.timeZone))
              }.`}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The host dashboard's ratings: each kitchen's, and the newest reviews with "Respond publicly". */
export function HostRatings({ view }: { view: HostReviewsView }) {
  return (
    <>
      <section
        aria-labelledby="host-reviews-heading"
        class={`${card} space-y-4`}
        data-testid="host-reviews"
      >
        <h2 id="host-reviews-heading" class="text-xl font-bold">
          Reviews of your kitchens
        </h2>
        {view.kitchens.length === 0
          ? <p>Reviews appear here once your kitchens are published.</p>
          : (
            <ul class="space-y-1">
              {view.kitchens.map((k) => (
                <li key={k.id}>
                  <a href={`/kitchens/${k.id}/reviews`} class={link}>
                    {k.title}
                  </a>
                  {": "}
                  {k.summary.count > 0
                    ? (
                      <RatingLine
                        average={k.summary.average}
                        count={k.summary.count}
                      />
                    )
                    : "no reviews yet"}
                </li>
              ))}
            </ul>
          )}
        {view.latest.length > 0 && (
          <div class="space-y-4 border-t border-stone-200 pt-4">
            <h3 class="font-bold">Newest reviews</h3>
            {view.latest.map((r) => (
              <ReviewCard
                key={r.id}
                review={r}
                timeZone={r.timeZone}
                heading="h3"
                title={`${r.authorName} on ${r.kitchenTitle}`}
                actions={!r.response && (
                  <a href={`/reviews/${r.id}/response`} class={link}>
                    Respond publicly
                  </a>
                )}
              />
            ))}
          </div>
        )}
      </section>
    </>
  );
}

/** The renter's rating from hosts, on the host's view of a request. */
export function RenterRating({ summary }: { summary: RatingSummary }) {
  if (summary.count === 0 || summary.average === null) {
    return <>No reviews from hosts yet.</>;
  }
  return (
    <span data-testid="renter-rating">
      <RatingLine average={summary.average} count={summary.count} />
      {" from hosts ("}
      {summary.scores.map((s) =>
        `${SCORE_NAMES[s.score as keyof typeof SCORE_NAMES].toLowerCase()} ${
          s.average === null ? "none yet" : formatAverage(s.average)
        }`
      ).join(", ")}
      {")"}
    </span>
  );
}
