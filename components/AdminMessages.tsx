import { formatStamp } from "../lib/format.ts";
import { CONTACT_TOPICS } from "../lib/support/schema.ts";
import type { SupportMessagePage } from "../lib/support/repo.ts";
import { StaffNav } from "./AdminPages.tsx";

const card = "space-y-2 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";

/** `/admin/messages`: what people sent through the contact form, newest first. */
export function AdminMessagesPage(
  { page, keptDays }: { page: SupportMessagePage; keptDays: number },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/messages" />
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">Contact messages</h1>
        <p class="text-stone-700">
          {`Sent through the contact form, newest first, and kept for ${keptDays} days. Reply by email to the address each one gives.`}
        </p>
      </header>
      {page.messages.length === 0
        ? <p>No messages yet.</p>
        : (
          <ol class="space-y-4">
            {page.messages.map((m) => (
              <li key={m.id}>
                <article
                  id={`m-${m.id}`}
                  aria-labelledby={`m-${m.id}-heading`}
                  class={card}
                >
                  <h2 id={`m-${m.id}-heading`} class="text-lg font-bold">
                    {`${CONTACT_TOPICS[m.topic]}, from ${m.name}`}
                  </h2>
                  <p class="text-sm text-stone-600">
                    {`${formatStamp("UTC", m.receivedAt)} UTC · `}
                    <a href={`mailto:${m.email}`} class={link}>{m.email}</a>
                    {m.userId
                      ? (
                        <>
                          {" · "}
                          <a href={`/admin/users/${m.userId}`} class={link}>
                            Their account
                          </a>
                        </>
                      )
                      : " · not signed in"}
                  </p>
                  {m.booking && <p class="text-sm">{`Booking: ${m.booking}`}
                  </p>}
                  <p class="typed-text">{m.message}</p>
                </article>
              </li>
            ))}
          </ol>
        )}
      {page.cursor && (
        <p>
          <a
            href={`/admin/messages?before=${page.cursor}`}
            class={link}
          >
            Older messages
          </a>
        </p>
      )}
    </section>
  );
}
