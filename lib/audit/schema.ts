/**
 * The audit log: who did what to which thing, and why. Every staff action
 * and every money movement writes one entry in the same atomic as the change
 * (DESIGN §13), so the log never claims a change that did not happen, nor
 * misses one that did.
 */
import { z } from "zod";
import { REASON_MAX_CHARS, text } from "../text.ts";

export const AUDIT_ACTOR_KINDS = ["user", "system", "stripe"] as const;

/** Who acted: a signed-in user, the app itself or a script, or Stripe (webhooks). */
export const auditActor = z.object({
  kind: z.enum(AUDIT_ACTOR_KINDS),
  /** The user's id, the script or job ("deno task admin"), the Stripe event; null if none. */
  id: z.string().min(1).max(200).nullable(),
  /** The user's email at the time, so the log reads without joins. */
  email: z.string().max(254).optional(),
});
export type AuditActor = z.infer<typeof auditActor>;

/** A small bag of facts: amounts, states, the role granted. No nested objects. */
const details = z.record(
  z.string().min(1).max(64),
  z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
).refine((d) => Object.keys(d).length <= 20, "At most 20 details");

export const auditEntry = z.object({
  v: z.literal(1),
  /** A ULID: entries list in the order they were written. */
  id: z.string(),
  /** ISO instant of the change, from the caller's clock. */
  at: z.string(),
  actor: auditActor,
  /** `<thing>.<past tense>`: "booking.cancelled", "refund.created", "role.granted". */
  action: z.string().max(64).regex(
    /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/,
    'Use an action like "booking.cancelled"',
  ),
  /** What was acted on: ("booking", id), ("user", id), ("certificate", id)… */
  subject: z.object({
    kind: z.string().min(1).max(32).regex(/^[a-z][a-z_]*$/),
    id: z.string().min(1).max(200),
  }),
  details,
  /** The client address of the request that made the change; none from jobs and scripts. */
  client: z.string().max(100).optional(),
  /** Why, as staff wrote it (a rejection, a suspension). */
  reason: text({ label: "a reason", max: REASON_MAX_CHARS, multiline: true })
    .optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

/** What a caller says; `addAudit` adds the version, id and time. */
export type NewAuditEntry = Omit<z.input<typeof auditEntry>, "v" | "id" | "at">;

/** The actor of changes made with `deno task admin`. */
export const ADMIN_SCRIPT_ACTOR: AuditActor = {
  kind: "system",
  id: "deno task admin",
};
