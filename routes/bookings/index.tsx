import { Hono } from "hono";
import { z } from "zod";
import {
  BookingPage,
  CancelBookingPage,
  ChooseHoursPage,
  DatePayPage,
  DemoCheckoutPage,
  ReviewPage,
  TripsPage,
} from "../../components/BookingPages.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { MoveSection } from "../../components/MovePages.tsx";
import { signNext } from "../../lib/accounts/next_link.ts";
import { decide } from "../../lib/accounts/roles.ts";
import { reviewBooking } from "../../lib/bookings/drafts.ts";
import { createHold } from "../../lib/bookings/holds.ts";
import { cancelBooking } from "../../lib/bookings/lifecycle.ts";
import {
  loadBookingCalendar,
  loadBookingPage,
  loadReceipt,
} from "../../lib/bookings/pages.ts";
import {
  loadReviewedBookingPage,
  loadReviewedTrips,
} from "../../lib/reviews/pages.ts";
import { reviewNotice } from "../../components/ReviewPages.tsx";
import { bookingReview } from "./review.tsx";
import { withdrawRequest } from "../../lib/bookings/requests.ts";
import {
  holdRequest,
  type HoursPick,
  reviewQuery,
  type ReviewRequest,
  unreadablePick,
} from "../../lib/bookings/schema.ts";
import { hoursBetween } from "../../lib/kitchens/schema.ts";
import { loadCityKitchenPage } from "../../lib/compliance/kitchen_page.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { resumeCheckout, takeToCheckout } from "../../lib/payments/checkout.ts";
import { payDemo } from "../../lib/payments/events.ts";
import {
  payDateCheckout,
  payDateDemo,
} from "../../lib/payments/occurrences.ts";
import { DEMO_CARDS } from "../../lib/payments/schema.ts";
import { ValidationError } from "../../lib/errors.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { series } from "./series.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { attachment, redirect, redirectOut } from "../headers.ts";
import { at } from "../../lib/app.ts";
import { bookingChange } from "./change.tsx";

export const bookings = new Hono<AppEnv>();

// Every booking page is about one signed-in person; log in and come back.
bookings.use(async (c, next) => {
  if (!c.var.user) {
    const back = new URL(c.req.url);
    // Signed, so it survives "Create an account" and the confirmation email.
    const signed = await signNext(
      c.var.services.kv,
      back.pathname + back.search,
      c.var.services.clock(),
    );
    return redirect(c, `/login?next=${encodeURIComponent(signed)}`);
  }
  await next();
});

// Standing bookings: /bookings/series/… (routes/bookings/series.tsx).
bookings.route("/series", series);
// Changing a booking's time: /bookings/:id/change… (change.tsx).
bookings.route("/", bookingChange);

/** What the booking page was sent back with, after an action on it. */
const NOTICES = [
  "paid",
  "cancelled",
  "withdrawn",
  "moved",
  "move_requested",
  "move_charging",
  "move_paid",
  "move_withdrawn",
] as const;
type BookingNotice = typeof NOTICES[number];
const noticeOf = (c: AppContext): BookingNotice | undefined =>
  NOTICES.find((n) => n === readNotice(c));

/** The review page after coming back to it (the confirmation link, an upload). */
const REVIEW_NOTICES: Record<string, string> = {
  verified: "Your email address is confirmed. Here is the booking you chose.",
  uploaded:
    "Your documents are uploaded. Prep checks them, usually within a working day.",
};

bookings.get("/", async (c) => {
  const trips = await loadReviewedTrips(
    c.var.services.kv,
    c.var.user!.id,
    c.var.services.clock(),
  );
  return page(
    c,
    { title: "Your bookings" },
    <TripsPage {...trips} now={c.var.services.clock()} />,
  );
});

/**
 * The review of `req`; when its hours cannot be booked, the kitchen's
 * booking form again with the reason, at the start that was picked.
 */
