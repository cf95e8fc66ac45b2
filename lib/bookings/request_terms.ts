/**
 * What request-to-book means for the renter, in the words every step uses
 * (the kitchen page, the picker, the review page, the pay button), so the
 * card is never authorised on a promise the next page words differently.
 * Imports nothing: the picker island ships it.
 */

/** How long a host has to answer a request (or until the start, if sooner). */
export const REQUEST_ANSWER_HOURS = 24;

export const REQUEST_TO_BOOK_TITLE = "Request to book";

export const REQUEST_TO_BOOK_TERMS =
  `Request to book: the host has ${REQUEST_ANSWER_HOURS} hours to accept; your card is authorised now and charged only if they accept.`;

/** How long a refund takes to reach the card it came from, as banks say it. */
export const REFUND_ARRIVAL = "5 to 10 business days";
