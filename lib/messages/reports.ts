/**
 * Reported messages, staff's side (issue 18 §5): the queue at
 * /admin/reports, one report with its whole thread, and the decision —
 * dismiss, warn the author (an email), or suspend the author through the
 * existing suspension (lib/compliance/suspensions.ts). Support reads, admins
 * act (lib/accounts/roles.ts).
 *
 * Threads are private to their two parties; staff read one only here, for
 * a report, and every such view writes an audit entry ("thread.viewed")
 * before anything is shown. Decisions write theirs in the atomic of the
 * decision.
 */
import { getUsers } from "../accounts/repo.ts";
import { requireCapability } from "../accounts/roles.ts";
import type { SessionUser, User } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import { suspendUser } from "../compliance/suspensions.ts";
import { addEmail, type MailSettings } from "../email/job.ts";
import { notificationEmail, type RenderedEmail } from "../email/templates.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { formatStamp } from "../format.ts";
import { isId } from "../ids.ts";
import { getKitchens } from "../kitchens/repo.ts";
import { addNotification } from "../notifications/repo.ts";
import { attachmentLabel } from "./attachments.ts";
import {
  addReportUpdate,
  addThreadUpdate,
  commitMessagesWrite,
  getReportEntry,
  getThreadEntry,
  listMessagesBefore,
  listOpenReports,
} from "./repo.ts";
import type { Message, Report, ReportOutcome, Thread } from "./schema.ts";

type Person = { id: string; name: string; email: string };

export interface ReportRow {
  report: Report;
  reporter: Person | null;
  author: Person | null;
  kitchenTitle: string | null;
  /** "Thu, Dec 10, 2026, 9:00 AM UTC". */
  when: string;
}

/** The staff queue's length at most: the oldest open reports first. */
export const REPORTS_SHOWN = 100;

const when = (ms: number) => `${formatStamp("UTC", ms)} UTC`;

async function people(
  kv: Deno.Kv,
  ids: string[],
): Promise<Map<string, Person>> {
  const users = await getUsers(kv, ids);
  const out = new Map<string, Person>();
  for (const u of users.values()) {
    out.set(u.id, { id: u.id, name: u.name, email: u.email });
  }
  return out;
}

/** `/admin/reports`: open reports, oldest first, with who and about which kitchen. */
export async function listReportsForStaff(
  kv: Deno.Kv,
  viewer: SessionUser | null,
): Promise<ReportRow[]> {
  requireCapability(viewer, "admin:read");
  const reports = await listOpenReports(kv, REPORTS_SHOWN);
  const threads = new Map<string, Thread>();
  for (const r of reports) {
    if (threads.has(r.threadId)) continue;
    const t = (await getThreadEntry(kv, r.threadId)).value;
    if (t) threads.set(t.id, t);
  }
  const [found, kitchens] = await Promise.all([
    people(kv, reports.flatMap((r) => [r.reporterId, r.authorId])),
    getKitchens(kv, [
      ...new Set([...threads.values()].map((t) => t.kitchenId)),
    ]),
  ]);
  const titles = new Map(
    kitchens.filter((k) => k !== null).map((k) => [k!.id, k!.title]),
  );
  return reports.map((r) => ({
    report: r,
    reporter: found.get(r.reporterId) ?? null,
    author: found.get(r.authorId) ?? null,
    kitchenTitle: titles.get(threads.get(r.threadId)?.kitchenId ?? "") ??
      null,
    when: when(r.at),
  }));
}

/** A message as staff read it: the original text (never masked), who wrote it. */
export interface StaffMessage {
  id: string;
  authorName: string;
  text: string;
  when: string;
  reported: boolean;
  /** A file sent with it: staff open it through the report (audited). */
  attachment: { href: string; name: string; label: string } | null;
}

export interface StaffReportView {
  row: ReportRow;
  thread: Thread;
  renter: Person | null;
  host: Person | null;
  messages: StaffMessage[];
  /** Whether older messages than those shown exist. */
  earlier: boolean;
}

/** Messages of a reported thread staff see at once: the newest, and the reported one among them. */
const STAFF_MESSAGES = 200;

/**
 * `/admin/reports/:id`: the report and its thread. Staff reading a thread
 * is itself recorded: the audit entry is written (its own atomic) before
 * anything is returned, so no view goes unrecorded.
 */
