import { z } from "zod";
import { accountDepsFrom, sendPasswordReset } from "../accounts/users.ts";
import type { Config } from "../config.ts";
import { emailJobHandler } from "../email/job.ts";
import { transportFor } from "../email/transport.ts";
import { defineJob, type JobHandlers } from "./runner.ts";
import {
  completeBooking,
  expireHold,
  sendReminder,
} from "../bookings/lifecycle.ts";
import { type PaymentDeps, processPaymentEvent } from "../payments/events.ts";
import { recordRefund } from "../payments/refunds.ts";
import { stripeFromConfig } from "../payments/stripe.ts";
import { releaseAuthorisation } from "../payments/requests.ts";
import { expireRequest } from "../bookings/requests.ts";
import { cleanupImportFeed, syncImportFeed } from "../calendar_sync/feeds.ts";
import { sweepOrphanedUploads } from "../files/store.ts";
import { stagedCleanupHandler } from "../compliance/staged.ts";
import {
  checkBookingCompliance,
  documentExpiryPayload,
  documentReminderPayload,
  expireDocument,
  sendDocumentReminder,
} from "../compliance/expiry.ts";
import {
  BOOKING_COMPLETE_JOB,
  BOOKING_COMPLIANCE_CHECK_JOB,
  BOOKING_REMINDER_JOB,
  CALENDAR_CLEANUP_JOB,
  CALENDAR_SYNC_JOB,
  DOCUMENT_EXPIRY_JOB,
  DOCUMENT_REMINDER_JOB,
  EMAIL_JOB,
  FILE_CLEANUP_JOB,
  HOLD_EXPIRY_JOB,
  PAYMENT_EVENT_JOB,
  REFUND_JOB,
  RELEASE_AUTHORISATION_JOB,
  REQUEST_TIMEOUT_JOB,
  RESET_REQUEST_JOB,
  STAGED_CLEANUP_JOB,
} from "../job_names.ts";

const bookingJob = z.object({ bookingId: z.string().min(1).max(64) });

/** Every job type the app runs, wired to its dependencies. */
export function jobHandlers(
  config: Pick<
    Config,
    | "RESEND_API_KEY"
    | "RESEND_API_URL"
    | "EMAIL_FROM"
    | "BASE_URL"
    | "KV_QUEUES"
    | "ADMIN_EMAILS"
    | "DEV_FEATURES"
    | "STRIPE_SECRET_KEY"
    | "STRIPE_API_BASE"
    | "CALENDAR_FETCH_ALLOW_LOOPBACK"
  >,
  kv: Deno.Kv,
  now: () => number = Date.now,
): JobHandlers {
  return {
    [EMAIL_JOB]: emailJobHandler(transportFor(config, kv)),
    [RESET_REQUEST_JOB]: defineJob({
      schema: z.object({ email: z.email() }),
      run: ({ email }, ctx) =>
        sendPasswordReset(accountDepsFrom(config, kv, now()), email, ctx.jobId),
    }),
    [HOLD_EXPIRY_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await expireHold(lifecycle(), bookingId);
      },
    }),
    [BOOKING_COMPLETE_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await completeBooking(lifecycle(), bookingId);
      },
    }),
    [BOOKING_REMINDER_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }, ctx) =>
        sendReminder(lifecycle(), bookingId, ctx.jobId),
    }),
    [PAYMENT_EVENT_JOB]: defineJob({
      schema: z.object({ eventId: z.string().min(1).max(255) }),
      run: ({ eventId }) => processPaymentEvent(lifecycle(), eventId),
    }),
    [REFUND_JOB]: defineJob({
      schema: z.object({
        bookingId: z.string().min(1).max(64),
        n: z.number().int().min(0),
        amountCents: z.number().int().min(0),
        hostReversalCents: z.number().int().min(0),
        commissionRefundCents: z.number().int().min(0),
      }),
      run: (payload, ctx) => recordRefund(lifecycle(), payload, ctx.jobId),
    }),
    [REQUEST_TIMEOUT_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await expireRequest(lifecycle(), bookingId, undefined, {
          onlyIfDue: true,
        });
      },
    }),
    [RELEASE_AUTHORISATION_JOB]: defineJob({
      schema: bookingJob,
      run: ({ bookingId }) => releaseAuthorisation(lifecycle(), bookingId),
    }),
    [CALENDAR_SYNC_JOB]: defineJob({
      schema: z.object({
        kitchenId: z.string().min(1).max(64),
        slot: z.number().int().min(0).max(4),
        feedId: z.string().min(1).max(64),
      }),
      run: (payload, ctx) =>
        syncImportFeed(
          {
            kv,
            now: now(),
            wake: config.KV_QUEUES,
            fetch: { allowLoopback: config.CALENDAR_FETCH_ALLOW_LOOPBACK },
          },
          payload,
          ctx.jobId,
        ),
    }),
    [CALENDAR_CLEANUP_JOB]: defineJob({
      schema: z.object({
        kitchenId: z.string().min(1).max(64),
        feedId: z.string().min(1).max(64),
      }),
      run: ({ kitchenId, feedId }) =>
        cleanupImportFeed({ kv, now: now() }, kitchenId, feedId),
    }),
    [DOCUMENT_REMINDER_JOB]: defineJob({
      schema: documentReminderPayload,
      run: async (payload) => {
        await sendDocumentReminder(lifecycle(), payload);
      },
    }),
    [DOCUMENT_EXPIRY_JOB]: defineJob({
      schema: documentExpiryPayload,
      run: async (payload) => {
        await expireDocument(lifecycle(), payload);
      },
    }),
    [BOOKING_COMPLIANCE_CHECK_JOB]: defineJob({
      schema: bookingJob,
      run: async ({ bookingId }) => {
        await checkBookingCompliance(lifecycle(), bookingId);
      },
    }),
    [STAGED_CLEANUP_JOB]: stagedCleanupHandler(kv, now),
    [FILE_CLEANUP_JOB]: defineJob({
      schema: z.object({}),
      run: async () => {
        await sweepOrphanedUploads(kv, now());
      },
    }),
  };

  function lifecycle(): PaymentDeps {
    return {
      kv,
      now: now(),
      stripe: stripeFromConfig(config),
      mail: {
        from: config.EMAIL_FROM,
        baseUrl: config.BASE_URL,
        wake: config.KV_QUEUES,
      },
    };
  }
}
