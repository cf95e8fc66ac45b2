import type { ComponentChildren } from "preact";
import {
  type DocumentPreview,
  type DocumentReview,
  type HolderSummary,
  type QueueFilter,
  type QueueRow,
  queueSearch,
} from "../lib/compliance/queue.ts";
import type { PdfUnread } from "../lib/compliance/prefill.ts";
import {
  ACCREDITORS,
  CERTIFICATION_BODIES,
} from "../lib/compliance/certifiers.ts";
import { allowedActions } from "../lib/compliance/review.ts";
import {
  DOCUMENT_KIND_NAMES,
  DOCUMENT_KINDS,
  type HistoryAction,
  type ReviewAction,
} from "../lib/compliance/schema.ts";
import { CITIES } from "../lib/cities.ts";
import { formatDateLong } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { AuditRows, Id, PersonLink, StaffNav, Stamp } from "./AdminPages.tsx";
import { STATUS_NAMES } from "./CompliancePages.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextArea,
  TextField,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";
import { STAFF_NOTE_MAX_CHARS } from "../lib/compliance/review.ts";
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

/** The filters as typed, when valid (the page is only shown with valid ones). */
const filterOf = (values: Record<string, string>) =>
  ({
    kind: values.kind || undefined,
    city: values.city || undefined,
  }) as QueueFilter;

function queueLink(values: Record<string, string>, cursor?: string): string {
  return `/admin/documents${
    queueSearch(filterOf(values), cursor ? { cursor } : {})
  }`;
}

