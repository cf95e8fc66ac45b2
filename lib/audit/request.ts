/**
 * Where the request being served came from, for the audit log: set once per
 * request by the app (routes/app.tsx) and read by `addAudit`, so every staff
 * action records its client address without each domain function taking it
 * as a parameter. Jobs and scripts run outside a request and record none.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface RequestFacts {
  clientAddress: string;
}

const current = new AsyncLocalStorage<RequestFacts>();

/** Runs `fn` (the rest of the request) with the request's facts in scope. */
export function withRequestFacts<T>(facts: RequestFacts, fn: () => T): T {
  return current.run(facts, fn);
}

/** The client address of the request in scope, if any. */
export function requestClientAddress(): string | null {
  return current.getStore()?.clientAddress ?? null;
}
