/**
 * Safety in threads (issue 18 §5), the parties' side: block the other
 * person (no more messages either way, in any thread between them; their
 * bookings are untouched) or report one of their messages to staff with a
 * reason. Staff's side is lib/messages/reports.ts.
 */
import type { SessionUser } from "../accounts/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { isId, newId } from "../ids.ts";
import {
  addBlock,
  addBlockRemoval,
  addInboxBump,
  addReportCreate,
  addThreadUpdate,
  commitMessagesWrite,
  getBlockEntries,
  getMessage,
  getReporterEntry,
  getThreadEntry,
} from "./repo.ts";
import { otherSide, sideOf, userOn } from "./rules.ts";
import type { Block, Report, Thread } from "./schema.ts";
import type { MessagesDeps } from "./threads.ts";

const NOT_FOUND = "We could not find that conversation.";
const ATTEMPTS = 5;

async function partyThread(
  kv: Deno.Kv,
  user: SessionUser,
  threadId: string,
): Promise<{ entry: Deno.KvEntry<Thread>; otherId: string }> {
  const entry = isId(threadId) ? await getThreadEntry(kv, threadId) : null;
  const side = entry?.value ? sideOf(entry.value, user.id) : null;
  if (!entry?.value || side === null) throw new NotFoundError(NOT_FOUND);
  return {
    entry: entry as Deno.KvEntry<Thread>,
    otherId: userOn(entry.value, otherSide(side)),
  };
}

/**
 * `user` blocks the other party of a thread. Blocking twice is a no-op.
 * Both inbox versions move, so an open thread on either side learns of it.
 */
export async function blockInThread(
  deps: Pick<MessagesDeps, "kv" | "now">,
  user: SessionUser,
  threadId: string,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { entry, otherId } = await partyThread(deps.kv, user, threadId);
    const [mine] = await getBlockEntries(deps.kv, user.id, otherId);
    if (mine.value) return;
    const block: Block = {
      v: 1,
      blockerId: user.id,
      blockedId: otherId,
      threadId: entry.value.id,
      at: deps.now,
    };
    const atomic = deps.kv.atomic();
    addBlock(atomic, mine, block);
    addInboxBump(atomic, user.id);
    addInboxBump(atomic, otherId);
    if (await commitMessagesWrite(deps.kv, atomic, {})) return;
  }
  throw new ConflictError("That did not go through; please try again.");
}

/** Lifts `user`'s block of the thread's other party; a no-op when there is none. */
export async function unblockInThread(
  deps: Pick<MessagesDeps, "kv">,
  user: SessionUser,
  threadId: string,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { otherId } = await partyThread(deps.kv, user, threadId);
    const [mine] = await getBlockEntries(deps.kv, user.id, otherId);
    if (!mine.value) return;
    const atomic = deps.kv.atomic();
    addBlockRemoval(atomic, mine as Deno.KvEntry<Block>);
    addInboxBump(atomic, user.id);
    addInboxBump(atomic, otherId);
    if (await commitMessagesWrite(deps.kv, atomic, {})) return;
  }
  throw new ConflictError("That did not go through; please try again.");
}

/**
 * Reports one of the other party's messages with a reason: the report
 * joins the staff queue (/admin/reports) and the thread counts it, in one
 * atomic. One report per message and reporter.
 */
export async function reportMessage(
  deps: Pick<MessagesDeps, "kv" | "now">,
  user: SessionUser,
  threadId: string,
  input: { message: string; reason: string },
): Promise<Report> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { entry, otherId } = await partyThread(deps.kv, user, threadId);
    const message = await getMessage(deps.kv, entry.value.id, input.message);
    if (!message || message.authorId !== otherId) {
      throw new NotFoundError("We could not find that message.");
    }
    const already = await getReporterEntry(deps.kv, message.id, user.id);
    if (already.value) {
      throw new ConflictError(
        "You already reported this message; Prep staff will look at it.",
      );
    }
    const report: Report = {
      v: 1,
      id: newId(),
      threadId: entry.value.id,
      messageId: message.id,
      reporterId: user.id,
      authorId: message.authorId,
      reason: input.reason,
      at: deps.now,
      status: "open",
      decision: null,
    };
    const atomic = deps.kv.atomic();
    addReportCreate(atomic, report);
    addThreadUpdate(atomic, entry, {
      ...entry.value,
      openReports: entry.value.openReports + 1,
    });
    if (await commitMessagesWrite(deps.kv, atomic, {})) return report;
  }
  throw new ConflictError("That did not go through; please try again.");
}
