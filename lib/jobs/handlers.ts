import { z } from "zod";
import {
  accountDepsFrom,
  RESET_REQUEST_JOB,
  sendPasswordReset,
} from "../accounts/users.ts";
import type { Config } from "../config.ts";
import { EMAIL_JOB, emailJobHandler } from "../email/job.ts";
import { transportFor } from "../email/transport.ts";
import { defineJob, type JobHandlers } from "./runner.ts";

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
  };
}
