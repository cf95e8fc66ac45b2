import type { WalletView } from "../lib/compliance/wallet_page.ts";
import {
  ContinueBooking,
  DocumentNeeds,
  StateBadge,
} from "./DocumentStates.tsx";
import {
  PRODUCT_TYPE_NAMES,
  PRODUCT_TYPES,
  type RenterProfile,
} from "../lib/accounts/business_profile.ts";
import { type FederalScope, scopeLabel } from "../lib/compliance/certifiers.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  type DocumentKind,
  type DocumentStatus,
  extractedFieldsOf,
  type ExtractedGroup,
  RENTER_DOCUMENT_KINDS,
} from "../lib/compliance/schema.ts";
import {
  emptyForm,
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextField,
} from "./Forms.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";

export const STATUS_NAMES: Record<DocumentStatus, string> = {
  pending: "Waiting for review",
  verified: "Verified",
  rejected: "Rejected",
  expired: "Expired",
  renewal_requested: "Renewal requested",
};

/** The profile form as saved. */
function savedProfile(profile: RenterProfile | null): FormState {
  return {
    values: {
      hasEmployees: profile?.hasEmployees ? "yes" : "",
      needsAccessible: profile?.needsAccessible ? "yes" : "",
      productType: profile?.productType ?? "",
    },
    errors: {},
  };
}

/**
 * The renter's wallet: the booking they were about to make and their
 * upcoming bookings with what each needs, their business profile (as
 * saved, or `profileForm`, a refused post), their documents with each
 * one's state, the upload form, and what each city asks.
 */
