/**
 * Every job type's name, in one place (DESIGN §6, §14). A domain adds a job
 * to its atomic by one of these names; the composition root (lib/app.ts)
 * maps each to its handler, and the type checker refuses a name without
 * one. This module imports nothing, so any domain may use it.
 */

/** Job type of "send this email"; its payload is an `OutgoingEmail`. */
export const EMAIL_JOB = "email.send";

/** Job type of a password reset request; its payload is `{ email }`. */
export const RESET_REQUEST_JOB = "account.reset_requested";

export const HOLD_EXPIRY_JOB = "booking.hold_expiry";

export const BOOKING_COMPLETE_JOB = "booking.complete";

export const BOOKING_REMINDER_JOB = "booking.reminder";

export const REQUEST_TIMEOUT_JOB = "booking.request_timeout";

/** Releases a card authorisation (declined or lapsed request); payments runs it. */
export const RELEASE_AUTHORISATION_JOB = "payment.release_authorisation";

export const REFUND_JOB = "booking.refund";

/**
 * Expires the Checkout a standing booking's date was left open on when the
 * date is cancelled unpaid, so it cannot be paid; payload `{ sessionId }`.
 */
export const CHECKOUT_EXPIRE_JOB = "payment.checkout_expire";

/** Checks a confirmed booking's documents a week ahead (lib/compliance/expiry.ts runs it). */
export const BOOKING_COMPLIANCE_CHECK_JOB = "booking.compliance_check";

export const CALENDAR_SYNC_JOB = "calendar.sync";

export const CALENDAR_CLEANUP_JOB = "calendar.import_cleanup";

export const DOCUMENT_REMINDER_JOB = "document.reminder";

export const DOCUMENT_EXPIRY_JOB = "document.expiry";

export const STAGED_CLEANUP_JOB = "compliance.staged-cleanup";

/**
 * Staff decided one of a renter's documents: their hours waiting for it are
 * judged again (lib/compliance/document_requests.ts); payload `{ renterId }`.
 */
export const DOCUMENTS_DECIDED_JOB = "compliance.documents_decided";

export const FILE_CLEANUP_JOB = "files.cleanup";

export const PAYMENT_EVENT_JOB = "payment.event";

// Standing bookings (lib/bookings/series.ts, lib/payments/occurrences.ts).
/** Brings a series' dates in line with its first date; payload `{ seriesId }`. */
export const SERIES_SETTLE_JOB = "series.settle";
/** Charges a later date off-session 3 days before it; payload `{ bookingId }`. */
export const OCCURRENCE_CHARGE_JOB = "series.occurrence_charge";
/** Releases a later date still unpaid 24 hours before it; payload `{ bookingId }`. */
export const OCCURRENCE_RELEASE_JOB = "series.occurrence_release";
/** Reminds the renter of a document lapsing before a date's charge; payload `{ bookingId }`. */
export const OCCURRENCE_DOCUMENTS_JOB = "series.occurrence_documents";

/**
 * An account was deleted: what domains above accounts keep for it goes too
 * (lib/app.ts wires each step: saved kitchens); payload `{ userId }`.
 */
export const ACCOUNT_DELETED_JOB = "account.deleted";

/**
 * A message may still be unread: its recipient is emailed, at most once
 * per thread an hour (lib/messages/emails.ts); payload `{ threadId, messageId }`.
 */
export const MESSAGE_UNREAD_JOB = "message.unread_email";

/**
 * A booking ended: its review window opens (lib/reviews/window.ts). Added
 * by the booking's completion; payload `{ bookingId }`.
 */
export const REVIEW_WINDOW_OPEN_JOB = "review.window_open";

/** Three days before a review window closes: a reminder to whoever has not written. */
export const REVIEW_REMINDER_JOB = "review.closing_reminder";

/** A review window's end: whatever was written is published. */
export const REVIEW_WINDOW_CLOSE_JOB = "review.window_close";

// Changing a booking's time (lib/bookings/moves.ts, lib/payments/reschedule.ts).
/** Charges a move's higher price to the saved card; payload `{ bookingId, moveId }`. */
export const MOVE_CHARGE_JOB = "booking.move_charge";
/** Releases a move's new time when its deadline passes unanswered or unpaid; payload `{ bookingId, moveId }`. */
export const MOVE_EXPIRY_JOB = "booking.move_expiry";

export type JobName =
  | typeof EMAIL_JOB
  | typeof RESET_REQUEST_JOB
  | typeof HOLD_EXPIRY_JOB
  | typeof BOOKING_COMPLETE_JOB
  | typeof BOOKING_REMINDER_JOB
  | typeof REQUEST_TIMEOUT_JOB
  | typeof RELEASE_AUTHORISATION_JOB
  | typeof REFUND_JOB
  | typeof CHECKOUT_EXPIRE_JOB
  | typeof BOOKING_COMPLIANCE_CHECK_JOB
  | typeof CALENDAR_SYNC_JOB
  | typeof CALENDAR_CLEANUP_JOB
  | typeof DOCUMENT_REMINDER_JOB
  | typeof DOCUMENT_EXPIRY_JOB
  | typeof STAGED_CLEANUP_JOB
  | typeof DOCUMENTS_DECIDED_JOB
  | typeof FILE_CLEANUP_JOB
  | typeof PAYMENT_EVENT_JOB
  | typeof SERIES_SETTLE_JOB
  | typeof OCCURRENCE_CHARGE_JOB
  | typeof OCCURRENCE_RELEASE_JOB
  | typeof OCCURRENCE_DOCUMENTS_JOB
  | typeof ACCOUNT_DELETED_JOB
  | typeof MESSAGE_UNREAD_JOB
  | typeof REVIEW_WINDOW_OPEN_JOB
  | typeof REVIEW_REMINDER_JOB
  | typeof REVIEW_WINDOW_CLOSE_JOB
  | typeof MOVE_CHARGE_JOB
  | typeof MOVE_EXPIRY_JOB;
