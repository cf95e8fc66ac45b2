/**
 * The composition root (DESIGN §14): start reading here. `createServices`
 * turns the parsed configuration into the one `Services` value the whole
 * app shares — KV, the clock, mail settings, the Stripe client or demo
 * payments, fees, the city's booking policy and the table of background
 * jobs. Routes read it as `c.var.services`; the job workers get the same
 * value. Nothing else builds settings from the configuration.
 *
 * Lib functions take the slice of it they need, at one instant: `at(s)`
 * adds `now`, and every domain's deps interface is a subset of that.
 *
 * This module may import every domain (it wires them); no domain imports
 * it. Job names live one level down, in lib/job_names.ts, so a domain can
 * add a job without knowing who runs it.
 */
import type Stripe from "stripe";
import { z } from "zod";
import { sendPasswordReset } from "./accounts/password_reset.ts";
import type { BookingPolicy, Fees } from "./bookings/holds.ts";
import {
  completeBooking,
  expireHold,
  sendReminder,
} from "./bookings/lifecycle.ts";
import { expireRequest } from "./bookings/requests.ts";
import { cleanupImportFeed, syncImportFeed } from "./calendar_sync/feeds.ts";
import type { FetchOptions } from "./calendar_sync/fetch.ts";
import { compliancePolicy } from "./compliance/booking_policy.ts";
import {
  checkBookingCompliance,
  expireDocument,
  sendDocumentReminder,
} from "./compliance/expiry.ts";
import {
  documentExpiryPayload,
  documentReminderPayload,
} from "./compliance/expiry_plan.ts";
import { settleDocumentRequests } from "./compliance/document_requests.ts";
import { stagedCleanupHandler } from "./compliance/staged.ts";
import type { Config } from "./config.ts";
import { emailJobHandler, type MailSettings } from "./email/job.ts";
import { type MailTransport, transportFor } from "./email/transport.ts";
import { sweepOrphanedUploads } from "./files/store.ts";
import {
  ACCOUNT_DELETED_JOB,
  BOOKING_COMPLETE_JOB,
  BOOKING_COMPLIANCE_CHECK_JOB,
  BOOKING_REMINDER_JOB,
  CALENDAR_CLEANUP_JOB,
  CALENDAR_SYNC_JOB,
  CHECKOUT_EXPIRE_JOB,
  DOCUMENT_EXPIRY_JOB,
  DOCUMENT_REMINDER_JOB,
  DOCUMENTS_DECIDED_JOB,
  EMAIL_JOB,
  FILE_CLEANUP_JOB,
  HOLD_EXPIRY_JOB,
  type JobName,
  MESSAGE_UNREAD_JOB,
  PAYMENT_EVENT_JOB,
  REFUND_JOB,
  RELEASE_AUTHORISATION_JOB,
  REQUEST_TIMEOUT_JOB,
  RESET_REQUEST_JOB,
  REVIEW_REMINDER_JOB,
  REVIEW_WINDOW_CLOSE_JOB,
  REVIEW_WINDOW_OPEN_JOB,
  STAGED_CLEANUP_JOB,
} from "./job_names.ts";
import {
  OCCURRENCE_CHARGE_JOB,
  OCCURRENCE_DOCUMENTS_JOB,
  OCCURRENCE_RELEASE_JOB,
  SERIES_SETTLE_JOB,
} from "./job_names.ts";
import { settleSeries } from "./bookings/series.ts";
import {
  releaseUnpaidDate,
  remindDateDocuments,
} from "./bookings/series_dates.ts";
import {
  chargeDate,
  expireDateCheckout,
  OCCURRENCE_PURPOSE,
  settleDatePayment,
} from "./payments/occurrences.ts";
import { MOVE_CHARGE_JOB, MOVE_EXPIRY_JOB } from "./job_names.ts";
import { expireMove } from "./bookings/move_settle.ts";
import {
  chargeMove,
  MOVE_PURPOSE,
  settleMovePayment,
} from "./payments/reschedule.ts";
import { defineJob, type JobHandlers } from "./jobs/runner.ts";
import { sendUnreadEmail } from "./messages/emails.ts";
import { DEFAULT_LIVE_SETTINGS, LiveStreams } from "./messages/live.ts";
import { removePaymentCustomer } from "./payments/customers.ts";
import { processPaymentEvent } from "./payments/events.ts";
import type { OffSessionHandlers } from "./payments/off_session.ts";
import { recordRefund } from "./payments/refunds.ts";
import { releaseAuthorisation } from "./payments/requests.ts";
import { paymentOrigins, stripeFromConfig } from "./payments/stripe.ts";
import type { SupportSettings } from "./support/contact.ts";
import type { MapTiles } from "./place/tiles.ts";
import { removeSavedList } from "./saved/repo.ts";
import {
  closeReviewWindow,
  openReviewWindow,
  remindToReview,
} from "./reviews/window.ts";
import { userIndexMigration } from "./accounts/user_index.ts";
import { accountTtls } from "./accounts/ttls.ts";
import {
  bookingFiguresMigration,
  bookingReferencesMigration,
} from "./bookings/repo.ts";
import { documentFiguresMigration } from "./compliance/repo.ts";
import type { DerivedCounters, TtlRule } from "./db/backup.ts";
import { MIGRATION_NAMES, type MigrationName } from "./db/migrations/names.ts";
import type { Migration, MigrationStep } from "./db/migrations/runner.ts";
import { deadLetterFiguresMigration, jobTtls } from "./jobs/outbox.ts";
import {
  kitchenCellsMigration,
  kitchenCountsDerived,
  kitchenIndexMigration,
} from "./kitchens/repo.ts";
import { metricPrefixes } from "./metrics/repo.ts";
import { unreadCountsDerived } from "./notifications/repo.ts";
import { paymentTtls } from "./payments/repo.ts";

