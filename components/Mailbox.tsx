import type { StoredMail } from "../lib/email/mailbox.ts";
import { splitLinks } from "../lib/email/mailbox.ts";

function SentAt({ at }: { at: number }) {
  const iso = new Date(at).toISOString();
  return (
    <time dateTime={iso}>
      {iso.slice(0, 10)} {iso.slice(11, 19)} UTC
    </time>
  );
}

function Notice() {
  return (
    <p class="mt-1 text-sm text-stone-600">
      Development only: with no <code>RESEND_API_KEY</code>{" "}
      set, Prep keeps every email here instead of sending it.
    </p>
  );
}

export function MailList({ mails }: { mails: StoredMail[] }) {
  return (
    <section class="mx-auto max-w-3xl">
      <h1 class="text-3xl font-extrabold">Mailbox</h1>
      <Notice />
      {mails.length === 0
        ? (
          <p class="mt-8 rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center text-stone-600">
            No emails yet. Sign up or reset a password and the message shows up
            here.
          </p>
        )
        : (
          <ul class="mt-6 divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white">
            {mails.map((m) => (
              <li key={m.id}>
                <a
                  href={`/dev/mailbox/${encodeURIComponent(m.id)}`}
                  class="flex flex-wrap items-baseline gap-x-4 gap-y-1 px-4 py-3 hover:bg-stone-50"
                >
                  <span class="font-semibold">{m.subject}</span>
                  <span class="text-sm text-stone-600">to {m.to}</span>
                  <span class="ml-auto text-sm text-stone-600">
                    <SentAt at={m.sentAt} />
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

/** Plain text with its http(s) URLs as links. */
function LinkedText({ text }: { text: string }) {
  // Text runs are wrapped in an element: under the precompile JSX transform a
  // bare string next to elements in a mapped array is escaped twice.
  return (
    <>
      {splitLinks(text).map((part, i) =>
        "url" in part
          ? (
            <a
              key={i}
              href={part.url}
              class="text-emerald-800 underline"
              rel="noreferrer"
            >
              {part.url}
            </a>
          )
          : <span key={i}>{part.text}</span>
      )}
    </>
  );
}

/** One message: its headers, and the text part with URLs as links (so "confirm" can be clicked). */
export function MailDetail({ mail }: { mail: StoredMail }) {
  const base = `/dev/mailbox/${encodeURIComponent(mail.id)}`;
  return (
    <article class="mx-auto max-w-3xl">
      <p class="text-sm">
        <a href="/dev/mailbox" class="text-emerald-800 hover:underline">
          ← Mailbox
        </a>
      </p>
      <h1 class="mt-2 text-2xl font-extrabold">{mail.subject}</h1>
      <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt class="font-semibold">From</dt>
        <dd>{mail.from}</dd>
        <dt class="font-semibold">To</dt>
        <dd>{mail.to}</dd>
        <dt class="font-semibold">Sent</dt>
        <dd>
          <SentAt at={mail.sentAt} />
        </dd>
      </dl>
      <p class="mt-4 text-sm">
        <a
          href={`${base}/html`}
          class="font-semibold text-emerald-800 hover:underline"
        >
          View the HTML version
        </a>
      </p>
      <pre class="mt-4 overflow-x-auto whitespace-pre-wrap break-words rounded-xl border border-stone-200 bg-white p-4 font-mono text-sm">
        <LinkedText text={mail.text} />
      </pre>
    </article>
  );
}
