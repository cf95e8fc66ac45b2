import { monotonicFactory } from "ulid";

/** ULIDs sort by creation time, so `list({ prefix })` over ids is chronological. */
export const newId: () => string = monotonicFactory();
