import type { JobRecord } from "../lib/jobs/outbox.ts";
import { Id, StaffNav, Stamp } from "./AdminPages.tsx";
import { FormMessage, type FormState, Notice } from "./Forms.tsx";
import { Table } from "./Table.tsx";

const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

/** What each kind of job does, for staff; a kind without words shows its name. */
const JOB_NAMES: Record<string, string> = {
  "email.send": "Send an email",
  "account.reset_requested": "Send a password reset",
  "booking.hold_expiry": "Release an unpaid hold",
  "booking.complete": "Complete a booking after it ends",
  "booking.reminder": "Remind a renter of a booking",
  "booking.request_timeout": "Expire an unanswered request",
  "payment.release_authorisation": "Release a card authorisation",
  "booking.refund": "Refund a booking",
  "booking.compliance_check": "Check a booking's documents",
  "calendar.sync": "Import a host's calendar",
  "calendar.import_cleanup": "Clean up a removed calendar",
  "document.reminder": "Remind a holder of an expiring document",
  "document.expiry": "Expire a document",
  "compliance.staged-cleanup": "Delete an unfinished upload",
  "files.cleanup": "Delete unused files",
  "payment.event": "Process a Stripe event",
};

/** Ids in a job's payload that have a staff page. */
const PAYLOAD_LINKS: [key: string, path: string, what: string][] = [
  ["bookingId", "/admin/bookings/", "Booking"],
  ["documentId", "/admin/documents/", "Document"],
  ["kitchenId", "/admin/kitchens/", "Kitchen"],
  ["userId", "/admin/users/", "Account"],
];

/** What a job was about: links to the things its payload names, and an email's recipient. */
function About({ payload }: { payload: unknown }) {
  if (typeof payload !== "object" || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const links = PAYLOAD_LINKS.filter(([key]) =>
    typeof p[key] === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(p[key] as string)
  );
  const to = typeof p.to === "string" ? p.to : null;
  return (
    <ul class="space-y-1">
      {links.map(([key, path, what]) => (
        <li key={key}>
          <a href={`${path}${p[key]}`} class={link}>{what}</a>
          <Id id={p[key] as string} />
        </li>
      ))}
      {to && <li>{`To ${to}`}</li>}
    </ul>
  );
}

/** /admin/jobs: background work that ran out of attempts, with Retry for admins. */
export function AdminJobsPage(
  { jobs, cursor, paged, canAct, form, notice }: {
    jobs: JobRecord[];
    cursor: string | null;
    paged: boolean;
    canAct: boolean;
    form: FormState;
    notice?: string;
  },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/jobs" readOnly={!canAct} />
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">Failed jobs</h1>
        <p class="text-stone-700">
          Background work (emails, payments, reminders) that failed every
          attempt. Fix the cause, then retry: the job runs again from its first
          attempt, and the retry is kept in the audit log.
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      <FormMessage
        form={{
          ...form,
          message: form.errors.cursor ?? form.errors.id ??
            form.message,
        }}
      />
      {jobs.length === 0
        ? (
          <p>
            {paged
              ? "No more failed jobs."
              : "No failed jobs: every background job has run."}
          </p>
        )
        : (
          <Table
            caption="Failed jobs"
            head={[
              "Job",
              "About",
              "Attempts",
              "Failed",
              "Last error",
              ...(canAct ? ["Action"] : []),
            ]}
          >
            {jobs.map((j) => (
              <tr key={j.id} class="border-b border-stone-200 align-top">
                <td class={td}>
                  {JOB_NAMES[j.type] ?? j.type}
                  <code class="block font-mono text-xs text-stone-600">
                    {j.type}
                  </code>
                  <Id id={j.id} />
                </td>
                <td class={td}>
                  <About payload={j.payload} />
                </td>
                <td class={td}>{String(j.attempts)}</td>
                <td class={td}>
                  <Stamp ms={j.deadAt ?? j.runAt} />
                </td>
                <td class={`${td} max-w-md break-words`}>
                  {j.lastError ?? ""}
                </td>
                {canAct && (
                  <td class="py-2">
                    <form method="post" action="/admin/jobs/retry">
                      <input type="hidden" name="id" value={j.id} />
                      <button
                        type="submit"
                        class="rounded-lg bg-emerald-700 px-3 py-1.5 font-semibold text-white hover:bg-emerald-800"
                        aria-label={`Retry ${
                          JOB_NAMES[j.type] ?? j.type
                        } (${j.id})`}
                      >
                        Retry
                      </button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      <nav aria-label="Pages of failed jobs" class="flex gap-4">
        {paged && <a href="/admin/jobs" class={link}>First page</a>}
        {cursor && (
          <a
            href={`/admin/jobs?cursor=${encodeURIComponent(cursor)}`}
            class={link}
          >
            Next page
          </a>
        )}
      </nav>
    </section>
  );
}
