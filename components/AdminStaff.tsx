import type { SessionUser } from "../lib/accounts/schema.ts";
import type { AuditNames } from "../lib/audit/names.ts";
import type { AuditEntry } from "../lib/audit/schema.ts";
import type {
  DirectoryPage,
  StaffKitchenRow,
  StaffUserRow,
} from "../lib/compliance/staff_search.ts";
import type {
  StaffKitchenView,
  StaffUserView,
} from "../lib/compliance/suspensions.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
} from "../lib/compliance/schema.ts";
import { findCity } from "../lib/cities.ts";
import { formatDateLong } from "../lib/format.ts";
import {
  AuditRows,
  bookingStatusName,
  bookingTimes,
  Fact,
  Id,
  PersonLink,
  StaffNav,
  Stamp,
} from "./AdminPages.tsx";
import { STATUS_NAMES } from "./CompliancePages.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextArea,
  TextField,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";
import { Table } from "./Table.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

// ---------------------------------------------------------------------------
// The audit log

/** The filters as typed, for links to further pages. */
const AUDIT_FIELDS = ["actor", "kind", "subject", "action", "from", "to"];

function auditLink(values: Record<string, string>, cursor?: string): string {
  const q = new URLSearchParams();
  if (cursor) q.set("cursor", cursor);
  for (const f of AUDIT_FIELDS) {
    const v = values[f]?.trim();
    if (v) q.set(f, v);
  }
  const s = q.toString();
  return s ? `/admin/audit?${s}` : "/admin/audit";
}

