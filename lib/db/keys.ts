/**
 * Every Deno KV key the app uses is built here. Prefixes are plural snake_case;
 * indexes are named `<things>_by_<field>` and hold the primary id as value.
 *
 * Each builder belongs to the group above it, and each group names the one
 * folder that owns its keys (`// owner: lib/<folder>`): only modules there
 * spell them; every other module asks that owner's repo (DESIGN §14). A key
 * a lower domain reads and a higher one writes belongs to the lower one,
 * which offers `add*(atomic, …)` helpers for the writer. A new builder joins
 * a group, so it has an owner from the start; tests/unit/domain_layers_test.ts
 * holds the code to this.
 */

/** Search indexes exist per city and for the whole catalogue under this scope. */
export const ALL_CITIES = "*";

export const keys = {
  // owner: lib/kitchens (lib/kitchens/repo.ts)
  // Listings, their search indexes and counters, drafts; also the time a
  // kitchen is taken (occupancy) and its permit standing, which kitchens read
  // and bookings and compliance write through kitchens' `add*` helpers.
  kitchen: (id: string) => ["kitchens", id],
  kitchensByHost: (
    hostId: string,
    id: string,
  ) => ["kitchens_by_host", hostId, id],
  kitchensByHostPrefix: (hostId: string) => ["kitchens_by_host", hostId],
  kitchensByStatus: (
    status: string,
    id: string,
  ) => ["kitchens_by_status", status, id],
  /** Published kitchens ordered by hourly price, per city and for ALL_CITIES. */
  kitchensByPrice: (scope: string, priceCents: number, id: string) => [
    "kitchens_by_price",
    scope,
    priceCents,
    id,
  ],
  kitchensByPricePrefix: (scope: string) => ["kitchens_by_price", scope],
  /** Every kitchen (any status) by each of its search terms (lib/search_terms.ts), for staff. */
  kitchensByTerm: (term: string, id: string) => ["kitchens_by_term", term, id],
  kitchensByTermPrefix: () => ["kitchens_by_term"],
  kitchensPrefix: () => ["kitchens"],
  /** Published kitchens ordered by id (ULID, so by creation time), per city and for ALL_CITIES. */
  kitchensByCreated: (
    scope: string,
    id: string,
  ) => ["kitchens_by_created", scope, id],
  kitchensByCreatedPrefix: (scope: string) => ["kitchens_by_created", scope],
  /** Published kitchens having one equipment or storage feature, by price, per city. */
  kitchensByFeature: (
    city: string,
    feature: string,
    priceCents: number,
    id: string,
  ) => [
    "kitchens_by_feature",
    city,
    feature,
    priceCents,
    id,
  ],
  kitchensByFeaturePrefix: (
    city: string,
    feature: string,
  ) => ["kitchens_by_feature", city, feature],
  /** Count of published kitchens per scope (Deno.KvU64, changed with sum). */
  kitchenCount: (scope: string) => ["kitchen_counts", scope],
  kitchenCountsRoot: () => ["kitchen_counts"],
  /**
   * Time a kitchen cannot be booked (held or booked), by start instant. The
   * value carries the end so availability needs no second read.
   */
  occupancy: (kitchenId: string, startMs: number, ref: string) => [
    "occupancy",
    kitchenId,
    startMs,
    ref,
  ],
  occupancyPrefix: (kitchenId: string) => ["occupancy", kitchenId],
  /** A listing not yet published: the sections saved so far (kitchens/listings.ts). */
  kitchenDraft: (id: string) => ["kitchen_drafts", id],
  /**
   * A kitchen's permit standing (lib/compliance/standing.ts), for drafts and
   * published kitchens alike; rewritten with every change to its documents,
   * so a hold that checks it sees any concurrent decision.
   */
  permitStanding: (kitchenId: string) => ["kitchen_permits", kitchenId],
  // Place (DESIGN §17): listed kitchens by the geohash cell of their pin
  // (lib/place/cells.ts), by price within a cell, for radius search.
  kitchensByCell: (cell: string, priceCents: number, id: string) => [
    "kitchens_by_cell",
    cell,
    priceCents,
    id,
  ],
  kitchensByCellPrefix: (cell: string) => ["kitchens_by_cell", cell],
  /** The deployment's secret for approximate locations (lib/place/approx.ts). */
  placeSecret: () => ["place_secret"],

  // owner: lib/hosts (lib/hosts/repo.ts)
  // Host profiles and payout accounts.
  host: (id: string) => ["hosts", id],
  hostsPrefix: () => ["hosts"],
  /** Unique: the host a payout account (a Stripe Connect account id) belongs to. */
  hostByPayoutAccount: (
    accountId: string,
  ) => ["hosts_by_payout_account", accountId],

  // owner: lib/accounts (lib/accounts/repo.ts for other domains)
  // People, sessions, tokens, sign-in guards.
  user: (id: string) => ["users", id],
  /** What a renter told us about their business (accounts/business_profile.ts). */
  renterProfile: (userId: string) => ["renter_profiles", userId],
  /** Unique: one account per normalised (trimmed, lower-case) email address. */
  userByEmail: (email: string) => ["users_by_email", email],
  usersPrefix: () => ["users"],
  /** Every account by each of its search terms (lib/search_terms.ts), for staff. */
  usersByTerm: (term: string, id: string) => ["users_by_term", term, id],
  usersByTermPrefix: () => ["users_by_term"],
  /** Sessions by the SHA-256 of their id; the id itself is never stored. */
  session: (hash: string) => ["sessions", hash],
  sessionsByUser: (
    userId: string,
    hash: string,
  ) => ["sessions_by_user", userId, hash],
  sessionsByUserPrefix: (userId: string) => ["sessions_by_user", userId],
  sessionsByUserRoot: () => ["sessions_by_user"],
  sessionsAddedRoot: () => ["sessions_added"],
  loginFailuresRoot: () => ["login_failures"],
  rateLimitsRoot: () => ["rate_limits"],
  /**
   * Rewritten whenever a session is added for the user: an atomic that ends
   * all of a user's sessions checks it, so none added meanwhile survives.
   */
  sessionsAdded: (userId: string) => ["sessions_added", userId],
  /** Single-use tokens (email verification, password reset) by SHA-256 of the token. */
  token: (hash: string) => ["tokens", hash],
  /** Recent wrong passwords for a normalised email, known or not (accounts/login_guard.ts). */
  loginFailures: (email: string) => ["login_failures", email],
  /** Browsers that have logged in to an account, by the SHA-256 of their cookie. */
  trustedDevice: (
    userId: string,
    hash: string,
  ) => ["trusted_devices", userId, hash],
  trustedDevicesPrefix: (userId: string) => ["trusted_devices", userId],
  /** A random HMAC key per purpose ("next"), made once and shared by every instance. */
  signingKey: (purpose: string) => ["signing_keys", purpose],
  /** Fixed-window counters: bucket ("login", …), subject (email or address), window number. */
  rateLimit: (
    bucket: string,
    subject: string,
    window: number,
  ) => ["rate_limits", bucket, subject, window],

  // owner: lib/saved (lib/saved/repo.ts)
  // A renter's saved kitchens: one entry per (user, kitchen), an index in the
  // order they were saved, and a per-user count that keeps the list capped.
  /** A kitchen a user saved (lib/saved/schema.ts); unique per user and kitchen. */
  savedKitchen: (userId: string, kitchenId: string) => [
    "saved",
    userId,
    kitchenId,
  ],
  savedKitchensPrefix: (userId: string) => ["saved", userId],
  /** A user's saved kitchens by the save's ULID (so by when): the value is the kitchen id. */
  savedByTime: (userId: string, saveId: string) => [
    "saved_by_time",
    userId,
    saveId,
  ],
  savedByTimePrefix: (userId: string) => ["saved_by_time", userId],
  /** How many kitchens a user has saved (a number, checked by every save and removal). */
  savedCount: (userId: string) => ["saved_counts", userId],

  // owner: lib/bookings (lib/bookings/repo.ts)
  // Bookings and their indexes, each kitchen's calendar days, host blocks,
  // renters' unpaid holds.
  /** A kitchen's calendar: the time taken on one local day (bookings/day_claims.ts). */
  calendarDay: (kitchenId: string, date: string) => [
    "calendar_days",
    kitchenId,
    date,
  ],
  /** Time a host took off sale: a manual block or an imported calendar event (bookings/blocks.ts). */
  kitchenBlock: (kitchenId: string, blockId: string) => [
    "kitchen_blocks",
    kitchenId,
    blockId,
  ],
  kitchenBlocksPrefix: (kitchenId: string) => ["kitchen_blocks", kitchenId],
  booking: (id: string) => ["bookings", id],
  bookingsPrefix: () => ["bookings"],
  bookingsByKitchen: (kitchenId: string, start: number, id: string) => [
    "bookings_by_kitchen",
    kitchenId,
    start,
    id,
  ],
  bookingsByKitchenPrefix: (kitchenId: string) => [
    "bookings_by_kitchen",
    kitchenId,
  ],
  bookingsByRenter: (renterId: string, start: number, id: string) => [
    "bookings_by_renter",
    renterId,
    start,
    id,
  ],
  bookingsByRenterPrefix: (renterId: string) => [
    "bookings_by_renter",
    renterId,
  ],
  bookingsByHost: (hostId: string, start: number, id: string) => [
    "bookings_by_host",
    hostId,
    start,
    id,
  ],
  bookingsByHostPrefix: (hostId: string) => ["bookings_by_host", hostId],
  /** Unique: a booking's short reference ("PRP-7K3Q-9D", bookings/reference.ts) → its id. */
  bookingByReference: (
    reference: string,
  ) => ["bookings_by_reference", reference],
  /** A renter's unpaid holds, checked in the atomic that adds one (at most 3). */
  renterHolds: (renterId: string) => ["renter_holds", renterId],
  /** What a renter was about to book (bookings/drafts.ts): one per user, short-lived. */
  bookingDraft: (userId: string) => ["booking_drafts", userId],
  /** A standing booking (bookings/series.ts): its rule and which dates it claimed. */
  bookingSeries: (id: string) => ["booking_series", id],
  bookingSeriesByRenter: (renterId: string, id: string) => [
    "booking_series_by_renter",
    renterId,
    id,
  ],
  bookingSeriesByRenterPrefix: (renterId: string) => [
    "booking_series_by_renter",
    renterId,
  ],
  bookingSeriesByHost: (hostId: string, id: string) => [
    "booking_series_by_host",
    hostId,
    id,
  ],
  bookingSeriesByHostPrefix: (hostId: string) => [
    "booking_series_by_host",
    hostId,
  ],

  // owner: lib/calendar_sync (lib/calendar_sync/)
  // A kitchen's calendar export and imports.
  /** A kitchen's calendar export: the SHA-256 of its secret feed token. */
  kitchenFeed: (kitchenId: string) => ["kitchen_feeds", kitchenId],
  /**
   * A just-made feed link, for the host who made it to see once after the
   * redirect (a refresh must not make another): removed when shown, and
   * expiring in minutes.
   */
  kitchenFeedReveal: (kitchenId: string, userId: string) => [
    "kitchen_feed_reveals",
    kitchenId,
    userId,
  ],
  /** Calendars a kitchen imports, one per slot (at most 5: the slots make the limit atomic). */
  kitchenCalendarImport: (kitchenId: string, slot: number) => [
    "kitchen_calendar_imports",
    kitchenId,
    slot,
  ],
  kitchenCalendarImportsPrefix: (kitchenId: string) => [
    "kitchen_calendar_imports",
    kitchenId,
  ],

  // owner: lib/payments (lib/payments/repo.ts)
  // Payment events.
  /** Payment events (Stripe's or demo) recorded by id before they are processed. */
  paymentEvent: (id: string) => ["payment_events", id],
  paymentEventsRoot: () => ["payment_events"],
  unprocessablePaymentEventsRoot: () => ["payment_events_unprocessable"],
  /** Signed Stripe deliveries we could not read, by event id or body hash. */
  unprocessablePaymentEvent: (ref: string) => [
    "payment_events_unprocessable",
    ref,
  ],
  /** A renter's payment customer (Stripe Customer or demo card), for charging a saved card later. */
  paymentCustomer: (userId: string) => ["payment_customers", userId],

  // owner: lib/compliance (lib/compliance/)
  // Documents, their queues and watch lists, wallets, certifier recognitions,
  // flagged bookings.
  /** Compliance documents (lib/compliance/repo.ts), by id. */
  document: (id: string) => ["documents", id],
  documentsPrefix: () => ["documents"],
  /** A holder's documents: ("kitchen", kitchenId) or ("renter", userId). */
  documentsByHolder: (
    holderKind: string,
    holderId: string,
    id: string,
  ) => ["documents_by_holder", holderKind, holderId, id],
  documentsByHolderPrefix: (
    holderKind: string,
    holderId: string,
  ) => ["documents_by_holder", holderKind, holderId],
  /** The staff queue: pending and renewal_requested documents, oldest first. */
  documentsQueue: (
    createdAt: number,
    id: string,
  ) => ["documents_queue", createdAt, id],
  documentsQueuePrefix: () => ["documents_queue"],
  /** Bumped with every change to a renter's documents, for the same reason. */
  walletVersion: (userId: string) => ["wallet_versions", userId],
  /** Certifier recognitions staff recorded (lib/compliance/directory.ts), by id. */
  certifierRecognition: (id: string) => ["certifier_recognitions", id],
  certifierRecognitionsPrefix: () => ["certifier_recognitions"],
  /** Verified documents by expiry date, for staff (lib/compliance/expiry.ts); value: the id. */
  documentExpiring: (
    expiryDate: string,
    id: string,
  ) => ["documents_expiring", expiryDate, id],
  documentsExpiringPrefix: () => ["documents_expiring"],
  /** Confirmed bookings whose documents expire before they start (lib/compliance/expiry.ts). */
  complianceFlag: (bookingId: string) => ["compliance_flags", bookingId],
  complianceFlagsPrefix: () => ["compliance_flags"],

  // owner: lib/files (lib/files/store.ts)
  // Uploaded and generated files, a shared service.
  /** Uploaded or generated files: a manifest written last, over fixed-size chunks. */
  file: (id: string) => ["files", id],
  fileChunk: (id: string, n: number) => ["file_chunks", id, n],
  fileChunksPrefix: (id: string) => ["file_chunks", id],
  /** A file being written (or deleted): its chunks are swept if it never finishes. */
  pendingUpload: (id: string) => ["uploads_pending", id],
  pendingUploadsPrefix: () => ["uploads_pending"],

  // owner: lib/jobs (lib/jobs/outbox.ts, runner.ts)
  // The job outbox, a shared service, and the marks of effects done
  // (`addJobEffect`).
  /** The job outbox: jobs, the index the sweep walks, and jobs that ran out of attempts. */
  job: (id: string) => ["jobs", id],
  jobDue: (runAtMs: number, id: string) => ["jobs_due", runAtMs, id],
  jobsDuePrefix: () => ["jobs_due"],
  deadJob: (id: string) => ["jobs_dead", id],
  /** Marks that a job's effect happened, so a retried handler does not repeat it. */
  jobEffect: (jobId: string) => ["job_effects", jobId],
  jobEffectsRoot: () => ["job_effects"],
  deadJobsPrefix: () => ["jobs_dead"],

  // owner: lib/email (lib/email/mailbox.ts)
  // The development mailbox, a shared service.
  /** The development mailbox: emails kept instead of sent, by message id. */
  mail: (id: string) => ["mailbox", id],
  mailboxPrefix: () => ["mailbox"],

  // owner: lib/audit (lib/audit/repo.ts)
  // The audit log, a shared service.
  /** The audit log (lib/audit): entries by ULID, so listing is chronological. */
  audit: (id: string) => ["audit", id],
  auditPrefix: () => ["audit"],
  /** Entries about one subject ("booking", id), by entry id. */
  auditBySubject: (
    kind: string,
    subjectId: string,
    id: string,
  ) => ["audit_by_subject", kind, subjectId, id],
  auditBySubjectPrefix: (
    kind: string,
    subjectId: string,
  ) => ["audit_by_subject", kind, subjectId],

  // owner: lib/notifications (lib/notifications/repo.ts)
  // In-app notifications, a shared service.
  /** In-app notifications (lib/notifications), per user by ULID: newest last. */
  notification: (userId: string, id: string) => ["notifications", userId, id],
  notificationsPrefix: (userId: string) => ["notifications", userId],
  /** A user's unread notifications (Deno.KvU64, changed with sum). */
  notificationsUnread: (userId: string) => ["notifications_unread", userId],
  notificationsRoot: () => ["notifications"],
  notificationsUnreadRoot: () => ["notifications_unread"],

  // owner: lib/support (lib/support/repo.ts)
  // Messages sent through the contact form.
  /** A contact-form message (lib/support), by ULID: listing is chronological. */
  supportMessage: (id: string) => ["support_messages", id],
  supportMessagesPrefix: () => ["support_messages"],

  // owner: lib/messages (lib/messages/repo.ts)
  // Threads between a renter and a host and their messages (DESIGN §15),
  // each side's unread counter and inbox version, blocks, reports, message
  // settings and hosts' first-reply times.
  /** A thread: one per renter × kitchen, by ULID. */
  thread: (id: string) => ["threads", id],
  /** A user's threads by their newest message (ISO instant): the inbox, newest last. */
  threadsByUser: (
    userId: string,
    lastAtIso: string,
    id: string,
  ) => ["threads_by_user", userId, lastAtIso, id],
  threadsByUserPrefix: (userId: string) => ["threads_by_user", userId],
  /** Unique: the thread of a renter and a kitchen (questions and bookings share it). */
  threadByPair: (
    renterId: string,
    kitchenId: string,
  ) => ["thread_by_pair", renterId, kitchenId],
  /** A thread's messages by ULID: listing is chronological. */
  message: (threadId: string, id: string) => ["messages", threadId, id],
  messagesPrefix: (threadId: string) => ["messages", threadId],
  /** Bumped (Deno.KvU64 sum) by every change to a user's threads: what live updates watch. */
  inboxVersion: (userId: string) => ["inbox_version", userId],
  /** A user's unread messages over all threads (Deno.KvU64, changed with sum). */
  messagesUnread: (userId: string) => ["messages_unread", userId],
  /** One user blocking another: no messages either way while it stands. */
  messageBlock: (
    blockerId: string,
    blockedId: string,
  ) => ["message_blocks", blockerId, blockedId],
  /** A report of a message, by ULID; open ones are also in the staff queue. */
  messageReport: (id: string) => ["message_reports", id],
  messageReportsOpen: (id: string) => ["message_reports_open", id],
  messageReportsOpenPrefix: () => ["message_reports_open"],
  /** Unique: one report per message and reporter. */
  messageReportByReporter: (
    messageId: string,
    reporterId: string,
  ) => ["message_reports_by_reporter", messageId, reporterId],
  /** A user's message settings (emails about unread messages). */
  messageSettings: (userId: string) => ["message_settings", userId],
  /** A host's recent first-reply delays, for "Usually replies within…". */
  hostReplyTimes: (hostId: string) => ["host_reply_times", hostId],
  // owner: lib/reviews (lib/reviews/repo.ts)
  // Two-way reviews after a stay (DESIGN §15), their windows, the ratings
  // they add up to, the index search sorts by rating on, and reports.
  review: (id: string) => ["reviews", id],
  /** Unique: one review per booking and side ("renter" reviews the kitchen, "host" the renter). */
  reviewByBooking: (
    bookingId: string,
    side: string,
  ) => ["reviews_by_booking", bookingId, side],
  /** A kitchen's published reviews, by review id (ULID, so oldest first). */
  reviewsByKitchen: (
    kitchenId: string,
    id: string,
  ) => ["reviews_by_kitchen", kitchenId, id],
  reviewsByKitchenPrefix: (kitchenId: string) => [
    "reviews_by_kitchen",
    kitchenId,
  ],
  /** Published reviews of a host's kitchens, by review id, for the dashboard. */
  reviewsByHost: (hostId: string, id: string) => [
    "reviews_by_host",
    hostId,
    id,
  ],
  reviewsByHostPrefix: (hostId: string) => ["reviews_by_host", hostId],
  /** A kitchen's rating: counts and sums of its published reviews' scores. */
  kitchenRating: (kitchenId: string) => ["rating", kitchenId],
  /** A renter's rating from hosts: counts and sums, as for kitchens. */
  renterRating: (renterId: string) => ["renter_rating", renterId],
  /**
   * Kitchens with published reviews in a scope (a city or ALL_CITIES), in
   * the order `/search?sort=rating` lists them: tier (0: at least 3
   * reviews), then the average in tenths and the count, both negated so
   * the best come first. The value is the kitchen id.
   */
  kitchensByRating: (
    scope: string,
    tier: number,
    negTenths: number,
    negCount: number,
    kitchenId: string,
  ) => ["kitchens_by_rating", scope, tier, negTenths, negCount, kitchenId],
  kitchensByRatingPrefix: (scope: string) => ["kitchens_by_rating", scope],
  /** A booking's review window: when it opened and closes, and whether both were told. */
  reviewWindow: (bookingId: string) => ["review_windows", bookingId],
  /** Reviews a user may still write, by booking, while the window is open. */
  reviewDue: (userId: string, bookingId: string) => [
    "reviews_due",
    userId,
    bookingId,
  ],
  reviewsDuePrefix: (userId: string) => ["reviews_due", userId],
  /** Unique: one report per review and person. */
  reviewReport: (reviewId: string, reporterId: string) => [
    "review_reports",
    reviewId,
    reporterId,
  ],
  reviewReportsPrefix: (reviewId: string) => ["review_reports", reviewId],
  /** Reviews with reports staff have not handled yet, oldest review first. */
  reportedReview: (reviewId: string) => ["reviews_reported", reviewId],
  reportedReviewsPrefix: () => ["reviews_reported"],

  // owner: lib/db (lib/db/)
  // One-off index backfills.
  /** Where a start-up backfill from before the migrations got to; a migration that does the same work reads it (lib/db/migrations/runner.ts). */
  backfill: (name: string) => ["backfills", name],

  // owner: lib/metrics (lib/metrics/repo.ts)
  // Figures for staff and hosts: counters summed in the atomics of the
  // events they count (Deno.KvU64, changed with sum), never by scans.
  /** A figure of a scope ("all" "*", a city, a kitchen) in a period ("w:<Monday>", "m:<month>", "now"). */
  metricCount: (
    scopeKind: string,
    scopeId: string,
    period: string,
    name: string,
  ) => ["metric_counts", scopeKind, scopeId, period, name],
  metricCountsPrefix: (scopeKind: string, scopeId: string) => [
    "metric_counts",
    scopeKind,
    scopeId,
  ],
  /** Minutes booked in one weekday × hour cell (0–167) of a kitchen's week, on its wall clock. */
  metricCell: (kitchenId: string, week: string, cell: number) => [
    "metric_cells",
    kitchenId,
    week,
    cell,
  ],
  metricCellsPrefix: (kitchenId: string) => ["metric_cells", kitchenId],
  /** Bookings counted per kitchen of a city, all time: which kitchens a city's figures list. */
  metricKitchen: (city: string, kitchenId: string) => [
    "metric_kitchens",
    city,
    kitchenId,
  ],
  metricKitchensPrefix: (city: string) => ["metric_kitchens", city],
  /** Every figure, for a rebuild (an import) to clear and write again. */
  metricRoots: () => [["metric_counts"], ["metric_cells"], ["metric_kitchens"]],

  // owner: lib/db (lib/db/migrations/)
  // The schema's migrations: the version reached and the one running.
  /** Where the store's migrations stand (lib/db/migrations/runner.ts): one key, the lock too. */
  migrationState: () => ["migrations", "state"],

  // owner: scripts (scripts/demo/)
  // The demo seed's record of what it created.
  /** Records that a named seed has run, so seeding twice creates nothing new. */
  seed: (name: string) => ["seeds", name],
} as const;