async function renderReview(
  c: AppContext,
  req: ReviewRequest,
  form = emptyForm,
  status: 200 | FormStatus = 200,
) {
  let preview;
  try {
    preview = await reviewBooking(
      at(c.var.services),
      req,
      c.var.user?.id ?? null,
    );
  } catch (err) {
    const refused = formFailure(emptyForm, err);
    const hours = req.hours ?? hoursBetween(req.start, req.end);
    return await renderHoursForm(
      c,
      { kitchen: req.kitchen, date: req.date, start: req.start, hours },
      refused.form,
      refused.status,
    );
  }
  // Say up front why an unconfirmed account cannot book, not after the post.
  const may = decide(c.var.user, "book");
  const shown = !may.ok && !form.message
    ? { ...form, message: may.reason }
    : form;
  return page(
    c,
    { title: "Review your booking" },
    <ReviewPage
      {...preview}
      request={req}
      form={shown}
      signedIn={c.var.user !== null}
      notice={status === 200 ? REVIEW_NOTICES[readNotice(c)] : undefined}
    />,
    status,
  );
}

async function renderHoursForm(
  c: AppContext,
  pick: HoursPick,
  form: FormState,
  status: FormStatus,
) {
  const data = await loadCityKitchenPage(
    c.var.services.kv,
    pick.kitchen,
    pick.date,
    c.var.services.clock(),
  );
  return page(
    c,
    { title: "Pick other hours" },
    <ChooseHoursPage data={data} pick={pick} form={form} />,
    status,
  );
}

/** Hours that cannot be read: the kitchen's hours form again, naming what to fix. */
async function renderUnreadable(c: AppContext, form: FormState) {
  const { pick, message } = unreadablePick(form.values, form.errors);
  return await renderHoursForm(c, pick, { ...form, message }, 400);
}

bookings.get("/new", async (c) => {
  const read = readQuery(c, reviewQuery);
  if (!read.ok) return await renderUnreadable(c, read.form);
  return await renderReview(c, read.data);
});

/**
 * The booking form in two parts with two answers: hours that cannot be read
 * go back to the kitchen's hours form; what the renter agreed to, when
 * something is missing, goes back to the review of those hours.
 */
const pickedHours = holdRequest.omit({ acknowledge: true, message: true });
const agreement = z.object({
  acknowledge: holdRequest.shape.acknowledge,
  message: holdRequest.shape.message,
  acceptRules: z.literal("yes", "Accept the house rules to book"),
  /** "documents": "Request these hours" while documents are in review. */
  intent: z.enum(["", "book", "documents"], "Choose how to book"),
});

bookings.post("/", async (c) => {
  const hours = await readForm(c, pickedHours);
  if (!hours.ok) return await renderUnreadable(c, hours.form);
  const agreed = await readForm(c, agreement);
  if (!agreed.ok) return await renderReview(c, hours.data, agreed.form, 400);
  try {
    const services = at(c.var.services);
    const held = await createHold(services, c.var.user!, {
      ...hours.data,
      acknowledge: agreed.data.acknowledge,
      awaitDocuments: agreed.data.intent === "documents",
      message: agreed.data.message,
    });
    const { url, external } = await takeToCheckout(
      services,
      held,
      c.var.user!,
    );
    return external
      ? redirectOut(c, url, c.var.services.paymentOrigins)
      : redirect(c, url);
  } catch (err) {
    const failed = formFailure(agreed.form, err);
    return await renderReview(c, hours.data, failed.form, failed.status);
  }
});

bookings.get(`/:id{${ID_PATTERN}}`, async (c) => {
  const now = c.var.services.clock();
  const view = await loadReviewedBookingPage(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    now,
  );
  const notice = noticeOf(c);
  const confirming = view.booking.status === "held" && notice === "paid";
  // A payment or a charge of a change of time is being confirmed: look again soon.
  const settling = view.booking.move?.status === "charging" ||
    (notice === "move_paid" &&
      view.booking.move?.status === "awaiting_payment");
  if (confirming || settling) c.header("Refresh", "2");
  return page(
    c,
    { title: view.kitchen.title },
    <BookingPage
      {...view}
      notice={notice}
      reviewNotice={reviewNotice(readNotice(c))}
      confirming={confirming}
      now={now}
      tiles={c.var.services.mapTiles}
    >
      <MoveSection view={view} notice={notice} now={now} />
    </BookingPage>,
  );
});

