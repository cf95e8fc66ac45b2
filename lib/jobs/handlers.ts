import type { Config } from "../config.ts";
import { EMAIL_JOB, emailJobHandler } from "../email/job.ts";
import { transportFor } from "../email/transport.ts";
import type { JobHandlers } from "./runner.ts";

/** Every job type the app runs, wired to its dependencies. */
export function jobHandlers(
  config: Pick<Config, "RESEND_API_KEY" | "RESEND_API_URL">,
  kv: Deno.Kv,
): JobHandlers {
  return { [EMAIL_JOB]: emailJobHandler(transportFor(config, kv)) };
}
