/**
 * Read-cache keys of what a host's pages show (the dashboard caches its
 * bookings and rendered sections for a few seconds). Every booking change
 * drops the host's whole scope, so a host never sees their own stale data.
 */
export const hostViewScope = (hostId: string): string => `host-view:${hostId}:`;