/** The staff queue: documents waiting for a decision, oldest first, filtered. */
export function AdminDocumentsPage(
  { rows, cursor, partial, paged, form, notice, now }: {
    rows: QueueRow[];
    cursor: string | null;
    partial: boolean;
    paged: boolean;
    form: FormState;
    notice?: string;
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
      <StaffNav current="/admin/documents" />
      <h1 class="text-3xl font-extrabold">Documents to review</h1>
      {notice && <Notice>{notice}</Notice>}
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
                      <a
                        href={`/admin/documents/${doc.id}${
                          queueSearch(filterOf(form.values))
                        }`}
                        class={link}
                      >
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
    <div class="sm:flex sm:gap-4">
      <dt class="font-semibold sm:w-44 sm:shrink-0">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function megabytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round(n / (1024 * 1024) * 10) / 10} MB`
    : `${Math.max(1, Math.round(n / 1024))} KB`;
}

const FILE_TYPES: Record<string, string> = {
  "application/pdf": "PDF",
  "image/jpeg": "JPEG image",
  "image/png": "PNG image",
};

/** Why a PDF has no picture, in a reviewer's words. */
const NOT_DRAWN: Record<PdfUnread, string> = {
  encrypted: "This PDF is password-protected, so it cannot be drawn here.",
  "too-large": "This PDF holds more data than a preview may read.",
  filter: "This PDF is compressed in a way the preview does not read.",
  structure: "This PDF's structure could not be checked, so it is not drawn.",
  damaged: "This PDF is damaged and cannot be drawn.",
  time: "This PDF took too long to draw.",
  memory: "This PDF needed more memory than a preview may use.",
  unreadable: "This PDF could not be drawn.",
  busy: "Previews are busy just now: reload the page in a moment.",
};

/** The file beside the fields: the image, or the PDF's first page, or why there is none. */
function FilePreview({ review }: { review: DocumentReview }) {
  const { doc, file, preview } = review;
  const download = (
    <a href={`/documents/${doc.id}/file`} class={link}>Download the file</a>
  );
  if (!file) {
    return (
      <p class="font-semibold text-red-700">
        The file is missing from storage.
      </p>
    );
  }
  const what = DOCUMENT_KIND_NAMES[doc.kind].toLowerCase();
  const summary = (
    <p class="text-sm text-stone-700">
      {`${FILE_TYPES[file.contentType] ?? file.contentType}, ${
        megabytes(file.size)
      }. `}
      {download}
    </p>
  );
  return (
    <>
      {summary}
      <Picture preview={preview} id={doc.id} what={what} number={doc.number} />
    </>
  );
}

function Picture(
  { preview, id, what, number }: {
    preview: DocumentPreview | null;
    id: string;
    what: string;
    number: string;
  },
) {
  const src = `/admin/documents/${id}/preview`;
  const frame = "h-auto w-full rounded border border-stone-300 bg-white";
  if (!preview) return null;
  if (preview.kind === "none") {
    return (
      <p class="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900">
        {`${
          NOT_DRAWN[preview.unread]
        } Download it to check it in a PDF reader.`}
      </p>
    );
  }
  if (preview.kind === "image") {
    return (
      <img
        src={src}
        alt={`The uploaded ${what}, number ${number}`}
        class={frame}
      />
    );
  }
  return (
    <figure class="space-y-2">
      <img
        src={src}
        alt={`The first page of the uploaded ${what}, number ${number}`}
        width={preview.width}
        height={preview.height}
        class={frame}
      />
      <figcaption class="text-sm text-stone-700">
        {preview.incomplete
          ? "The first page, drawn without the parts too large to draw here: download the file to see all of it. "
          : "The first page of the PDF; download the file to see every page. "}
        <a href={src} class={link}>View the page full size</a>
      </figcaption>
    </figure>
  );
}

const primaryLink =
  "inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";

/** The look of each decision: Reject is destructive, so it looks it. */
const DECISION_STYLES: Record<
  ReviewAction,
  { card: string; heading: string; button: string }
> = {
  verify: {
    card,
    heading: "text-xl font-bold",
    button:
      "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800",
  },
  request_renewal: {
    card,
    heading: "text-xl font-bold",
    button:
      "rounded-lg border border-stone-400 bg-white px-4 py-2 font-semibold text-stone-900 hover:bg-stone-100",
  },
  reject: {
    card: "space-y-3 rounded-xl border-2 border-red-300 bg-red-50 p-5",
    heading: "text-xl font-bold text-red-800",
    button:
      "rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800",
  },
};

/** Dates printed on documents carry their year: "Thursday, December 31, 2026". */
const day = (date: string) => formatDateLong(date);

/** One document for staff: its fields beside the file, the authority chain, decisions and history. */
export function AdminDocumentPage(
  { review, filter, canAct, forms, notice, message, now }: {
    review: DocumentReview;
    /** The queue's filters the reviewer came with, kept for "Next in queue". */
    filter: QueueFilter;
    canAct: boolean;
    forms: Partial<Record<ReviewAction, FormState>>;
    notice?: string;
    /** A conflict: another staff member decided first. */
    message?: string;
    now: number;
  },
) {
  const { doc, holder, chain, names } = review;
  // The destructive decision comes last, away from the others' buttons.
  const actions = canAct
    ? allowedActions(doc.status).toSorted((a, b) =>
      Number(a === "reject") - Number(b === "reject")
    )
    : [];
  const empty: FormState = { values: {}, errors: {} };
  const queued = doc.status === "pending" || doc.status === "renewal_requested";
  const queue = `/admin/documents${queueSearch(filter)}`;
  const next = `/admin/documents/next${queueSearch(filter, { after: doc.id })}`;
  const filtered = Boolean(filter.kind || filter.city);
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/documents" readOnly={!canAct} />
      <nav aria-label="Review queue" class="flex flex-wrap gap-x-6 gap-y-2">
        <a href={queue} class={link}>
          {filtered ? "Back to the filtered queue" : "Back to the queue"}
        </a>
        {!notice && <a href={next} class={link}>Skip to the next in queue</a>}
      </nav>
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">{DOCUMENT_KIND_NAMES[doc.kind]}</h1>
        <p class="text-stone-700">
          {STATUS_NAMES[doc.status]}
          {queued && `, waiting ${daysWaiting(review.waitingSince, now)}`}
        </p>
        <Id id={doc.id} />
      </header>
      {notice && (
        <div
          role="status"
          class="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-emerald-900"
        >
          <p>{notice}</p>
          <a href={next} class={primaryLink}>Next in queue</a>
        </div>
      )}
      {message && <FormMessage form={{ ...empty, message }} />}
      <div class="grid gap-6 lg:grid-cols-2 lg:items-start">
        <div class={card}>
          <h2 class="text-xl font-bold">What the holder entered</h2>
          <dl class="space-y-2">
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
            <Row term="Issued">{day(doc.issueDate)}</Row>
            <Row term="Expires">{day(doc.expiryDate)}</Row>
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
                <Row term="Inspected">{day(doc.inspection.date)}</Row>
                <Row term="Score">{`${doc.inspection.score} / 100`}</Row>
                <Row term="Result">
                  {doc.inspection.passed ? "Pass" : "Fail"}
                </Row>
              </>
            )}
            {doc.greaseService && (
              <Row term="Serviced">{day(doc.greaseService.date)}</Row>
            )}
            {doc.certification && (
              <Row term="Certification body">{doc.certification.body}</Row>
            )}
            <Row term="Uploaded">
              <Stamp ms={doc.createdAt} />
            </Row>
          </dl>
        </div>
        <div class={`${card} lg:sticky lg:top-4`}>
          <h2 class="text-xl font-bold">The document</h2>
          <FilePreview review={review} />
        </div>
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
                } for this scope from ${day(chain.recognition.from)} to ${
                  day(chain.recognition.to)
                }, covering the issue date and today.`}
              </p>
            )
            : (
              <p class="font-semibold text-red-700">
                {`Not valid: ${chain.reason}`}
              </p>
            )}
        </div>
      )}
      {actions.length > 0 && (
        <div class="grid gap-4 lg:grid-cols-3 lg:items-start">
          {actions.map((action) => {
            const form = forms[action] ?? empty;
            const style = DECISION_STYLES[action];
            return (
              <form
                key={action}
                method="post"
                action={`/admin/documents/${doc.id}/${action}`}
                class={style.card}
              >
                <h2 class={style.heading}>{ACTION_NAMES[action]}</h2>
                <FormMessage form={form} />
                {filter.kind && (
                  <input type="hidden" name="kind" value={filter.kind} />
                )}
                {filter.city && (
                  <input type="hidden" name="city" value={filter.city} />
                )}
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
                  hint={upToChars(REASON_MAX_CHARS)}
                  form={form}
                  scope={action}
                  rows={3}
                  maxLength={REASON_MAX_CHARS}
                />
                <TextArea
                  name="note"
                  label="Staff note (never shown to the holder)"
                  hint={upToChars(STAFF_NOTE_MAX_CHARS)}
                  form={form}
                  scope={action}
                  rows={2}
                  maxLength={STAFF_NOTE_MAX_CHARS}
                />
                <button type="submit" class={style.button}>
                  {ACTION_NAMES[action]}
                </button>
              </form>
            );
          })}
        </div>
      )}
      {review.earlier.length > 0 && (
        <div class={card} data-testid="earlier-uploads">
          <h2 class="text-xl font-bold">Earlier uploads of this kind</h2>
          <Table
            caption="Earlier uploads of this kind, newest first"
            head={["Uploaded", "Status", "Last reason given"]}
          >
            {review.earlier.map((d) => (
              <tr key={d.id} class="border-b border-stone-200 align-top">
                <td class={`${td} whitespace-nowrap`}>
                  <a href={`/admin/documents/${d.id}`} class="underline">
                    <Stamp ms={d.createdAt} />
                  </a>
                </td>
                <td class={td}>{STATUS_NAMES[d.status]}</td>
                <td class="typed-text py-2">
                  {d.history.findLast((h) =>
                    h.reason
                  )?.reason ?? ""}
                </td>
              </tr>
            ))}
          </Table>
        </div>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">History</h2>
        <Table
          caption="History"
          head={["When", "What", "Change", "By", "Reason"]}
        >
          {doc.history.map((h, i) => (
            <tr key={i} class="border-b border-stone-200 align-top">
              <td class={`${td} whitespace-nowrap`}>
                <Stamp ms={h.at} />
              </td>
              <td class={td}>{HISTORY_ACTION_NAMES[h.action]}</td>
              <td class={td}>
                {`${h.from ? STATUS_NAMES[h.from] : "New"} → ${
                  STATUS_NAMES[h.to]
                }`}
                {h.expiryCorrected &&
                  ` (expiry ${day(h.expiryCorrected.from)} → ${
                    day(h.expiryCorrected.to)
                  })`}
              </td>
              <td class={td}>
                {h.by
                  ? <PersonLink id={h.by} person={names.people[h.by]} />
                  : "Prep"}
              </td>
              <td class="typed-text py-2">{h.reason ?? ""}</td>
            </tr>
          ))}
        </Table>
        <h3 class="font-bold">Staff notes (never shown to the holder)</h3>
        {doc.staffNotes.length === 0
          ? <p>No staff notes.</p>
          : (
            <ul class="space-y-2 text-sm">
              {doc.staffNotes.map((n, i) => (
                <li key={i} class="typed-text">
                  <Stamp ms={n.at} />
                  {`, ${names.people[n.by]?.name ?? n.by}: ${n.text}`}
                </li>
              ))}
            </ul>
          )}
        <h3 class="font-bold">Audit</h3>
        {review.audit.length === 0
          ? <p>No audit entries for this document.</p>
          : (
            <AuditRows
              entries={review.audit}
              names={names}
              caption="Audit entries"
            />
          )}
      </div>
    </section>
  );
}

const HISTORY_ACTION_NAMES: Record<HistoryAction, string> = {
  upload: "Uploaded",
  verify: "Verified",
  reject: "Rejected",
  request_renewal: "Renewal requested",
  expire: "Expired",
};
