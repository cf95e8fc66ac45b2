import type { ComponentChildren } from "preact";
import type { HolderSummary, QueueRow } from "../lib/compliance/queue.ts";
import type { DocumentReview } from "../lib/compliance/queue.ts";
import {
  ACCREDITORS,
  CERTIFICATION_BODIES,
} from "../lib/compliance/certifiers.ts";
import { allowedActions } from "../lib/compliance/review.ts";
import {
  DOCUMENT_KIND_NAMES,
  DOCUMENT_KINDS,
  type ReviewAction,
} from "../lib/compliance/schema.ts";
import { CITIES } from "../lib/cities.ts";
import { formatCents } from "../lib/money.ts";
import { AuditRows, StaffNav } from "./AdminPages.tsx";
import { STATUS_NAMES } from "./CompliancePages.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextArea,
  TextField,
} from "./Forms.tsx";
import { Table } from "./Table.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

const ACTION_NAMES: Record<ReviewAction, string> = {
  verify: "Verify",
  reject: "Reject",
  request_renewal: "Request a renewal",
};

const DAY_MS = 24 * 3600_000;

function daysWaiting(since: number, now: number): string {
  const days = Math.max(0, Math.floor((now - since) / DAY_MS));
  return `${days} ${days === 1 ? "day" : "days"}`;
}

/** The holder in a few words, linked to their staff page. */
function Holder({ holder }: { holder: HolderSummary }) {
  if (holder.kind === "renter") {
    return (
      <span>
        {"Renter: "}
        <a href={`/admin/users/${holder.id}`} class={link}>
          {holder.renter
            ? `${holder.renter.name} (${holder.renter.email})`
            : holder.id}
        </a>
      </span>
    );
  }
  return (
    <span>
      {"Kitchen: "}
      <a href={`/admin/kitchens/${holder.id}`} class={link}>
        {holder.kitchen?.title ?? holder.id}
      </a>
      {holder.kitchen && ` (${holder.kitchen.city})`}
      {holder.host && (
        <>
          {", host "}
          <a href={`/admin/users/${holder.host.id}`} class={link}>
            {`${holder.host.name} (${holder.host.email})`}
          </a>
        </>
      )}
    </span>
  );
}

function queueLink(values: Record<string, string>, cursor?: string): string {
  const q = new URLSearchParams();
  for (const f of ["kind", "city"]) if (values[f]) q.set(f, values[f]);
  if (cursor) q.set("cursor", cursor);
  const s = q.toString();
  return s ? `/admin/documents?${s}` : "/admin/documents";
}

