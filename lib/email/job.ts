import { z } from "zod";
import type { Config } from "../config.ts";
import { EMAIL_JOB } from "../job_names.ts";
import { addJob } from "../jobs/outbox.ts";
import type { OutgoingEmail, RenderedEmail } from "./templates.ts";
import type { MailTransport } from "./transport.ts";

/**
 * The whole job (payload and bookkeeping) is one KV value, at most 64 KiB,
 * and the mailbox stores the same message as one value: keep the bodies
 * well under that, counted in UTF-8 bytes.
 */
const MAX_BODY_BYTES = 48 * 1024;

const singleLine = (max: number) =>
  z.string().trim().min(1).max(max).regex(/^[^\r\n]*$/, {
    message: "must be one line",
  });

export const emailJobPayload = z.object({
  to: z.email().max(254),
  /** "Prep <hello@example.com>" or a bare address. */
  from: singleLine(320),
  subject: singleLine(200),
  html: z.string().min(1).max(MAX_BODY_BYTES),
  text: z.string().min(1).max(MAX_BODY_BYTES),
}).refine(
  (e) =>
    new TextEncoder().encode(e.html).length +
        new TextEncoder().encode(e.text).length <= MAX_BODY_BYTES,
  {
    message: `html and text together must fit in ${MAX_BODY_BYTES} bytes`,
    path: ["html"],
  },
) satisfies z.ZodType<OutgoingEmail>;

/** Builds the payload of an email job from a rendered template; throws if it would not be accepted. */
export function outgoingEmail(
  config: Pick<Config, "EMAIL_FROM">,
  to: string,
  email: RenderedEmail,
): OutgoingEmail {
  return emailJobPayload.parse({ ...email, to, from: config.EMAIL_FROM });
}

/**
 * Who every email is from, the site origin its links point at, and whether
 * KV queues can wake the mailer: one value, built once from the
 * configuration by the composition root (lib/app.ts).
 */
export interface MailSettings {
  from: string;
  baseUrl: string;
  wake: boolean;
}

/**
 * Adds "send `email` to `to`" to the caller's atomic, so it goes out
 * exactly when the change that causes it commits (DESIGN §6).
 */
export function addEmail(
  atomic: Deno.AtomicOperation,
  mail: MailSettings,
  to: string,
  email: RenderedEmail,
  now: number,
): void {
  addJob(atomic, {
    type: EMAIL_JOB,
    payload: outgoingEmail({ EMAIL_FROM: mail.from }, to, email),
  }, { now, wake: mail.wake });
}

/**
 * The handler the job worker runs for EMAIL_JOB. The job id is the
 * idempotency key, so a job retried after a crash sends (or stores) once.
 */
export function emailJobHandler(transport: MailTransport): {
  schema: typeof emailJobPayload;
  run(payload: OutgoingEmail, ctx: { jobId: string }): Promise<void>;
} {
  return {
    schema: emailJobPayload,
    run: (payload, ctx) => transport.send(payload, ctx.jobId),
  };
}