export function AdminAuditPage(
  { entries, names, cursor, paged, partial, form, filtered }: {
    entries: AuditEntry[];
    /** The people and things the entries mention. */
    names: AuditNames;
    /** The next (older) page, or null on the last one. */
    cursor: string | null;
    /** Whether this is a later page than the newest. */
    paged: boolean;
    /** The search stopped at its budget before filling the page. */
    partial: boolean;
    form: FormState;
    /** Whether any filter is set. */
    filtered: boolean;
  },
) {
  const failed = Object.keys(form.errors).length > 0;
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/audit" />
      <h1 class="text-3xl font-extrabold">Audit log</h1>
      <p class="text-stone-700">
        Every staff action and every money movement, newest first. Entries are
        never changed or deleted.
      </p>
      <form method="get" action="/admin/audit" class={card} role="search">
        <h2 class="text-xl font-bold">Filter</h2>
        {/* A bad page link has no field of its own: say so above the form. */}
        <FormMessage
          form={{ ...form, message: form.errors.cursor ?? form.message }}
        />
        <div class="grid gap-3 sm:grid-cols-2">
          <TextField
            name="actor"
            label="Who (user id or email)"
            form={form}
            required={false}
          />
          <TextField
            name="action"
            label="Action"
            hint='Exact, like "document.verified", or every one of a kind, like "document."'
            form={form}
            required={false}
          />
          <TextField
            name="kind"
            label="Object kind"
            hint="booking, document, kitchen, user…"
            form={form}
            required={false}
          />
          <TextField
            name="subject"
            label="Object id"
            form={form}
            required={false}
          />
          <TextField
            name="from"
            label="From (UTC date)"
            type="date"
            form={form}
            required={false}
          />
          <TextField
            name="to"
            label="To (UTC date, included)"
            type="date"
            form={form}
            required={false}
          />
        </div>
        <div class="flex items-center gap-4">
          <SubmitButton>Filter the log</SubmitButton>
          {filtered && <a href="/admin/audit" class={link}>Clear filters</a>}
        </div>
      </form>
      {!failed && (
        <>
          {entries.length === 0
            ? (
              <p>
                {partial
                  ? "No matching entries among the entries searched so far."
                  : "No entries."}
              </p>
            )
            : <AuditRows entries={entries} names={names} caption="Audit log" />}
          {partial && cursor && (
            <p class="text-stone-700">
              The search stopped after a few thousand entries; older entries
              were not searched yet.
            </p>
          )}
          <nav aria-label="Audit log pages" class="flex gap-4">
            {paged && (
              <a href={auditLink(form.values)} class={link}>Newest entries</a>
            )}
            {cursor && (
              <a href={auditLink(form.values, cursor)} class={link}>
                {partial ? "Search older entries" : "Older entries"}
              </a>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------
// The user and kitchen directories

/** A directory page's address: the search as typed, and where the page starts. */
function directoryLink(
  path: string,
  fields: string[],
  values: Record<string, string>,
  cursor?: string,
): string {
  const q = new URLSearchParams();
  for (const f of fields) {
    const v = values[f]?.trim();
    if (v) q.set(f, v);
  }
  if (cursor) q.set("cursor", cursor);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The results of a directory search, or nothing when the search was not valid. */
function DirectoryResults<R>(
  { found, form, path, fields, what, table }: {
    found: DirectoryPage<R> | null;
    form: FormState;
    path: string;
    fields: string[];
    /** "accounts", "kitchens". */
    what: string;
    table: (rows: R[]) => preact.JSX.Element;
  },
) {
  if (!found) return null;
  const searched = fields.some((f) => form.values[f]?.trim());
  const paged = Boolean(form.values.cursor?.trim());
  return (
    <section aria-labelledby="results" class="space-y-3">
      <h2 id="results" class="text-xl font-bold">
        {searched ? "Results" : `All ${what}, newest first`}
      </h2>
      {found.rows.length === 0
        ? (
          <p>
            {found.partial
              ? `No matching ${what} among the entries searched so far.`
              : searched
              ? `No ${what} match this search.`
              : `No ${what} yet.`}
          </p>
        )
        : table(found.rows)}
      {found.partial && found.next && (
        <p class="text-stone-700">
          The search stopped after reading a thousand entries; later entries
          were not searched yet.
        </p>
      )}
      <nav aria-label={`Pages of ${what}`} class="flex gap-4">
        {paged && (
          <a href={directoryLink(path, fields, form.values)} class={link}>
            First page
          </a>
        )}
        {found.next && (
          <a
            href={directoryLink(path, fields, form.values, found.next)}
            class={link}
          >
            {found.partial ? "Search further" : "Next page"}
          </a>
        )}
      </nav>
    </section>
  );
}

const USER_FIELDS = ["q"];

export function AdminUsersPage(
  { found, form }: {
    /** Null when the search was not valid (the form says why). */
    found: DirectoryPage<StaffUserRow> | null;
    form: FormState;
  },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/users" />
      <h1 class="text-3xl font-extrabold">Users</h1>
      <form method="get" action="/admin/users" class={card} role="search">
        {/* A bad page link has no field of its own: say so above the form. */}
        <FormMessage
          form={{ ...form, message: form.errors.cursor ?? form.message }}
        />
        <TextField
          name="q"
          label="Name or email"
          hint="A name, business name or email address, or its start: “ros” finds Rosa. “@example.com” finds everyone at that domain."
          form={form}
          required={false}
        />
        <SubmitButton>Find accounts</SubmitButton>
      </form>
      <DirectoryResults
        found={found}
        form={form}
        path="/admin/users"
        fields={USER_FIELDS}
        what="accounts"
        table={(rows) => (
          <Table
            caption="Accounts"
            head={["Name", "Email", "Roles", "Status"]}
          >
            {rows.map((u) => (
              <tr key={u.id} class="border-b border-stone-200 align-top">
                <td class={td}>
                  <a href={`/admin/users/${u.id}`} class={link}>{u.name}</a>
                  {u.businessName && (
                    <span class="block text-stone-700">{u.businessName}</span>
                  )}
                </td>
                <td class={td}>{u.email}</td>
                <td class={td}>{u.roles.join(", ")}</td>
                <td class={td}>
                  <AccountStatus suspended={u.suspended} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      />
    </section>
  );
}

function AccountStatus({ suspended }: { suspended: boolean }) {
  return suspended
    ? <span class="font-semibold text-red-800">Suspended</span>
    : <span>Active</span>;
}

const KITCHEN_FIELDS = ["q", "host"];

export function AdminKitchensPage(
  { found, form }: {
    /** Null when the search was not valid (the form says why). */
    found: DirectoryPage<StaffKitchenRow> | null;
    form: FormState;
  },
) {
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/kitchens" />
      <h1 class="text-3xl font-extrabold">Kitchens</h1>
      <form method="get" action="/admin/kitchens" class={card} role="search">
        <FormMessage
          form={{ ...form, message: form.errors.cursor ?? form.message }}
        />
        <div class="grid gap-3 sm:grid-cols-2">
          <TextField
            name="q"
            label="Title or city"
            hint="Words of the title or the city, or their start: “wick chi”."
            form={form}
            required={false}
          />
          <TextField
            name="host"
            label="Host name or email"
            hint="Only this host's kitchens; with a title or city, both must match."
            form={form}
            required={false}
          />
        </div>
        <SubmitButton>Find kitchens</SubmitButton>
      </form>
      <DirectoryResults
        found={found}
        form={form}
        path="/admin/kitchens"
        fields={KITCHEN_FIELDS}
        what="kitchens"
        table={(rows) => (
          <Table
            caption="Kitchens"
            head={["Title", "City", "Host", "Status"]}
          >
            {rows.map((k) => (
              <tr key={k.id} class="border-b border-stone-200 align-top">
                <td class={td}>
                  <a href={`/admin/kitchens/${k.id}`} class={link}>
                    {k.title}
                  </a>
                </td>
                <td class={td}>{k.city}</td>
                <td class={td}>
                  {k.host.email
                    ? (
                      <a href={`/admin/users/${k.host.id}`} class={link}>
                        {k.host.name}
                      </a>
                    )
                    : (k.host.name ?? k.host.id)}
                  <span class="block text-stone-700">
                    {k.host.email ?? "no account"}
                  </span>
                </td>
                <td class={td}>
                  {k.status === "suspended"
                    ? <span class="font-semibold text-red-800">Suspended</span>
                    : KITCHEN_STATUS_NAMES[k.status]}
                </td>
              </tr>
            ))}
          </Table>
        )}
      />
    </section>
  );
}

const KITCHEN_STATUS_NAMES: Record<StaffKitchenRow["status"], string> = {
  draft: "Draft",
  published: "Published",
  unlisted: "Unlisted",
  suspended: "Suspended",
};

// ---------------------------------------------------------------------------
// Suspend and reinstate

function SuspendForm(
  { action, title, explain, button, form, danger }: {
    action: string;
    title: string;
    explain: string;
    button: string;
    form: FormState;
    danger: boolean;
  },
) {
  return (
    <form method="post" action={action} class={card}>
      <h2 class="text-xl font-bold">{title}</h2>
      <p>{explain}</p>
      <TextArea
        name="reason"
        label="Reason (kept in the audit log and shown to the person affected)"
        hint={upToChars(REASON_MAX_CHARS)}
        form={form}
        rows={3}
        maxLength={REASON_MAX_CHARS}
      />
      {danger
        ? (
          <button
            type="submit"
            class="rounded-lg border border-red-300 px-4 py-2 font-semibold text-red-800"
          >
            {button}
          </button>
        )
        : <SubmitButton>{button}</SubmitButton>}
    </form>
  );
}

function DocumentRows(
  { documents, caption }: { documents: ComplianceDocument[]; caption: string },
) {
  return (
    <Table caption={caption} head={["Type", "Number", "Expires", "Status"]}>
      {documents.map((d) => (
        <tr key={d.id} class="border-b border-stone-200">
          <td class={td}>
            <a href={`/admin/documents/${d.id}`} class={link}>
              {DOCUMENT_KIND_NAMES[d.kind]}
            </a>
          </td>
          <td class={td}>{d.number}</td>
          <td class={`${td} whitespace-nowrap`}>
            {formatDateLong(d.expiryDate)}
          </td>
          <td class={td}>{STATUS_NAMES[d.status]}</td>
        </tr>
      ))}
    </Table>
  );
}

export function AdminKitchenPage(
  { view, canAct, form, notice }: {
    view: StaffKitchenView;
    /** Admins act; support only reads. */
    canAct: boolean;
    form: FormState;
    notice?: string;
  },
) {
  const k = view.kitchen;
  const title = k?.title ?? view.draft?.title ?? "Untitled draft";
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/kitchens" readOnly={!canAct} />
      {notice && <Notice>{notice}</Notice>}
      <FormMessage form={form} />
      <header>
        <h1 class="text-3xl font-extrabold">{title}</h1>
        <Id id={view.id} />
      </header>
      <div class={card}>
        <h2 class="text-xl font-bold">Kitchen</h2>
        <dl class="space-y-1">
          <Fact label="Status">
            {k ? KITCHEN_STATUS_NAMES[k.status] : "Draft (never published)"}
          </Fact>
          {k?.suspension && (
            <Fact label="Suspended">
              <Stamp ms={k.suspension.at} />
              {" by "}
              <PersonLink
                id={k.suspension.by}
                person={view.names.people[k.suspension.by]}
              />
              <span class="block typed-text">
                {`Reason: ${k.suspension.reason}`}
              </span>
              <span class="block text-stone-700">
                {`Before: ${KITCHEN_STATUS_NAMES[k.suspension.previous]}`}
              </span>
            </Fact>
          )}
          {k && (
            <Fact label="Address">
              {`${k.address.line1}, ${
                findCity(k.address.city)?.name ?? k.address.city
              }`}
            </Fact>
          )}
          {k && (
            <Fact label="Permits">
              {k.permits
                ? (k.permits.ok
                  ? "Required permits verified"
                  : `Missing: ${
                    (k.permits.missingNames ?? k.permits.missing).join(", ")
                  }`)
                : "Not checked yet"}
            </Fact>
          )}
          <Fact label="Host">
            {view.host
              ? (
                <a href={`/admin/users/${view.host.id}`} class={link}>
                  {`${view.host.name} (${view.host.email})`}
                </a>
              )
              : (k?.hostId ?? view.draft?.hostId ?? "")}
          </Fact>
          {k?.status === "published" && (
            <Fact label="Public page">
              <a href={`/kitchens/${k.id}`} class={link}>View listing</a>
            </Fact>
          )}
        </dl>
      </div>
      {canAct && k && k.status !== "suspended" && (
        <SuspendForm
          action={`/admin/kitchens/${view.id}/suspend`}
          title="Suspend this kitchen"
          explain="The kitchen leaves search and takes no new holds. Bookings already made stand: handle them below. The host is notified."
          button="Suspend the kitchen"
          form={form}
          danger
        />
      )}
      {canAct && k?.status === "suspended" && (
        <SuspendForm
          action={`/admin/kitchens/${view.id}/reinstate`}
          title="Reinstate this kitchen"
          explain={`The kitchen returns to ${
            k.suspension?.previous ?? "unlisted"
          }. The host is notified.`}
          button="Reinstate the kitchen"
          form={form}
          danger={false}
        />
      )}
      {canAct && !k && (
        <p class="text-stone-700">
          This listing is a draft that was never published, so there is nothing
          to suspend: it is not in search and takes no bookings.
        </p>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">Upcoming bookings</h2>
        {view.upcoming.length === 0 ? <p>No upcoming bookings.</p> : (
          <Table
            caption="Upcoming bookings"
            head={["Booking", "When", "Renter", "Status"]}
          >
            {view.upcoming.map((b) => (
              <tr key={b.id} class="border-b border-stone-200 align-top">
                <td class={td}>
                  <a href={`/admin/bookings/${b.id}`} class={link}>Open</a>
                  <Id id={b.id} />
                </td>
                <td class={td}>{bookingTimes(b)}</td>
                <td class={td}>
                  <PersonLink
                    id={b.renterId}
                    person={view.people[b.renterId]}
                  />
                </td>
                <td class={td}>{bookingStatusName(b.status)}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Permits</h2>
        {view.documents.length === 0
          ? <p>No permits uploaded.</p>
          : <DocumentRows documents={view.documents} caption="Permits" />}
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Recent audit entries</h2>
        {view.audit.length === 0
          ? <p>No audit entries for this kitchen.</p>
          : (
            <AuditRows
              entries={view.audit}
              names={view.names}
              caption="Audit entries"
            />
          )}
      </div>
    </section>
  );
}

export function AdminUserPage(
  { view, viewer, canAct, form, notice }: {
    view: StaffUserView;
    viewer: SessionUser;
    canAct: boolean;
    form: FormState;
    notice?: string;
  },
) {
  const u = view.user;
  const self = u.id === viewer.id;
  return (
    <section class="space-y-6">
      <StaffNav current="/admin/users" readOnly={!canAct} />
      {notice && <Notice>{notice}</Notice>}
      <FormMessage form={form} />
      <header>
        <h1 class="text-3xl font-extrabold">{u.name}</h1>
        <Id id={u.id} />
      </header>
      <div class={card}>
        <h2 class="text-xl font-bold">Account</h2>
        <dl class="space-y-1">
          <Fact label="Email">{u.email}</Fact>
          <Fact label="Status">{u.suspension ? "Suspended" : "Active"}</Fact>
          {u.suspension && (
            <Fact label="Suspended">
              <Stamp ms={u.suspension.at} />
              {" by "}
              <PersonLink
                id={u.suspension.by}
                person={view.names.people[u.suspension.by]}
              />
              <span class="block typed-text">
                {`Reason: ${u.suspension.reason}`}
              </span>
            </Fact>
          )}
          <Fact label="Roles">{u.roles.join(", ")}</Fact>
          <Fact label="Email confirmed">
            {u.emailVerifiedAt
              ? <Stamp ms={Date.parse(u.emailVerifiedAt)} />
              : "Not yet"}
          </Fact>
          {u.businessName && <Fact label="Business">{u.businessName}</Fact>}
          <Fact label="Joined">
            <Stamp ms={Date.parse(u.createdAt)} />
          </Fact>
          <Fact label="Bookings">
            <a
              href={`/admin/bookings?q=${encodeURIComponent(u.email)}`}
              class={link}
            >
              Find their bookings
            </a>
          </Fact>
        </dl>
      </div>
      {canAct && self && (
        <p class="text-stone-700">
          This is your own account: another admin must suspend or reinstate it.
        </p>
      )}
      {canAct && !self && !u.suspension && (
        <SuspendForm
          action={`/admin/users/${u.id}/suspend`}
          title="Suspend this account"
          explain="Their sessions end at once, whatever their roles, and they cannot log in, book, host or publish listings until reinstated. They are notified."
          button="Suspend the account"
          form={form}
          danger
        />
      )}
      {canAct && !self && u.suspension && (
        <SuspendForm
          action={`/admin/users/${u.id}/reinstate`}
          title="Reinstate this account"
          explain="They can log in, book and host again; sessions ended by the suspension stay ended. They are notified."
          button="Reinstate the account"
          form={form}
          danger={false}
        />
      )}
      {view.kitchens.length > 0 && (
        <div class={card}>
          <h2 class="text-xl font-bold">Kitchens</h2>
          <ul class="space-y-1">
            {view.kitchens.map((k) => (
              <li key={k.id}>
                <a href={`/admin/kitchens/${k.id}`} class={link}>{k.title}</a>
                {` (${KITCHEN_STATUS_NAMES[k.status]})`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">Compliance wallet</h2>
        {view.documents.length === 0
          ? <p>No documents uploaded.</p>
          : (
            <DocumentRows
              documents={view.documents}
              caption="Wallet documents"
            />
          )}
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Recent audit entries</h2>
        {view.audit.length === 0
          ? <p>No audit entries for this account.</p>
          : (
            <AuditRows
              entries={view.audit}
              names={view.names}
              caption="Audit entries"
            />
          )}
      </div>
    </section>
  );
}