export async function loadReportForStaff(
  deps: { kv: Deno.Kv; now: number },
  viewer: SessionUser | null,
  reportId: string,
): Promise<StaffReportView> {
  requireCapability(viewer, "admin:read");
  const { kv, now } = deps;
  const entry = isId(reportId) ? await getReportEntry(kv, reportId) : null;
  const report = entry?.value;
  if (!report) throw new NotFoundError("We could not find that report.");
  const thread = (await getThreadEntry(kv, report.threadId)).value;
  if (!thread) throw new NotFoundError("That conversation no longer exists.");

  const seen = kv.atomic();
  addAudit(seen, {
    actor: { kind: "user", id: viewer.id, email: viewer.email },
    action: "thread.viewed",
    subject: { kind: "thread", id: thread.id },
    details: { report: report.id, status: report.status },
  }, now);
  if (!(await commitMessagesWrite(kv, seen, {}))) {
    throw new ConflictError("That did not go through; please try again.");
  }

  const [page, found, kitchens] = await Promise.all([
    listMessagesBefore(kv, thread.id, null, STAFF_MESSAGES),
    people(kv, [thread.renterId, thread.hostId, report.reporterId]),
    getKitchens(kv, [thread.kitchenId]),
  ]);
  const name = (id: string) => found.get(id)?.name ?? "A former member";
  return {
    row: {
      report,
      reporter: found.get(report.reporterId) ?? null,
      author: found.get(report.authorId) ?? null,
      kitchenTitle: kitchens[0]?.title ?? null,
      when: when(report.at),
    },
    thread,
    renter: found.get(thread.renterId) ?? null,
    host: found.get(thread.hostId) ?? null,
    messages: page.messages.map((m: Message) => ({
      id: m.id,
      authorName: name(m.authorId),
      text: m.text,
      when: when(m.at),
      reported: m.id === report.messageId,
      attachment: m.attachment
        ? {
          href: `/admin/reports/${report.id}/files/${m.id}`,
          name: m.attachment.name,
          label: attachmentLabel(m.attachment),
        }
        : null,
    })),
    earlier: page.more,
  };
}

/** The decision's effect on the report and its thread, added to `atomic` (read fresh). */
async function addDecision(
  kv: Deno.Kv,
  atomic: Deno.AtomicOperation,
  admin: SessionUser,
  reportId: string,
  outcome: ReportOutcome,
  note: string,
  now: number,
): Promise<{ report: Report; author: string }> {
  const entry = await getReportEntry(kv, reportId);
  if (!entry.value) throw new NotFoundError("We could not find that report.");
  if (entry.value.status !== "open") {
    throw new ConflictError("This report was already decided.", {
      href: "/admin/reports",
      label: "Back to reports",
    });
  }
  const report = entry.value;
  const after: Report = {
    ...report,
    status: outcome,
    decision: { by: admin.id, at: now, note },
  };
  addReportUpdate(atomic, entry as Deno.KvEntry<Report>, after);
  const thread = await getThreadEntry(kv, report.threadId);
  if (thread.value) {
    addThreadUpdate(atomic, thread as Deno.KvEntry<Thread>, {
      ...thread.value,
      openReports: Math.max(0, thread.value.openReports - 1),
    });
  }
  addAudit(atomic, {
    actor: { kind: "user", id: admin.id, email: admin.email },
    action: `message_report.${outcome}`,
    subject: { kind: "message_report", id: report.id },
    details: {
      thread: report.threadId,
      message: report.messageId,
      author: report.authorId,
    },
    reason: note,
  }, now);
  return { report: after, author: report.authorId };
}

/**
 * Staff decide a report (admins only). Dismiss closes it; warn also emails
 * the author the note (and tells them in the app); suspend suspends the
 * author's account through the existing suspension, whose atomic carries
 * the report's decision too. Each writes its audit entry in its atomic.
 */
export async function decideReport(
  deps: { kv: Deno.Kv; now: number; mail: MailSettings },
  admin: SessionUser | null,
  reportId: string,
  input: { outcome: ReportOutcome; note: string },
): Promise<Report> {
  requireCapability(admin, "admin:act");
  const { kv, now } = deps;
  if (!isId(reportId)) {
    throw new NotFoundError("We could not find that report.");
  }
  const current = (await getReportEntry(kv, reportId)).value;
  if (!current) throw new NotFoundError("We could not find that report.");
  if (input.outcome === "suspended") {
    let decided: Report | null = null;
    await suspendUser(
      kv,
      current.authorId,
      admin,
      input.note,
      now,
      async (atomic) => {
        decided = (await addDecision(
          kv,
          atomic,
          admin,
          reportId,
          "suspended",
          input.note,
          now,
        )).report;
      },
    );
    return decided!;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const atomic = kv.atomic();
    const { report, author } = await addDecision(
      kv,
      atomic,
      admin,
      reportId,
      input.outcome,
      input.note,
      now,
    );
    if (input.outcome === "warned") {
      const users = await getUsers(kv, [author]);
      const u = users.get(author);
      if (u) {
        addEmail(
          atomic,
          deps.mail,
          u.email,
          warningEmail(u, input.note, `${deps.mail.baseUrl}/messages`),
          now,
        );
        addNotification(atomic, u.id, {
          title: "A warning from Prep staff about a message",
          body:
            `Someone reported a message you sent, and Prep staff agreed. ${input.note}`,
          href: "/messages",
        }, now);
      }
    }
    if (await commitMessagesWrite(kv, atomic, {})) return report;
  }
  throw new ConflictError("That did not go through; please try again.");
}

/** The author's warning: what staff wrote, and what happens next time. Pure. */
export function warningEmail(
  u: Pick<User, "name">,
  note: string,
  url: string,
): RenderedEmail {
  return notificationEmail({
    name: u.name,
    subject: "A warning about a message you sent on Prep",
    heading: "A message you sent was reported",
    paragraphs: [
      "Someone you messaged on Prep reported one of your messages, and Prep staff read the conversation. This is a warning; your account is not restricted.",
      `What Prep staff wrote: ${note}`,
      "Please keep messages respectful and keep payment on Prep. Another report upheld may lead to your account being suspended.",
    ],
    action: { label: "Your messages", url },
    reason:
      "You received this email because a message you sent on Prep was reported to Prep staff.",
  });
}