/** The staff queue: documents waiting for a decision, oldest first, filtered. */
export function AdminDocumentsPage(
  { rows, cursor, partial, paged, form, now }: {
    rows: QueueRow[];
    cursor: string | null;
    partial: boolean;
    paged: boolean;
    form: FormState;
    now: number;
  },
) {
  const failed = Object.keys(form.errors).length > 0;
  const kinds: [string, string][] = [
    ["", "Every type"],
    ...DOCUMENT_KINDS.map((k): [string, string] => [k, DOCUMENT_KIND_NAMES[k]]),
  ];
  const cities: [string, string][] = [
    ["", "Every city (and renters)"],
    ...CITIES.map((c): [string, string] => [c.slug, c.name]),
  ];
  const filtered = Boolean(form.values.kind || form.values.city);
  return (
    <section class="space-y-6">
      <StaffNav />
      <h1 class="text-3xl font-extrabold">Documents to review</h1>
      <form method="get" action="/admin/documents" class={card} role="search">
        <h2 class="text-xl font-bold">Filter</h2>
        {/* A bad page link has no field of its own: say so above the form. */}
        <FormMessage
          form={{ ...form, message: form.errors.cursor ?? form.message }}
        />
        <div class="grid gap-3 sm:grid-cols-2">
          <Select name="kind" label="Type" form={form} options={kinds} />
          <Select
            name="city"
            label="City"
            hint="Renters have no city: choosing one shows that city's kitchen permits."
            form={form}
            options={cities}
          />
        </div>
        <div class="flex items-center gap-4">
          <SubmitButton>Show documents</SubmitButton>
          {filtered && (
            <a href="/admin/documents" class={link}>
              Clear filters
            </a>
          )}
        </div>
      </form>
      {!failed && (
        <>
          {rows.length === 0
            ? (
              <p class="text-stone-700">
                {filtered
                  ? "No document of that type or city is waiting for review."
                  : "Nothing is waiting for review."}
              </p>
            )
            : (
              <Table
                caption="Documents waiting for review, oldest first"
                head={["Waiting", "Holder", "Type", "Status", "Links"]}
              >
                {rows.map(({ doc, holder, waitingSince }) => (
                  <tr key={doc.id} class="border-b border-stone-200 align-top">
                    <td class={`${td} whitespace-nowrap`}>
                      {daysWaiting(waitingSince, now)}
                    </td>
                    <td class={td}>
                      <Holder holder={holder} />
                    </td>
                    <td class={td}>{DOCUMENT_KIND_NAMES[doc.kind]}</td>
                    <td class={td}>{STATUS_NAMES[doc.status]}</td>
                    <td class={`${td} whitespace-nowrap`}>
                      <a href={`/admin/documents/${doc.id}`} class={link}>
                        Review
                      </a>{" "}
                      <a href={`/documents/${doc.id}/file`} class={link}>
                        Download
                      </a>
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          {partial && cursor && (
            <p class="text-stone-700">
              The search stopped after a few thousand queued documents; the rest
              of the queue was not searched yet.
            </p>
          )}
          <nav aria-label="Queue pages" class="flex gap-4">
            {paged && (
              <a href={queueLink(form.values)} class={link}>
                Oldest documents
              </a>
            )}
            {cursor && (
              <a href={queueLink(form.values, cursor)} class={link}>
                Next page
              </a>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

function Row(
  { term, children }: { term: string; children: ComponentChildren },
) {
  return (
    <div class="flex gap-4">
      <dt class="w-48 shrink-0 font-semibold">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function megabytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round(n / (1024 * 1024) * 10) / 10} MB`
    : `${Math.max(1, Math.round(n / 1024))} KB`;
}

const when = (ms: number) => new Date(ms).toISOString();

/** One document for staff: file, holder, fields, authority chain, history and actions. */
export function AdminDocumentPage(
  { review, canAct, forms, notice, message, now }: {
    review: DocumentReview;
    canAct: boolean;
    forms: Partial<Record<ReviewAction, FormState>>;
    notice?: string;
    /** A conflict: another staff member decided first. */
    message?: string;
    now: number;
  },
) {
  const { doc, holder, file, chain } = review;
  const actions = canAct ? allowedActions(doc.status) : [];
  const empty: FormState = { values: {}, errors: {} };
  const queued = doc.status === "pending" || doc.status === "renewal_requested";
  return (
    <section class="space-y-6">
      <StaffNav />
      <h1 class="text-3xl font-extrabold">{DOCUMENT_KIND_NAMES[doc.kind]}</h1>
      {notice && <Notice>{notice}</Notice>}
      {message && <FormMessage form={{ ...empty, message }} />}
      <div class={card}>
        <h2 class="text-xl font-bold">Document</h2>
        <dl class="space-y-1">
          <Row term="Status">
            {STATUS_NAMES[doc.status]}
            {queued && `, waiting ${daysWaiting(review.waitingSince, now)}`}
          </Row>
          <Row term="Holder">
            <Holder holder={holder} />
          </Row>
          {holder.kitchen && (
            <Row term="Kitchen">
              {`${holder.kitchen.title}, ${holder.kitchen.city}, ${holder.kitchen.status}`}
            </Row>
          )}
          <Row term="Number">{doc.number}</Row>
          <Row term="Issuing authority">{doc.authority}</Row>
          <Row term="Issued">{doc.issueDate}</Row>
          <Row term="Expires">{doc.expiryDate}</Row>
          {doc.insurance && (
            <>
              <Row term="Per occurrence">
                {formatCents(doc.insurance.perOccurrenceCents)}
              </Row>
              <Row term="Aggregate">
                {formatCents(doc.insurance.aggregateCents)}
              </Row>
              <Row term="Named insured">{doc.insurance.namedInsured}</Row>
              <Row term="Additional insured">
                {doc.insurance.additionalInsured ?? "None"}
              </Row>
            </>
          )}
          {doc.inspection && (
            <>
              <Row term="Inspected">{doc.inspection.date}</Row>
              <Row term="Score">{`${doc.inspection.score} / 100`}</Row>
              <Row term="Result">{doc.inspection.passed ? "Pass" : "Fail"}</Row>
            </>
          )}
          {doc.greaseService && (
            <Row term="Serviced">{doc.greaseService.date}</Row>
          )}
          {doc.certification && (
            <Row term="Certification body">{doc.certification.body}</Row>
          )}
          <Row term="Uploaded">{when(doc.createdAt)}</Row>
        </dl>
      </div>
      {chain && (
        <div class={card}>
          <h2 class="text-xl font-bold">Authority chain</h2>
          {chain.ok
            ? (
              <p>
                {`Valid: ${
                  ACCREDITORS[chain.recognition.accreditor].abbreviation
                } recognises ${
                  CERTIFICATION_BODIES[chain.recognition.body].name
                } for this scope from ${chain.recognition.from} to ${chain.recognition.to}, covering the issue date and today.`}
              </p>
            )
            : (
              <p class="font-semibold text-red-700">
                {`Not valid: ${chain.reason}`}
              </p>
            )}
        </div>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">File</h2>
        {file
          ? (
            <>
              <p>
                {`${file.contentType}, ${megabytes(file.size)}. `}
                <a href={`/documents/${doc.id}/file`} class={link}>Download</a>
              </p>
              {review.previewable && (
                <img
                  src={`/admin/documents/${doc.id}/preview`}
                  alt={`The uploaded ${
                    DOCUMENT_KIND_NAMES[doc.kind].toLowerCase()
                  }, number ${doc.number}`}
                  class="max-h-[48rem] max-w-full rounded border border-stone-200"
                />
              )}
            </>
          )
          : (
            <p class="font-semibold text-red-700">
              The file is missing from storage.
            </p>
          )}
      </div>
      {actions.map((action) => {
        const form = forms[action] ?? empty;
        return (
          <form
            key={action}
            method="post"
            action={`/admin/documents/${doc.id}/${action}`}
            class={card}
          >
            <h2 class="text-xl font-bold">{ACTION_NAMES[action]}</h2>
            <FormMessage form={form} />
            {action === "verify" && (
              <TextField
                name="correctedExpiry"
                label="Corrected expiry date (optional)"
                type="date"
                form={form}
                scope={action}
                required={false}
              />
            )}
            <TextArea
              name="reason"
              label={action === "reject"
                ? "Reason (shown to the holder)"
                : "Message to the holder (optional)"}
              form={form}
              scope={action}
              rows={3}
            />
            <TextArea
              name="note"
              label="Staff note (never shown to the holder)"
              form={form}
              scope={action}
              rows={2}
            />
            <SubmitButton>{ACTION_NAMES[action]}</SubmitButton>
          </form>
        );
      })}
      <div class={card}>
        <h2 class="text-xl font-bold">History</h2>
        <Table
          caption="History"
          head={["When", "What", "Change", "By", "Reason"]}
        >
          {doc.history.map((h, i) => (
            <tr key={i} class="border-b border-stone-200 align-top">
              <td class={`${td} whitespace-nowrap`}>{when(h.at)}</td>
              <td class={`${td} font-mono`}>{h.action}</td>
              <td class={td}>
                {`${h.from ? STATUS_NAMES[h.from] : "new"} → ${
                  STATUS_NAMES[h.to]
                }`}
                {h.expiryCorrected &&
                  ` (expiry ${h.expiryCorrected.from} → ${h.expiryCorrected.to})`}
              </td>
              <td class={td}>{h.by ?? "Prep"}</td>
              <td class="whitespace-pre-line py-2">{h.reason ?? ""}</td>
            </tr>
          ))}
        </Table>
        <h3 class="font-bold">Staff notes (never shown to the holder)</h3>
        {doc.staffNotes.length === 0
          ? <p>No staff notes.</p>
          : (
            <ul class="space-y-1 text-sm">
              {doc.staffNotes.map((n, i) => (
                <li key={i} class="whitespace-pre-line">
                  {`${when(n.at)} (${n.by}): ${n.text}`}
                </li>
              ))}
            </ul>
          )}
        <h3 class="font-bold">Audit</h3>
        {review.audit.length === 0
          ? <p>No audit entries for this document.</p>
          : <AuditRows entries={review.audit} caption="Audit entries" />}
      </div>
    </section>
  );
}
