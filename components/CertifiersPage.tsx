import { formatDateYear } from "../lib/format.ts";
import {
  ACCREDITOR_IDS,
  ACCREDITORS,
  CERTIFICATION_BODIES,
  type CertificationBodyId,
  FEDERAL_SCOPE_IDS,
  FEDERAL_SCOPES,
  type FederalScope,
  scopeLabel,
} from "../lib/compliance/certifiers.ts";
import type { DirectoryRow } from "../lib/compliance/directory.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  SubmitButton,
  TextField,
} from "./Forms.tsx";
import { Table } from "./Table.tsx";
import { StaffNav } from "./AdminPages.tsx";

/** The UTC day staff recorded a renewal on, as "Tue, Dec 1, 2026". */
const recordedOn = (ms: number) =>
  formatDateYear(new Date(ms).toISOString().slice(0, 10));

const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";
const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";

const shortScopes = (scopes: readonly FederalScope[]) =>
  scopes.map((s) => FEDERAL_SCOPES[s].short).join(", ");

function Standing({ row }: { row: DirectoryRow }) {
  if (row.state !== "lapsed") {
    return (
      <span class={row.state === "in_force" ? "text-emerald-800" : ""}>
        {row.description}
      </span>
    );
  }
  const renewed = row.renewedScopes;
  return (
    <span>
      <strong class="text-red-700">{row.description}</strong>
      {renewed.length > 0 && (
        <span class="block text-stone-700">
          {`A renewal covers ${shortScopes(renewed)}.`}
        </span>
      )}
    </span>
  );
}

