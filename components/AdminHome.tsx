import type { SessionUser } from "../lib/accounts/schema.ts";
import {
  ACCREDITORS,
  CERTIFICATION_BODIES,
  FEDERAL_SCOPES,
  type FederalScope,
  type Recognition,
} from "../lib/compliance/certifiers.ts";
import type {
  ComplianceFlag,
  ExpiringDocument,
  StaffWatch,
} from "../lib/compliance/expiry.ts";
import { DOCUMENT_KIND_NAMES } from "../lib/compliance/schema.ts";
import { formatDateLong, formatDayTime } from "../lib/format.ts";
import { Id, StaffNav } from "./AdminPages.tsx";
import { Table } from "./Table.tsx";

const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

const scopes = (s: readonly FederalScope[]) =>
  s.map((x) => FEDERAL_SCOPES[x].short).join(", ");

const recognitionName = (r: Recognition) =>
  `${CERTIFICATION_BODIES[r.body].name} (${
    ACCREDITORS[r.accreditor].abbreviation
  }; ${scopes(r.scopes)})`;

function ExpiringDocuments({ rows }: { rows: ExpiringDocument[] }) {
  if (rows.length === 0) {
    return <p>No verified document expires in the next 30 days.</p>;
  }
  return (
    <Table
      caption="Documents expiring in the next 30 days"
      head={["Document", "Holder", "Expiry date", "Expires at"]}
    >
      {rows.map(({ document: d, holderName, timeZone, expiresAt }) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={td}>
            <a href={`/admin/documents/${d.id}`} class={link}>
              {DOCUMENT_KIND_NAMES[d.kind]}
            </a>
          </td>
          <td class={td}>
            {`${holderName} (${
              d.holder.kind === "kitchen" ? "kitchen" : "renter"
            })`}
          </td>
          <td class={`${td} whitespace-nowrap`}>
            {formatDateLong(d.expiryDate)}
          </td>
          <td class="py-2">
            {`${formatDayTime(timeZone, expiresAt)} (${timeZone})`}
          </td>
        </tr>
      ))}
    </Table>
  );
}