/** The cancel button's page without JavaScript: what cancelling refunds, and a last "Yes". */
bookings.get(`/:id{${ID_PATTERN}}/cancel`, async (c) => {
  const id = c.req.param("id");
  const view = await loadBookingPage(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.clock(),
  );
  // Nothing to cancel (any more): the booking's page says what it is.
  if (!view.cancel) return redirect(c, `/bookings/${id}`);
  return page(
    c,
    { title: "Cancel this booking?" },
    <CancelBookingPage {...view} cancel={view.cancel} />,
  );
});

bookings.get(`/:id{${ID_PATTERN}}/receipt.pdf`, async (c) => {
  const { pdf, filename } = await loadReceipt(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    c.var.services.clock(),
  );
  return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": "application/pdf",
    "Content-Disposition": attachment(filename),
    "Cache-Control": "private, no-store",
  });
});

bookings.get(`/:id{${ID_PATTERN}}/calendar.ics`, async (c) => {
  const { ics, filename } = await loadBookingCalendar(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    at(c.var.services),
  );
  return c.body(ics, 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": attachment(filename),
    "Cache-Control": "private, no-store",
  });
});

bookings.get(`/:id{${ID_PATTERN}}/pay`, async (c) => {
  const next = await resumeCheckout(
    at(c.var.services),
    c.req.param("id"),
    c.var.user!,
  );
  if (next.kind === "redirect") {
    return next.external
      ? redirectOut(c, next.url, c.var.services.paymentOrigins)
      : redirect(c, next.url);
  }
  return page(
    c,
    { title: "Pay for your booking" },
    <DemoCheckoutPage
      booking={next.booking}
      kitchen={next.kitchen}
      now={c.var.services.clock()}
    />,
  );
});

/** The demo checkout's card: how later charges of it go (lib/payments/off_session.ts). */
const demoPayment = z.object({
  card: z.union([z.literal(""), z.enum(DEMO_CARDS)], "Pick a demo card")
    .transform((c) => c || "works"),
});

bookings.post(`/:id{${ID_PATTERN}}/pay`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, demoPayment);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, "Pick one of the demo cards.");
  }
  await payDemo(at(c.var.services), id, c.var.user!.id, read.data.card);
  return redirect(c, `/bookings/${id}?notice=paid`);
});

bookings.post(`/:id{${ID_PATTERN}}/cancel`, async (c) => {
  const id = c.req.param("id");
  await cancelBooking(at(c.var.services), id, c.var.user!, {
    through: ["renter", "host"],
    reason: null,
  });
  return redirect(c, `/bookings/${id}?notice=cancelled`);
});

bookings.post(`/:id{${ID_PATTERN}}/withdraw`, async (c) => {
  const id = c.req.param("id");
  await withdrawRequest(at(c.var.services), id, c.var.user!);
  return redirect(c, `/bookings/${id}?notice=withdrawn`);
});

// A standing booking's date whose off-session charge failed: paid by the
// renter on Checkout, or on the demo checkout (lib/payments/occurrences.ts).
bookings.get(`/:id{${ID_PATTERN}}/pay-date`, async (c) => {
  const next = await payDateCheckout(
    at(c.var.services),
    c.req.param("id"),
    c.var.user!,
  );
  if (next.kind === "redirect") {
    return next.external
      ? redirectOut(c, next.url, c.var.services.paymentOrigins)
      : redirect(c, next.url);
  }
  return page(
    c,
    { title: "Pay for this date" },
    <DatePayPage booking={next.booking} kitchen={next.kitchen} />,
  );
});

bookings.post(`/:id{${ID_PATTERN}}/pay-date`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, demoPayment);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, "Pick one of the demo cards.");
  }
  await payDateDemo(at(c.var.services), id, c.var.user!.id, read.data.card);
  return redirect(c, `/bookings/${id}?notice=paid`);
});
// Reviews after the stay (lib/reviews): /bookings/:id/review.
bookings.route("/", bookingReview);