/** A handler for every job name: a name without one does not compile. */
export type JobTable = { [K in JobName]: JobHandlers[string] };

export interface Services {
  kv: Deno.Kv;
  config: Config;
  /** Epoch ms now: the real clock, or a test's. */
  clock: () => number;
  mail: MailSettings;
  /** Resend, or the development mailbox in KV. */
  transport: MailTransport;
  /** Whether jobs written get a KV-queue wake-up (not on Deno Deploy). */
  wake: boolean;
  /** How renters pay: Stripe, the local demo checkout, or not at all. */
  payments: Config["PAYMENTS"];
  /** One client for the configured key; null without one. */
  stripe: Stripe | null;
  fees: Fees;
  /** The city's rules, applied inside every hold (lib/compliance). */
  policy: BookingPolicy;
  adminEmails: readonly string[];
  /** Who hears of contact-form messages, and the address the site gives out. */
  support: SupportSettings;
  /** Development conveniences: the dev mailbox, demo accounts and payments. */
  devFeatures: boolean;
  calendarFetch: FetchOptions;
  /** The site's public origin (BASE_URL), for links that leave the site. */
  baseUrl: string;
  /** Where payment pages may send a browser: Stripe's, or a test server's. */
  paymentOrigins: string[];
  /** Every job type's handler, for the workers (lib/jobs/runner.ts). */
  jobs: JobTable;
  /** Where maps get their tiles, and whose they are (MAP_TILE_URL). */
  mapTiles: MapTiles;
  /** This instance's open live message streams and their caps (lib/messages/live.ts). */
  live: LiveStreams;
  /**
   * Who settles a payment made for a purpose beyond a booking's first
   * Checkout (off-session charges and their fallback Checkouts), by the
   * `purpose` in its metadata (lib/payments/off_session.ts).
   */
  offSession: OffSessionHandlers;
}

/** The services at one instant: what lib functions take as their deps. */
export type ServicesNow = Services & { now: number };

export function at(s: Services): ServicesNow {
  return { ...s, now: s.clock() };
}

/** Builds the app's services once, at start (and once per test app). */
export function createServices(
  config: Config,
  kv: Deno.Kv,
  clock: () => number = Date.now,
): Services {
  const s: Services = {
    kv,
    config,
    clock,
    mail: {
      from: config.EMAIL_FROM,
      baseUrl: config.BASE_URL,
      wake: config.KV_QUEUES,
    },
    transport: transportFor(config, kv),
    wake: config.KV_QUEUES,
    payments: config.PAYMENTS,
    stripe: stripeFromConfig(config),
    fees: {
      renterFeeBps: config.RENTER_FEE_BPS,
      platformFeeBps: config.PLATFORM_FEE_BPS,
    },
    policy: compliancePolicy,
    adminEmails: config.ADMIN_EMAILS,
    support: {
      email: config.SUPPORT_EMAIL ?? null,
      inbox: config.SUPPORT_EMAIL
        ? [config.SUPPORT_EMAIL]
        : config.ADMIN_EMAILS,
    },
    devFeatures: config.DEV_FEATURES,
    calendarFetch: { allowLoopback: config.CALENDAR_FETCH_ALLOW_LOOPBACK },
    baseUrl: config.BASE_URL,
    paymentOrigins: paymentOrigins(config.STRIPE_API_BASE),
    jobs: {} as Services["jobs"],
    mapTiles: {
      url: config.MAP_TILE_URL,
      attribution: config.MAP_TILE_ATTRIBUTION,
      attributionUrl: config.MAP_TILE_ATTRIBUTION_URL,
    },
    live: new LiveStreams({
      ...DEFAULT_LIVE_SETTINGS,
      maxStreams: config.LIVE_STREAMS_MAX,
    }),
    offSession: {},
  };
  s.jobs = jobTable(s);
  s.offSession = offSessionHandlers(s);
  return s;
}