function FlaggedBookings({ flags }: { flags: ComplianceFlag[] }) {
  if (flags.length === 0) {
    return <p>No upcoming booking has documents expiring before it starts.</p>;
  }
  return (
    <Table
      caption="Bookings whose documents expire before they start"
      head={["Booking", "Starts", "Documents at risk"]}
    >
      {flags.map((f) => (
        <tr class="border-b border-stone-200 align-top">
          <td class={td}>
            <a href={`/admin/bookings/${f.bookingId}`} class={link}>Open</a>
            <Id id={f.bookingId} />
          </td>
          <td class={`${td} whitespace-nowrap`}>
            {`${formatDayTime(f.timeZone, f.start)} (${f.timeZone})`}
          </td>
          <td class="py-2">
            <ul>
              {f.documents.map((d) => (
                <li key={d.documentId}>
                  <a href={`/admin/documents/${d.documentId}`} class={link}>
                    {`${d.holder === "kitchen" ? "Kitchen" : "Renter"}: ${
                      DOCUMENT_KIND_NAMES[d.kind]
                    }`}
                  </a>
                  {`, expires at the end of ${formatDateLong(d.expiryDate)}`}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ))}
    </Table>
  );
}

function Certifiers({ watch }: { watch: StaffWatch }) {
  const { lapsing, lapsed } = watch.certifiers;
  let previous = 0;
  return (
    <div class="space-y-4">
      {lapsing.map((group) => {
        const from = previous;
        previous = group.days;
        const title = from === 0
          ? `Lapsing within ${group.days} days`
          : `Lapsing in ${from + 1} to ${group.days} days`;
        return (
          <div class="space-y-1">
            <h3 class="font-bold">{title}</h3>
            {group.recognitions.length === 0
              ? <p>None.</p>
              : (
                <ul class="list-disc pl-5">
                  {group.recognitions.map((r) => (
                    <li>
                      {`${recognitionName(r)}: last day ${
                        formatDateLong(r.to)
                      }`}
                    </li>
                  ))}
                </ul>
              )}
          </div>
        );
      })}
      <div class="space-y-1">
        <h3 class="font-bold">Already lapsed</h3>
        {lapsed.length === 0 ? <p>None.</p> : (
          <ul class="list-disc pl-5">
            {lapsed.map(({ recognition: r, renewedScopes }) => (
              <li>
                {`${recognitionName(r)}: lapsed on ${formatDateLong(r.to)}; `}
                {renewedScopes.length === r.scopes.length
                  ? "renewed."
                  : renewedScopes.length > 0
                  ? `renewed for ${scopes(renewedScopes)} only.`
                  : <strong class="text-red-700">not renewed.</strong>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The staff home, /admin: what needs watching, and where each page is. */
export function AdminHomePage(
  { user, watch }: { user: SessionUser; watch: StaffWatch },
) {
  const admin = user.roles.includes("admin");
  const role = admin ? "admin" : "support (read-only)";
  const failed = watch.dead.length;
  return (
    <section class="space-y-8">
      <StaffNav current="/admin" />
      <header>
        <h1 class="text-3xl font-extrabold">Overview</h1>
        <p class="text-stone-700">
          {`Signed in as ${user.name}, ${role}.`}
        </p>
      </header>
      <p class="text-lg" data-testid="documents-waiting">
        {watch.waiting === 0 ? "No documents are waiting for a decision." : (
          <>
            <strong>
              {`${watch.waiting} ${
                watch.waiting === 1 ? "document is" : "documents are"
              } waiting for a decision.`}
            </strong>{" "}
            <a href="/admin/documents" class={link}>Open the queue</a>
          </>
        )}
      </p>
      <ul class="space-y-1">
        <li>
          <a href="/admin/documents" class={link}>Documents</a>
          {" — the review queue of permits and wallet documents."}
        </li>
        <li>
          <a href="/admin/bookings" class={link}>Bookings</a>
          {" — the newest bookings; find one by id or email, see its ledger and events."}
        </li>
        <li>
          <a href="/admin/users" class={link}>Users</a>
          {admin
            ? " — find an account by name or email; suspend or reinstate it."
            : " — find an account by name or email and read it."}
        </li>
        <li>
          <a href="/admin/kitchens" class={link}>Kitchens</a>
          {admin
            ? " — find a kitchen by title, city or host; suspend or reinstate it."
            : " — find a kitchen by title, city or host and read it."}
        </li>
        <li>
          <a href="/admin/audit" class={link}>Audit log</a>
          {" — every staff action and money movement, newest first."}
        </li>
        <li>
          <a href="/admin/jobs" class={link}>Failed jobs</a>
          {admin
            ? " — background work that ran out of attempts; retry it."
            : " — background work that ran out of attempts."}
        </li>
        <li>
          <a href="/admin/certifiers" class={link}>Certifier recognitions</a>
          {admin
            ? " — the federal directory; record a renewed recognition."
            : " — the federal directory and when each recognition lapses."}
        </li>
        <li>
          <a href="/admin/messages" class={link}>Contact messages</a>
          {" — what people sent through the contact form, newest first."}
        </li>
        <li>
          <a href="/admin/reports" class={link}>Reports</a>
          {" — messages people reported, with the conversation around them."}
        </li>
        <li>
          <a href="/admin/reviews" class={link}>Reviews</a>
          {admin
            ? " — reported reviews; remove one or dismiss its reports."
            : " — reported reviews."}
        </li>
        <li>
          <a href="/admin/metrics" class={link}>Figures</a>
          {" — bookings, money, fill rate and documents, by week, city and kitchen."}
        </li>
      </ul>
      <section aria-labelledby="failed-jobs" class="space-y-2">
        <h2 id="failed-jobs" class="text-xl font-bold">Failed jobs</h2>
        {failed === 0
          ? <p>No failed jobs: every background job has run.</p>
          : (
            <p>
              <strong class="text-red-800">
                {failed >= 50
                  ? "50 or more background jobs failed."
                  : `${failed} background ${
                    failed === 1 ? "job" : "jobs"
                  } failed.`}
              </strong>{" "}
              <a href="/admin/jobs" class={link}>See and retry them</a>
            </p>
          )}
      </section>
      <section aria-labelledby="expiring" class="space-y-3">
        <h2 id="expiring" class="text-xl font-bold">
          Documents expiring in the next 30 days
        </h2>
        <ExpiringDocuments rows={watch.expiring} />
      </section>
      <section aria-labelledby="flagged" class="space-y-3">
        <h2 id="flagged" class="text-xl font-bold">
          Bookings with documents expiring before they start
        </h2>
        <p class="text-stone-700">
          Checked a week before each confirmed booking; the renter and the host
          were told.
        </p>
        <FlaggedBookings flags={watch.flags} />
      </section>
      <section aria-labelledby="certifiers" class="space-y-3">
        <h2 id="certifiers" class="text-xl font-bold">
          Certifier recognitions
        </h2>
        <p class="text-stone-700">
          {`As of ${formatDateLong(watch.today)}. `}
          <a href="/admin/certifiers" class={link}>Record a renewal</a>
        </p>
        <Certifiers watch={watch} />
      </section>
    </section>
  );
}