export function WalletPage(
  { view, upload, profileForm, notice }: {
    view: WalletView;
    upload: UploadState;
    profileForm?: FormState;
    notice?: string;
  },
) {
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <h1 class="text-3xl font-extrabold">Your documents</h1>
      {notice && <Notice>{notice}</Notice>}
      {view.draft && (
        <ContinueBooking card={view.draft.card}>
          <h3 class="mt-4 font-bold text-emerald-950">
            What this booking needs
          </h3>
          <div class="mt-2 rounded-lg bg-white p-4">
            <DocumentNeeds
              needs={view.draft.needs}
              label={`Documents your booking at ${view.draft.kitchenTitle} needs`}
            />
          </div>
        </ContinueBooking>
      )}
      {view.bookings.length > 0 && (
        <div class={card}>
          <h2 class="text-xl font-bold">Your upcoming bookings</h2>
          <ul class="space-y-5">
            {view.bookings.map((b) => (
              <li key={b.href} class="space-y-2">
                <p>
                  <a href={b.href} class={link}>{b.kitchenTitle}</a>
                  <span class="block text-stone-700">
                    {`${b.when} · ${b.status}`}
                  </span>
                </p>
                <DocumentNeeds
                  needs={b.needs}
                  label={`Documents your booking at ${b.kitchenTitle} needs`}
                />
              </li>
            ))}
          </ul>
        </div>
      )}
      <ProfileForm form={profileForm ?? savedProfile(view.profile)} />
      <div class={card}>
        <h2 class="text-xl font-bold">On file</h2>
        {view.documents.length === 0
          ? <p class="text-stone-700">You have not uploaded any documents.</p>
          : (
            <ul class="divide-y divide-stone-200" aria-label="Your documents">
              {view.documents.map(({ doc: d, state }) => (
                <li key={d.id} class="space-y-1 py-3">
                  <p class="flex flex-wrap items-baseline gap-2">
                    <StateBadge state={state.state} label={state.label} />
                    <span class="font-medium">
                      {DOCUMENT_KIND_NAMES[d.kind]}
                    </span>
                    <span class="text-sm text-stone-600">
                      {`No. ${d.number}`}
                    </span>
                  </p>
                  <p class="text-sm text-stone-700">{state.detail}</p>
                  <p class="text-sm">
                    <a href={`/documents/${d.id}/file`} class={link}>
                      {`Download your ${
                        DOCUMENT_KIND_NAMES[d.kind].toLowerCase()
                      }`}
                    </a>
                  </p>
                </li>
              ))}
            </ul>
          )}
      </div>
      <DocumentUpload
        action="/account/compliance"
        kinds={RENTER_DOCUMENT_KINDS}
        upload={upload}
      />
      <div class={card}>
        <h2 class="text-xl font-bold">What each city asks of you</h2>
        <p class="text-stone-700">
          Every booking is checked against its city's rules. Here is where you
          stand in each city today.
        </p>
        <ul class="space-y-2">
          {view.cities.map((c) => {
            const unmet = c.needs.filter((n) => !n.ok).length;
            return (
              <li key={c.city}>
                <details class="rounded-lg border border-stone-200 p-3">
                  <summary class="cursor-pointer font-semibold">
                    {`${c.cityName}: ${
                      c.ready
                        ? "ready to book"
                        : `${unmet} ${unmet === 1 ? "thing" : "things"} to do`
                    }`}
                  </summary>
                  <div class="mt-3 space-y-3">
                    <DocumentNeeds
                      needs={c.needs}
                      label={`What ${c.cityName} asks of you`}
                    />
                    <p class="text-sm">
                      <a href={`/cities/${c.city}`} class={link}>
                        {`${c.cityName}'s rules in full`}
                      </a>
                    </p>
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}

/** What a renter tells us about their business, which decides what cities ask of them. */
function ProfileForm({ form }: { form: FormState }) {
  return (
    <form
      method="post"
      action="/account/compliance/profile"
      class={card}
      aria-labelledby="profile-heading"
    >
      <h2 id="profile-heading" class="text-xl font-bold">Your business</h2>
      <p class="text-stone-700">
        We ask because cities' rules depend on it: with employees you need
        workers' compensation insurance; if you need an accessible kitchen we
        tell you which kitchens are not; and some cities restrict products by
        season, such as outdoor cooking in Seattle from November to February.
      </p>
      <FormMessage form={form} />
      <Checkbox
        name="hasEmployees"
        label="I have employees"
        form={form}
      />
      <Checkbox
        name="needsAccessible"
        label="I need an accessible kitchen (step-free entrance, accessible workstations and restroom)"
        form={form}
      />
      <Select
        name="productType"
        label="What you make"
        form={form}
        scope="profile"
        options={[
          ["", "Not saying"],
          ...PRODUCT_TYPES.map((p): [string, string] => [
            p,
            PRODUCT_TYPE_NAMES[p],
          ]),
        ]}
      />
      <SubmitButton>Save</SubmitButton>
    </form>
  );
}

function Checkbox(
  { name, label, form }: { name: string; label: string; form: FormState },
) {
  const error = form.errors[name];
  return (
    <div>
      <label class="flex items-center gap-2">
        <input
          type="checkbox"
          name={name}
          value="yes"
          checked={form.values[name] === "yes"}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `profile-${name}-error` : undefined}
        />
        {label}
      </label>
      {error && (
        <p
          id={`profile-${name}-error`}
          class="mt-1 text-sm font-medium text-red-700"
        >
          {error}
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Uploading a document, in two steps

/** A file checked and kept aside, waiting for the uploader to confirm its details. */
export interface StagedView {
  id: string;
  kind: DocumentKind;
  /**
   * How we read the file, which decides what the form says about its fields;
   * "unread": a PDF we could not read (damaged, or over a reading budget).
   */
  source: "pdf" | "scan" | "unread" | "image";
  /** Fields filled in from the PDF's text, marked for checking. */
  prefilled: string[];
  /** Set when the PDF names another scope than the kind chosen. */
  otherScope?: FederalScope;
}

/**
 * Where an upload stands: choosing the kind and the file, or checking the
 * details of a staged file. `details` without `staged` is the one-step form
 * (file and fields together) shown again after it failed.
 */
export interface UploadState {
  step: "choose" | "details";
  form: FormState;
  staged: StagedView | null;
}

export const FIRST_UPLOAD_STEP: UploadState = {
  step: "choose",
  form: emptyForm,
  staged: null,
};

export const READ_MARK = "Read from your PDF — check it.";
/** Shown as the form's error when a PDF was stored but not read. */
export const PDF_UNREAD =
  "We couldn't read this PDF; enter the details by hand.";

const GROUP_LEGENDS: Record<ExtractedGroup, [alone: string, among: string]> = {
  insurance: ["Insurance limits and names", "Liability insurance only"],
  inspection: ["Inspection result", "Inspection reports only"],
  greaseService: ["Service", "Grease trap service records only"],
  certification: ["Certification", "Federal scope certificates only"],
};

const SOURCE_TEXT: Record<StagedView["source"], string> = {
  pdf:
    "We read the details marked “Read from your PDF” from your file. Check each one against the document and correct anything we got wrong, then fill in the rest.",
  scan:
    "We could not read any details from this PDF (it may be a scan), so please type them as they appear on the document.",
  unread: PDF_UNREAD,
  image:
    "We do not read photos automatically, so please type the details as they appear on the document.",
};

const fileInput = (form: FormState) => (
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
);

/**
 * The upload form of a holder (the renter's wallet, a kitchen's permits),
 * posting to `action`: first the kind and the file (to `action`/read), then
 * the details of the staged file, prefilled where its PDF had them.
 */
export function DocumentUpload(
  { action, kinds, upload }: {
    action: string;
    kinds: readonly DocumentKind[];
    upload: UploadState;
  },
) {
  const { form, staged } = upload;
  const kindOptions: [string, string][] = [
    ["", "Choose…"],
    ...kinds.map((k): [string, string] => [k, DOCUMENT_KIND_NAMES[k]]),
  ];
  // Required: the browser asks before sending, so the file chosen is not lost.
  const kindSelect = (
    <Select
      name="kind"
      label="Type"
      form={form}
      options={kindOptions}
      required
    />
  );
  if (upload.step === "choose") {
    return (
      <form
        id="upload"
        method="post"
        action={`${action}/read#upload`}
        enctype="multipart/form-data"
        class={card}
      >
        <h2 class="text-xl font-bold">Upload a document</h2>
        <FormMessage form={form} />
        {kindSelect}
        {fileInput(form)}
        <p class="text-sm text-stone-600">
          If your file is a PDF with text in it, we fill in the dates and
          numbers we can read; you check every one before it goes to review.
        </p>
        <SubmitButton>Continue</SubmitButton>
      </form>
    );
  }
  const mark = (name: string) =>
    staged?.prefilled.includes(name) ? READ_MARK : undefined;
  const groups = [
    ...new Set(
      (staged ? [staged.kind] : kinds).map(extractedFieldsOf)
        .filter((g): g is ExtractedGroup => g !== null),
    ),
  ];
  return (
    <form
      id="upload"
      method="post"
      action={`${action}#upload`}
      enctype="multipart/form-data"
      class={card}
    >
      <h2 class="text-xl font-bold">
        {staged
          ? `Check the details of your ${
            DOCUMENT_KIND_NAMES[staged.kind].toLowerCase()
          }`
          : "Upload a document"}
      </h2>
      <FormMessage form={form} />
      {staged
        ? (
          <>
            {staged.source === "unread"
              ? (
                <p
                  role="alert"
                  class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 font-medium text-red-800"
                >
                  {SOURCE_TEXT.unread}
                </p>
              )
              : <p class="text-stone-700">{SOURCE_TEXT[staged.source]}</p>}
            {staged.otherScope && (
              <p
                role="alert"
                class="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900"
              >
                {`Your PDF looks like a ${
                  scopeLabel(staged.otherScope)
                } certificate, not a ${
                  DOCUMENT_KIND_NAMES[staged.kind].toLowerCase()
                }. If so, choose another file or type below.`}
              </p>
            )}
            <input type="hidden" name="staged" value={staged.id} />
            <input type="hidden" name="kind" value={staged.kind} />
            <input type="hidden" name="source" value={staged.source} />
            <input
              type="hidden"
              name="prefilled"
              value={staged.prefilled.join(",")}
            />
            {form.errors.file && (
              <p class="text-sm font-medium text-red-700">{form.errors.file}</p>
            )}
            <p>
              <a href={`${action}#upload`} class={link}>
                Choose another file or type
              </a>
            </p>
          </>
        )
        : (
          <>
            {kindSelect}
            {fileInput(form)}
          </>
        )}
      <TextField
        name="number"
        label="Document number"
        form={form}
        hint={mark("number")}
      />
      <TextField
        name="authority"
        label="Issuing authority"
        form={form}
        hint={mark("authority")}
      />
      <TextField
        name="issueDate"
        label="Issue date"
        type="date"
        form={form}
        hint={mark("issueDate")}
      />
      <TextField
        name="expiryDate"
        label="Expiry date"
        type="date"
        form={form}
        hint={mark("expiryDate")}
      />
      {groups.map((group) => (
        <fieldset key={group} class="space-y-3">
          <legend class="text-sm font-semibold">
            {GROUP_LEGENDS[group][staged ? 0 : 1]}
          </legend>
          <GroupFields group={group} form={form} mark={mark} />
        </fieldset>
      ))}
      <SubmitButton>{staged ? "Send for review" : "Upload"}</SubmitButton>
    </form>
  );
}

function GroupFields(
  { group, form, mark }: {
    group: ExtractedGroup;
    form: FormState;
    mark: (name: string) => string | undefined;
  },
) {
  const field = (name: string, label: string, type = "text") => (
    <TextField
      name={name}
      label={label}
      type={type}
      form={form}
      required={false}
      hint={mark(name)}
    />
  );
  switch (group) {
    case "insurance":
      return (
        <>
          {field(
            "insurance.perOccurrenceCents",
            "Per-occurrence limit (dollars)",
          )}
          {field("insurance.aggregateCents", "Aggregate limit (dollars)")}
          {field("insurance.namedInsured", "Named insured")}
          {field(
            "insurance.additionalInsured",
            "Additional insured (as written)",
          )}
        </>
      );
    case "inspection":
      return (
        <>
          {field("inspection.date", "Inspection date", "date")}
          {field("inspection.score", "Score (out of 100)")}
          <Select
            name="inspection.passed"
            label="Result"
            form={form}
            hint={mark("inspection.passed")}
            options={[["", "Choose…"], ["pass", "Pass"], ["fail", "Fail"]]}
          />
        </>
      );
    case "greaseService":
      return field("greaseService.date", "Service date", "date");
    case "certification":
      return field("certification.body", "Certification body");
  }
}

/** Why the holder was last turned down or asked to renew, shown to them. */
export function lastReason(d: ComplianceDocument): string | null {
  const last = d.history[d.history.length - 1];
  return last && (last.to === "rejected" || last.to === "renewal_requested")
    ? last.reason
    : null;
}