const bookingJob = z.object({ bookingId: z.string().min(1).max(64) });

/** Off-session payments' settlers by purpose: each domain that charges later adds its own. */
function offSessionHandlers(s: Services): OffSessionHandlers {
  return {
    [MOVE_PURPOSE]: (_deps, event) => settleMovePayment(at(s), event),
    // Standing bookings: a series' later dates (payments/occurrences.ts).
    [OCCURRENCE_PURPOSE]: (_deps, event) => settleDatePayment(at(s), event),
  };
}

const moveJob = z.object({
  bookingId: z.string().min(1).max(64),
  moveId: z.string().min(1).max(64),
});

/**
 * The table of job names → handlers. Each handler reads the clock when it
 * runs, so a job due later sees the time it runs at.
 */
function jobTable(s: Services): JobTable {
  return {
    [EMAIL_JOB]: emailJobHandler(s.transport),
    [RESET_REQUEST_JOB]: defineJob({
      schema: z.object({ email: z.email() }),
      run: ({ email }, ctx) => sendPasswordReset(at(s), email, ctx.jobId),
    }),
    [HOLD_EXPIRY_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await expireHold(at(s), bookingId);
      },
    }),
    [BOOKING_COMPLETE_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await completeBooking(at(s), bookingId);
      },
    }),
    [BOOKING_REMINDER_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => sendReminder(at(s), bookingId),
    }),
    [PAYMENT_EVENT_JOB]: defineJob({
      schema: z.object({ eventId: z.string().min(1).max(255) }),
      run: ({ eventId }) => processPaymentEvent(at(s), eventId),
    }),
    [REFUND_JOB]: defineJob({
      schema: z.object({
        bookingId: z.string().min(1).max(64),
        n: z.number().int().min(0),
        amountCents: z.number().int().min(0),
        hostReversalCents: z.number().int().min(0),
        commissionRefundCents: z.number().int().min(0),
        parts: z.array(z.object({
          paymentIntentId: z.string().min(1).max(255),
          amountCents: z.number().int().min(1),
        })).min(1).max(10).optional(),
      }),
      run: (payload, ctx) => recordRefund(at(s), payload, ctx.jobId),
    }),
    [CHECKOUT_EXPIRE_JOB]: defineJob({
      schema: z.object({ sessionId: z.string().min(1).max(255) }),
      run: ({ sessionId }) => expireDateCheckout(at(s), sessionId),
    }),
    [REQUEST_TIMEOUT_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await expireRequest(at(s), bookingId, undefined, { onlyIfDue: true });
      },
    }),
    [RELEASE_AUTHORISATION_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => releaseAuthorisation(at(s), bookingId),
    }),
    [CALENDAR_SYNC_JOB]: defineJob({
      schema: z.object({
        kitchenId: z.string().min(1).max(64),
        slot: z.number().int().min(0).max(4),
        feedId: z.string().min(1).max(64),
      }),
      run: (payload, ctx) => syncImportFeed(at(s), payload, ctx.jobId),
    }),
    [CALENDAR_CLEANUP_JOB]: defineJob({
      schema: z.object({
        kitchenId: z.string().min(1).max(64),
        feedId: z.string().min(1).max(64),
      }),
      run: ({ kitchenId, feedId }) =>
        cleanupImportFeed(at(s), kitchenId, feedId),
    }),
    [DOCUMENT_REMINDER_JOB]: defineJob({
      schema: documentReminderPayload,
      run: async (payload) => {
        await sendDocumentReminder(at(s), payload);
      },
    }),
    [DOCUMENT_EXPIRY_JOB]: defineJob({
      schema: documentExpiryPayload,
      run: async (payload) => {
        await expireDocument(at(s), payload);
      },
    }),
    [BOOKING_COMPLIANCE_CHECK_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await checkBookingCompliance(at(s), bookingId);
      },
    }),
    [DOCUMENTS_DECIDED_JOB]: defineJob({
      schema: z.object({ renterId: z.string().min(1).max(64) }),
      run: async ({ renterId }) => {
        await settleDocumentRequests(at(s), renterId);
      },
    }),
    [STAGED_CLEANUP_JOB]: stagedCleanupHandler(s.kv, s.clock),
    [FILE_CLEANUP_JOB]: defineJob({
      schema: z.object({}),
      run: async () => {
        await sweepOrphanedUploads(s.kv, s.clock());
      },
    }),
    // Standing bookings (lib/bookings/series.ts, lib/payments/occurrences.ts).
    [SERIES_SETTLE_JOB]: defineJob({
      schema: z.object({ seriesId: z.string().min(1).max(64) }),
      run: async ({ seriesId }) => {
        await settleSeries(at(s), seriesId);
      },
    }),
    [OCCURRENCE_CHARGE_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }, ctx) => chargeDate(at(s), bookingId, ctx.jobId),
    }),
    [OCCURRENCE_RELEASE_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => releaseUnpaidDate(at(s), bookingId),
    }),
    [OCCURRENCE_DOCUMENTS_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }, ctx) =>
        remindDateDocuments(at(s), bookingId, ctx.jobId),
    }),
    [ACCOUNT_DELETED_JOB]: defineJob({
      schema: z.object({ userId: z.string().min(1).max(64) }),
      run: async ({ userId }) => {
        await removeSavedList(s.kv, userId);
        await removePaymentCustomer(s, userId);
      },
    }),
    // owner: lib/messages
    [MESSAGE_UNREAD_JOB]: defineJob({
      schema: z.object({
        threadId: z.string().min(1).max(64),
        messageId: z.string().min(1).max(64),
      }),
      run: async (payload) => {
        await sendUnreadEmail(at(s), payload);
      },
    }),
    // Reviews (lib/reviews/window.ts): the window opens, reminds, closes.
    [REVIEW_WINDOW_OPEN_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => openReviewWindow(at(s), bookingId),
    }),
    [REVIEW_REMINDER_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }, ctx) => remindToReview(at(s), bookingId, ctx.jobId),
    }),
    [REVIEW_WINDOW_CLOSE_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => closeReviewWindow(at(s), bookingId),
    }),
    // Changing a booking's time (issue 19 §7).
    [MOVE_CHARGE_JOB]: defineJob({
      schema: moveJob,
      run: ({ bookingId, moveId }) => chargeMove(at(s), bookingId, moveId),
    }),
    [MOVE_EXPIRY_JOB]: defineJob({
      schema: moveJob,
      run: ({ bookingId, moveId }) => expireMove(at(s), bookingId, moveId),
    }),
  };
}

