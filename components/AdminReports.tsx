import type { ReportRow, StaffReportView } from "../lib/messages/reports.ts";
import { StaffNav } from "./AdminPages.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";

const card = "space-y-2 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const reportedItem =
  "space-y-1 rounded-xl border-2 border-red-700 bg-red-50 p-4";
const plainItem = "space-y-1 rounded-xl border border-stone-200 bg-white p-4";

function Who({ p }: { p: ReportRow["author"] }) {
  return p
    ? (
      <>
        <a href={`/admin/users/${p.id}`} class={link}>{p.name}</a>
        {` (${p.email})`}
      </>
    )
    : <>a deleted account</>;
}

/** `/admin/reports`: reported messages waiting for a decision, oldest first. */
export function AdminReportsPage(
  { rows, notice }: { rows: ReportRow[]; notice?: string },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/reports" />
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">Reported messages</h1>
        <p class="text-stone-700">
          Messages renters and hosts reported, oldest first. Open one to read
          the conversation (your view is recorded in the audit log), then
          dismiss the report, warn the author, or suspend the author.
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      {rows.length === 0
        ? <p>No reports are waiting. Nothing to do here.</p>
        : (
          <ol class="space-y-4" data-testid="reports">
            {rows.map((r) => (
              <li key={r.report.id} class={card}>
                <h2 class="text-lg font-bold">
                  <a href={`/admin/reports/${r.report.id}`} class={link}>
                    {`Report of a message by ${
                      r.author?.name ?? "a deleted account"
                    }`}
                  </a>
                </h2>
                <p class="text-sm text-stone-600">
                  {`${r.when} · reported by ${
                    r.reporter?.name ?? "a deleted account"
                  }`}
                  {r.kitchenTitle ? ` · about ${r.kitchenTitle}` : ""}
                </p>
                <p class="typed-text">
                  {`Reason: ${r.report.reason}`}
                </p>
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}

const OUTCOMES: [string, string, string][] = [
  ["dismissed", "Dismiss", "Nothing wrong: close the report."],
  [
    "warned",
    "Warn the author",
    "Email the author your note as a warning; their account stays open.",
  ],
  [
    "suspended",
    "Suspend the author",
    "Suspend the author's account with your note as the reason: their sessions end and they cannot log in until reinstated.",
  ],
];

/** `/admin/reports/:id`: the report, the whole thread, and the decision. */
export function AdminReportPage(
  { view, canAct, form }: {
    view: StaffReportView;
    canAct: boolean;
    form: FormState;
  },
) {
  const r = view.row.report;
  const chosen = form.values.outcome ?? "";
  const error = form.errors.outcome;
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/reports" />
      <p>
        <a href="/admin/reports" class={link}>← All reports</a>
      </p>
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">Reported message</h1>
        <p class="text-stone-700">
          {`Reported ${view.row.when} by `}
          <Who p={view.row.reporter} />
          {". Written by "}
          <Who p={view.row.author} />
          {"."}
        </p>
        <p class="text-sm text-stone-600">
          Your view of this conversation is recorded in the audit log.
        </p>
      </header>
      <div class={card}>
        <h2 class="text-xl font-bold">The reason given</h2>
        <p class="typed-text">{r.reason}</p>
        {r.status !== "open" && (
          <p class="font-semibold">{`Decided: ${r.status}.`}</p>
        )}
      </div>
      <div class="space-y-3">
        <h2 class="text-xl font-bold">
          {`The conversation${
            view.row.kitchenTitle ? ` about ${view.row.kitchenTitle}` : ""
          }`}
        </h2>
        <p class="text-sm text-stone-700">
          {"Renter: "}
          <Who p={view.renter} />
          {" · Host: "}
          <Who p={view.host} />
        </p>
        {view.earlier && (
          <p class="text-sm text-stone-600">
            Older messages are not shown: these are the newest 200.
          </p>
        )}
        <ol class="space-y-3" data-testid="staff-thread">
          {view.messages.map((m) => (
            <li
              key={m.id}
              id={`m-${m.id}`}
              class={m.reported ? reportedItem : plainItem}
            >
              <p class="text-sm text-stone-700">
                <strong class="text-stone-900">{m.authorName}</strong>
                {` · ${m.when}${m.reported ? " · " : ""}`}
                {m.reported && <strong class="text-red-800">Reported</strong>}
              </p>
              <p class="typed-text">{m.text}</p>
              {m.attachment && (
                <p class="mt-1 text-sm">
                  <a
                    href={m.attachment.href}
                    class="break-all font-semibold text-emerald-800 underline"
                  >
                    {m.attachment.name}
                  </a>
                  {` (${m.attachment.label}; opening it is recorded)`}
                </p>
              )}
            </li>
          ))}
        </ol>
      </div>
      {r.status === "open" && (canAct
        ? (
          <form
            method="post"
            action={`/admin/reports/${r.id}`}
            class={`${card} space-y-4`}
            data-testid="decide"
          >
            <h2 class="text-xl font-bold">Decide</h2>
            <FormMessage form={form} />
            <fieldset
              aria-describedby={error ? "outcome-error" : undefined}
              class="space-y-2"
            >
              <legend class="font-semibold">What to do</legend>
              {OUTCOMES.map(([value, label, hint]) => (
                <div key={value}>
                  <label class="flex items-start gap-2">
                    <input
                      type="radio"
                      name="outcome"
                      value={value}
                      checked={chosen === value}
                      class="mt-1.5"
                    />
                    <span>
                      <span class="font-semibold">{label}</span>
                      <span class="block text-sm text-stone-600">{hint}</span>
                    </span>
                  </label>
                </div>
              ))}
              {error && (
                <p id="outcome-error" class="text-sm font-medium text-red-700">
                  {error}
                </p>
              )}
            </fieldset>
            <TextArea
              name="note"
              label="Your note"
              hint={`The warning the author reads, the suspension's reason, or why you dismissed it; kept in the audit log. ${
                upToChars(REASON_MAX_CHARS)
              }`}
              form={form}
              rows={4}
              maxLength={REASON_MAX_CHARS}
            />
            <button
              type="submit"
              class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
            >
              Record the decision
            </button>
          </form>
        )
        : (
          <p class="rounded-lg border border-stone-200 bg-stone-100 px-4 py-3">
            Support accounts can read reports; an admin decides them.
          </p>
        ))}
    </section>
  );
}
