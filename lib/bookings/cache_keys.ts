/**
 * Read-cache keys of what a host's pages show (the dashboard caches its
 * bookings and rendered sections for a few seconds). Every booking change
 * drops the host's whole scope, so a host never sees their own stale data.
 */
export const hostViewScope = (hostId: string): string => `host-view:${hostId}:`;

/**
 * Read-cache keys of what a renter's pages show (their bookings and
 * weekly bookings, issue 19). A booking write does not always know its
 * renter here (a host's or a job's change), so every booking or series
 * write drops all renters' views on this instance: a renter never sees
 * their own change late, and other instances within the cache's 5 s.
 */
export const RENTER_VIEWS = "renter-view:";
export const renterViewScope = (renterId: string): string =>
  `${RENTER_VIEWS}${renterId}:`;