// ---------------------------------------------------------------------------
// Schema migrations and backups (lib/db/migrations/, lib/db/backup.ts)

/**
 * The migrations in order, each defined by the domain whose entries it
 * changes; a name in lib/db/migrations/names.ts without an entry here does
 * not compile.
 */
export function migrationList(): Migration[] {
  const steps: { [K in MigrationName]: MigrationStep<never> } = {
    bookings_by_reference: bookingReferencesMigration,
    users_by_term: userIndexMigration,
    kitchens_by_term: kitchenIndexMigration,
    booking_figures: bookingFiguresMigration,
    document_figures: documentFiguresMigration,
    dead_letter_figures: deadLetterFiguresMigration,
    kitchens_by_cell: kitchenCellsMigration,
  };
  return MIGRATION_NAMES.map((name, i) => ({
    ...(steps[name] as MigrationStep<unknown>),
    version: i + 1,
    name,
  }));
}

/** What an import rebuilds rather than restores, and how long TTL'd entries live. */
export function backupRules(): {
  derived: DerivedCounters[];
  ttls: TtlRule[];
} {
  const figures = [
    bookingFiguresMigration,
    documentFiguresMigration,
    deadLetterFiguresMigration,
  ] as MigrationStep<unknown>[];
  return {
    derived: [
      {
        name: "figures",
        prefixes: metricPrefixes(),
        sources: figures.map((m) => ({ prefix: m.prefix, add: m.migrate })),
      },
      kitchenCountsDerived,
      unreadCountsDerived,
    ],
    ttls: [...accountTtls, ...paymentTtls, ...jobTtls],
  };
}
