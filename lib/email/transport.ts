import type { Config } from "../config.ts";
import { storeMail } from "./mailbox.ts";
import type { OutgoingEmail } from "./templates.ts";

/**
 * Delivers one email. `idempotencyKey` (the email job's id) makes a retried
 * job deliver at most once.
 */
export interface MailTransport {
  readonly name: "resend" | "mailbox";
  send(email: OutgoingEmail, idempotencyKey: string): Promise<void>;
}

const RESEND_TIMEOUT_MS = 10_000;

/** Longest part of an error reply we repeat in our own error message. */
const MAX_ERROR_DETAIL = 300;

/**
 * Sends through Resend's HTTP API (`POST {baseUrl}/emails`). Resend keeps
 * idempotency keys for 24 hours, so a retry within that window does not send
 * twice. A non-2xx reply throws, with the status and Resend's message, so the
 * job is retried (and after its last attempt lands in dead letters).
 */
export function resendTransport(
  opts: { apiKey: string; baseUrl: string; fetch?: typeof fetch },
): MailTransport {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const endpoint = `${opts.baseUrl.replace(/\/+$/, "")}/emails`;
  return {
    name: "resend",
    async send(email, idempotencyKey) {
      const res = await doFetch(endpoint, {
        method: "POST",
        headers: {
          "Authorization": `Bearer ${opts.apiKey}`,
          "Content-Type": "application/json",
          "Idempotency-Key": idempotencyKey,
        },
        body: JSON.stringify({
          from: email.from,
          to: [email.to],
          subject: email.subject,
          html: email.html,
          text: email.text,
        }),
        signal: AbortSignal.timeout(RESEND_TIMEOUT_MS),
      });
      if (res.ok) {
        await res.body?.cancel();
        return;
      }
      const detail = await errorDetail(res);
      throw new Error(
        `Resend answered ${res.status}${detail ? `: ${detail}` : ""}`,
      );
    },
  };
}

/** Resend's error replies are JSON `{ statusCode, name, message }`; fall back to the raw text. */
async function errorDetail(res: Response): Promise<string> {
  let body = "";
  try {
    body = await res.text();
  } catch {
    return res.statusText;
  }
  let detail = body.trim();
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.message === "string") {
      detail = typeof parsed.name === "string"
        ? `${parsed.name}: ${parsed.message}`
        : parsed.message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the text.
  }
  detail = detail.replace(/\s+/g, " ") || res.statusText;
  return detail.length > MAX_ERROR_DETAIL
    ? `${detail.slice(0, MAX_ERROR_DETAIL)}…`
    : detail;
}

/**
 * The development mailbox: keeps each message in KV under
 * `keys.mail(idempotencyKey)` instead of sending it, so a retried job stores
 * it once. Read it at /dev/mailbox.
 */
export function mailboxTransport(
  kv: Deno.Kv,
  now: () => number = Date.now,
): MailTransport {
  return {
    name: "mailbox",
    async send(email, idempotencyKey) {
      await storeMail(kv, idempotencyKey, email, now());
    },
  };
}

/** Resend when an API key is configured; otherwise the development mailbox. */
export function transportFor(
  config: Pick<Config, "RESEND_API_KEY" | "RESEND_API_URL">,
  kv: Deno.Kv,
): MailTransport {
  return config.RESEND_API_KEY
    ? resendTransport({
      apiKey: config.RESEND_API_KEY,
      baseUrl: config.RESEND_API_URL,
    })
    : mailboxTransport(kv);
}
