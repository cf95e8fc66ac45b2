import type { ComponentChildren } from "preact";
import { Table } from "./Table.tsx";
import type { AuditEntry } from "../lib/audit/schema.ts";
import { allowedActions } from "../lib/compliance/review.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  type DocumentStatus,
  RENTER_DOCUMENT_KINDS,
  type ReviewAction,
} from "../lib/compliance/schema.ts";
import { formatCents } from "../lib/money.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextArea,
  TextField,
} from "./Forms.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

export const STATUS_NAMES: Record<DocumentStatus, string> = {
  pending: "Waiting for review",
  verified: "Verified",
  rejected: "Rejected",
  expired: "Expired",
  renewal_requested: "Renewal requested",
};

const ACTION_NAMES: Record<ReviewAction, string> = {
  verify: "Verify",
  reject: "Reject",
  request_renewal: "Request a renewal",
};

/** The renter's wallet: their documents, and the upload form. */
export function WalletPage(
  { documents, form, notice }: {
    documents: ComplianceDocument[];
    form: FormState;
    notice?: string;
  },
) {
  const kinds: [string, string][] = [
    ["", "Choose…"],
    ...RENTER_DOCUMENT_KINDS.map((k): [string, string] => [
      k,
      DOCUMENT_KIND_NAMES[k],
    ]),
  ];
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <h1 class="text-3xl font-extrabold">Your compliance documents</h1>
      {notice && <Notice>{notice}</Notice>}
      <div class={card}>
        <h2 class="text-xl font-bold">On file</h2>
        {documents.length === 0
          ? <p class="text-stone-700">You have not uploaded any documents.</p>
          : (
            <Table
              caption="Your documents"
              head={["Type", "Number", "Expires", "Status", "File"]}
            >
              {documents.map((d) => (
                <tr key={d.id} class="border-b border-stone-200">
                  <td class={td}>{DOCUMENT_KIND_NAMES[d.kind]}</td>
                  <td class={td}>{d.number}</td>
                  <td class={td}>{d.expiryDate}</td>
                  <td class={td}>
                    {STATUS_NAMES[d.status]}
                    {lastReason(d) && (
                      <span class="block text-stone-600">{lastReason(d)}</span>
                    )}
                  </td>
                  <td class={td}>
                    <a href={`/documents/${d.id}/file`} class={link}>
                      Download
                    </a>
                  </td>
                </tr>
              ))}
            </Table>
          )}
      </div>
      <form
        method="post"
        action="/account/compliance"
        enctype="multipart/form-data"
        class={card}
      >
        <h2 class="text-xl font-bold">Upload a document</h2>
        <FormMessage form={form} />
        <Select name="kind" label="Type" form={form} options={kinds} />
        <div>
          <label for="f-file" class="block text-sm font-semibold">
            File (PDF, JPEG or PNG, up to 10 MB)
          </label>
          <input
            id="f-file"
            name="file"
            type="file"
            accept="application/pdf,image/jpeg,image/png"
            required
            class="mt-1 w-full"
            aria-invalid={form.errors.file ? "true" : undefined}
            aria-describedby={form.errors.file ? "f-file-error" : undefined}
          />
          {form.errors.file && (
            <p id="f-file-error" class="mt-1 text-sm font-medium text-red-700">
              {form.errors.file}
            </p>
          )}
        </div>
        <TextField name="number" label="Document number" form={form} />
        <TextField name="authority" label="Issuing authority" form={form} />
        <TextField
          name="issueDate"
          label="Issue date"
          type="date"
          form={form}
        />
        <TextField
          name="expiryDate"
          label="Expiry date"
          type="date"
          form={form}
        />
        <fieldset class="space-y-3">
          <legend class="text-sm font-semibold">
            Liability insurance only
          </legend>
          <TextField
            name="insurance.perOccurrenceCents"
            label="Per-occurrence limit (dollars)"
            form={form}
            required={false}
          />
          <TextField
            name="insurance.aggregateCents"
            label="Aggregate limit (dollars)"
            form={form}
            required={false}
          />
          <TextField
            name="insurance.namedInsured"
            label="Named insured"
            form={form}
            required={false}
          />
          <TextField
            name="insurance.additionalInsured"
            label="Additional insured (as written)"
            form={form}
            required={false}
          />
        </fieldset>
        <fieldset class="space-y-3">
          <legend class="text-sm font-semibold">
            Federal scope certificates only
          </legend>
          <TextField
            name="certification.body"
            label="Certification body"
            form={form}
            required={false}
          />
        </fieldset>
        <SubmitButton>Upload</SubmitButton>
      </form>
    </section>
  );
}