/** The directory's rows as a table; lapsed rows stay and say so. */
export function DirectoryTable({ rows }: { rows: DirectoryRow[] }) {
  return (
    <Table
      caption="Recognitions of certification bodies"
      head={[
        "Certification body",
        "Accreditor",
        "Scopes",
        "Recognised from",
        "Recognised until",
        "Standing",
      ]}
    >
      {rows.map((row) => {
        const r = row.recognition;
        return (
          <tr
            class="border-b border-stone-200 align-top"
            data-state={row.state}
            data-body={r.body}
          >
            <td class={td}>
              {CERTIFICATION_BODIES[r.body].name}
              {row.recorded && (
                <span class="block text-xs text-stone-600">
                  {`Renewal recorded by Prep staff on ${
                    recordedOn(row.recorded.recordedAt)
                  }`}
                </span>
              )}
            </td>
            <td class={td}>{ACCREDITORS[r.accreditor].abbreviation}</td>
            <td class={td}>{shortScopes(r.scopes)}</td>
            <td class={`${td} whitespace-nowrap`}>{r.from}</td>
            <td class={`${td} whitespace-nowrap`}>{r.to}</td>
            <td class="py-2">
              <Standing row={row} />
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

function Summary(
  { rows, today, scope }: {
    rows: DirectoryRow[];
    today: string;
    scope: FederalScope | null;
  },
) {
  const lapsed = rows.filter((r) => r.state === "lapsed").length;
  const what = scope ? ` for ${scopeLabel(scope)}` : "";
  if (rows.length === 0) {
    return <p>{`No certification body is recognised${what}.`}</p>;
  }
  return (
    <p>
      {`${rows.length} recognition${rows.length === 1 ? "" : "s"}${what}; ${
        lapsed === 0
          ? "none has lapsed"
          : `${lapsed} ${lapsed === 1 ? "has" : "have"} lapsed`
      } as of ${formatDateYear(today)}.`}
    </p>
  );
}

const SCOPE_OPTIONS: [string, string][] = [
  ["", "All scopes"],
  ...FEDERAL_SCOPE_IDS.map((s): [string, string] => [s, scopeLabel(s)]),
];

/** The public directory, /certifiers. */
export function CertifiersPage(
  { rows, today, scope, form }: {
    rows: DirectoryRow[];
    today: string;
    scope: FederalScope | null;
    form: FormState;
  },
) {
  return (
    <div class="space-y-8">
      <header class="max-w-3xl space-y-2">
        <h1 class="text-3xl font-extrabold">Federal certifier directory</h1>
        <p class="text-stone-700">
          A certificate of a federal food-safety scope, such as Preventive
          Controls for Human Food, is accepted on Prep only when the
          certification body that issued it was recognised by an accreditor for
          that scope on the issue date and is still recognised today. These are
          the recognitions we check against, including those that have lapsed.
        </p>
      </header>

      <section aria-labelledby="accreditors" class="space-y-2">
        <h2 id="accreditors" class="text-xl font-bold">Accreditors</h2>
        <ul class="list-disc pl-5">
          {ACCREDITOR_IDS.map((id) => (
            <li key={id}>
              <a href={ACCREDITORS[id].url} class={link} rel="noopener">
                {ACCREDITORS[id].name}
              </a>
              {` (${ACCREDITORS[id].abbreviation})`}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="scopes" class="space-y-2">
        <h2 id="scopes" class="text-xl font-bold">Scopes</h2>
        <ul class="list-disc pl-5">
          {FEDERAL_SCOPE_IDS.map((s) => (
            <li key={s}>
              <a href={`/certifiers?scope=${s}`} class={link}>
                {scopeLabel(s)}
              </a>
              {`, ${FEDERAL_SCOPES[s].regulation}`}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="recognitions" class="space-y-4">
        <h2 id="recognitions" class="text-xl font-bold">
          Recognised certification bodies
        </h2>
        <form
          method="get"
          action="/certifiers"
          role="search"
          aria-label="Certification bodies by scope"
          class="flex flex-wrap items-end gap-3"
        >
          <div class="min-w-64">
            <Select
              name="scope"
              label="Scope"
              form={form}
              options={SCOPE_OPTIONS}
            />
          </div>
          <SubmitButton>Show</SubmitButton>
        </form>
        <FormMessage form={form} />
        <Summary rows={rows} today={today} scope={scope} />
        {rows.length > 0 && <DirectoryTable rows={rows} />}
      </section>
    </div>
  );
}

function ScopeChoices({ form }: { form: FormState }) {
  const chosen = new Set((form.values.scopes ?? "").split(","));
  const error = form.errors.scopes ??
    Object.entries(form.errors).find(([k]) => k.startsWith("scopes."))?.[1];
  return (
    <fieldset aria-describedby={error ? "r-scopes-error" : undefined}>
      <legend class="text-sm font-semibold">Scopes</legend>
      <div class="mt-1 grid gap-1 sm:grid-cols-2">
        {FEDERAL_SCOPE_IDS.map((s) => (
          <label key={s} class="flex items-center gap-2">
            <input
              type="checkbox"
              name="scopes"
              value={s}
              checked={chosen.has(s)}
            />
            {scopeLabel(s)}
          </label>
        ))}
      </div>
      {error && (
        <p id="r-scopes-error" class="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

const BODY_OPTIONS: [string, string][] = [
  ["", "Choose a certification body"],
  ...(Object.keys(CERTIFICATION_BODIES) as CertificationBodyId[])
    .map((id): [string, string] => [id, CERTIFICATION_BODIES[id].name])
    .sort((a, b) => a[1].localeCompare(b[1])),
];

const ACCREDITOR_OPTIONS: [string, string][] = [
  ["", "Choose an accreditor"],
  ...ACCREDITOR_IDS.map((id): [string, string] => [
    id,
    `${ACCREDITORS[id].name} (${ACCREDITORS[id].abbreviation})`,
  ]),
];

/** /admin/certifiers: the directory, and for admins the form to record a renewal. */
export function AdminCertifiersPage(
  { rows, today, canAct, form, notice }: {
    rows: DirectoryRow[];
    today: string;
    canAct: boolean;
    form: FormState;
    notice?: string;
  },
) {
  return (
    <div class="space-y-8">
      <StaffNav current="/admin/certifiers" />
      <header class="space-y-2">
        <h1 class="text-3xl font-extrabold">Certifier recognitions</h1>
        <p class="max-w-3xl text-stone-700">
          The federal directory the authority chain of renters' certificates
          runs over. When an accreditor renews a body's recognition, record the
          renewal here; the published rows stay as they were.
        </p>
        <p>
          <a href="/admin" class={link}>Staff home</a>
          {" · "}
          <a href="/certifiers" class={link}>Public directory</a>
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      <section aria-labelledby="record" class={card}>
        <h2 id="record" class="text-xl font-bold">
          Record a renewed recognition
        </h2>
        {canAct
          ? (
            <form
              method="post"
              action="/admin/certifiers"
              class="space-y-4"
              novalidate
            >
              <FormMessage form={form} />
              <Select
                name="accreditor"
                label="Accreditor"
                form={form}
                scope="r"
                options={ACCREDITOR_OPTIONS}
              />
              <Select
                name="body"
                label="Certification body"
                form={form}
                scope="r"
                options={BODY_OPTIONS}
              />
              <ScopeChoices form={form} />
              <div class="grid gap-4 sm:grid-cols-2">
                <TextField
                  name="from"
                  label="Recognised from"
                  type="date"
                  form={form}
                  scope="r"
                  hint="The first day of the recognition."
                />
                <TextField
                  name="to"
                  label="Recognised until"
                  type="date"
                  form={form}
                  scope="r"
                  hint="The last day it is in force."
                />
              </div>
              <SubmitButton>Record the recognition</SubmitButton>
            </form>
          )
          : <p>Support accounts can look but not change.</p>}
      </section>
      <section aria-labelledby="directory" class="space-y-3">
        <h2 id="directory" class="text-xl font-bold">
          {`The directory as of ${formatDateYear(today)}`}
        </h2>
        <DirectoryTable rows={rows} />
      </section>
    </div>
  );
}