function lastReason(d: ComplianceDocument): string | null {
  const last = d.history[d.history.length - 1];
  return last && (last.to === "rejected" || last.to === "renewal_requested")
    ? last.reason
    : null;
}

function holderText(d: ComplianceDocument): string {
  return `${d.holder.kind === "kitchen" ? "Kitchen" : "Renter"} ${d.holder.id}`;
}

const DAY_MS = 24 * 3600_000;

/** The staff queue: documents waiting for a decision, oldest first. */
export function AdminDocumentsPage(
  { documents, cursor, now }: {
    documents: ComplianceDocument[];
    cursor: string | null;
    now: number;
  },
) {
  return (
    <section class="space-y-6">
      <h1 class="text-3xl font-extrabold">Documents to review</h1>
      {documents.length === 0
        ? <p class="text-stone-700">Nothing is waiting for review.</p>
        : (
          <Table
            caption="Documents waiting for review, oldest first"
            head={["Waiting", "Holder", "Type", "Status", ""]}
          >
            {documents.map((d) => {
              const days = Math.floor((now - d.createdAt) / DAY_MS);
              return (
                <tr key={d.id} class="border-b border-stone-200">
                  <td class={td}>{days} {days === 1 ? "day" : "days"}</td>
                  <td class={td}>{holderText(d)}</td>
                  <td class={td}>{DOCUMENT_KIND_NAMES[d.kind]}</td>
                  <td class={td}>{STATUS_NAMES[d.status]}</td>
                  <td class={td}>
                    <a href={`/admin/documents/${d.id}`} class={link}>
                      Review
                    </a>{" "}
                    <a href={`/documents/${d.id}/file`} class={link}>File</a>
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      {cursor && (
        <a
          href={`/admin/documents?cursor=${encodeURIComponent(cursor)}`}
          class={link}
        >
          Next page
        </a>
      )}
    </section>
  );
}

/** One document for staff: details, file, history, notes and (admins) actions. */
export function AdminDocumentPage(
  { doc, audit, canAct, forms, notice, message }: {
    doc: ComplianceDocument;
    audit: AuditEntry[];
    canAct: boolean;
    forms: Partial<Record<ReviewAction, FormState>>;
    notice?: string;
    /** A conflict: another staff member decided first. */
    message?: string;
  },
) {
  const actions = canAct ? allowedActions(doc.status) : [];
  const empty: FormState = { values: {}, errors: {} };
  return (
    <section class="space-y-6">
      <a href="/admin/documents" class={link}>Back to the queue</a>
      <h1 class="text-3xl font-extrabold">
        {DOCUMENT_KIND_NAMES[doc.kind]}
      </h1>
      {notice && <Notice>{notice}</Notice>}
      {message && <FormMessage form={{ ...empty, message }} />}
      <dl class={card}>
        <Row term="Status">{STATUS_NAMES[doc.status]}</Row>
        <Row term="Holder">{holderText(doc)}</Row>
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
        {doc.certification && (
          <Row term="Certification body">{doc.certification.body}</Row>
        )}
        <Row term="File">
          <a href={`/documents/${doc.id}/file`} class={link}>Download</a>
        </Row>
      </dl>
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
        <ul class="space-y-1 text-sm">
          {doc.history.map((h, i) => (
            <li key={i}>
              {new Date(h.at).toISOString()}: {h.action} ({h.from ?? "new"} →
              {" "}
              {h.to}){h.by ? ` by ${h.by}` : ""}
              {h.reason ? `: ${h.reason}` : ""}
              {h.expiryCorrected
                ? ` (expiry ${h.expiryCorrected.from} → ${h.expiryCorrected.to})`
                : ""}
            </li>
          ))}
        </ul>
        {doc.staffNotes.length > 0 && (
          <>
            <h3 class="font-bold">Staff notes</h3>
            <ul class="space-y-1 text-sm">
              {doc.staffNotes.map((n, i) => (
                <li key={i}>
                  {new Date(n.at).toISOString()} ({n.by}): {n.text}
                </li>
              ))}
            </ul>
          </>
        )}
        {audit.length > 0 && (
          <>
            <h3 class="font-bold">Audit</h3>
            <ul class="space-y-1 text-sm">
              {audit.map((a) => (
                <li key={a.id}>
                  {a.at}: {a.action} by {a.actor.email ?? a.actor.id}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}

function Row(
  { term, children }: { term: string; children: ComponentChildren },
) {
  return (
    <div class="flex gap-4">
      <dt class="w-48 font-semibold">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
