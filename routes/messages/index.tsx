/**
 * /messages: the inbox, a thread and its reply form, "Ask the host" and a
 * booking's first message (/messages/new), block and report (lib/messages).
 * Only a thread's two parties see it: 404 for everyone else, staff
 * included. Also the header's unread count (`messagesBadge`, middleware for
 * the whole app).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import {
  ComposePage,
  InboxPage,
  ThreadPage,
} from "../../components/MessagesPages.tsx";
import { signNext } from "../../lib/accounts/next_link.ts";
import { at } from "../../lib/app.ts";
import { ID_PATTERN, isId } from "../../lib/ids.ts";
import { isInboxCursor, viewUnreadMessages } from "../../lib/messages/repo.ts";
import {
  blockInThread,
  reportMessage,
  unblockInThread,
} from "../../lib/messages/safety.ts";
import {
  MESSAGE_MAX_CHARS,
  newThreadForm,
  reportForm,
} from "../../lib/messages/schema.ts";
import { startConversation } from "../../lib/messages/threads.ts";
import {
  loadCompose,
  loadInbox,
  loadThreadView,
} from "../../lib/messages/views.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
  wantsJson,
} from "../forms.ts";
import { redirect } from "../headers.ts";
import { AppError, ValidationError } from "../../lib/errors.ts";
import { ATTACHMENT_MAX_BYTES } from "../../lib/messages/attachments.ts";
import {
  type ReplyAnswer,
  replyForm,
  sendReply,
} from "../../lib/messages/replies.ts";
import { bodyLimit, tooLargeAsForm } from "../limits.ts";
import { fileBytes, isMultipart } from "../multipart.ts";

/** A file at its largest, plus the text and the multipart framing. */
const replyBodyLimit = bodyLimit(ATTACHMENT_MAX_BYTES + 64 * 1024);

const TOO_LARGE =
  "That file is larger than 10 MB. Save it at a smaller size, or send your message without it.";

const TEXT_TOO_LARGE =
  `That message is far longer than ${MESSAGE_MAX_CHARS} characters, so it was not read. Please shorten it and send it again.`;

/**
 * The unread-messages count for the header of a page a signed-in user
 * GETs: one KV read through the read cache, skipped for everyone else and
 * for what is not a page.
 */
export const messagesBadge: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get("user");
  const accept = c.req.header("Accept");
  if (
    user && (c.req.method === "GET" || c.req.method === "HEAD") &&
    !c.req.path.startsWith("/api/") &&
    (!accept || accept.includes("text/html"))
  ) {
    c.set(
      "messagesUnread",
      await viewUnreadMessages(c.get("services").kv, user.id),
    );
  }
  await next();
};

export const messages = new Hono<AppEnv>();

const THREAD = `:threadId{${ID_PATTERN}}`;

/**
 * A message is up to 4,000 characters: up to 16 KB of UTF-8, and three
 * times that percent-encoded, past the 16 KB form limit.
 */
const messageLimit = bodyLimit(64 * 1024);

// Every page here is one signed-in person's; log in and come back (signed,
// so "Ask the host" survives sign-up and the confirmation email).
messages.use(async (c, next) => {
  if (!c.get("user")) {
    const back = new URL(c.req.url);
    const signed = await signNext(
      c.get("services").kv,
      c.req.method === "GET" ? back.pathname + back.search : "/messages",
      c.get("services").clock(),
    );
    return redirect(c, `/login?next=${encodeURIComponent(signed)}`);
  }
  await next();
});

const NOTICES: Record<string, string> = {
  sent: "Message sent.",
  blocked:
    "Blocked. Neither of you can send messages here; your bookings are not affected.",
  unblocked: "Unblocked. You can write to each other again.",
  reported:
    "Thank you. Prep staff will read the conversation and decide what to do.",
};

const inboxQuery = z.object({
  cursor: z.string().trim().refine(
    (v) => v === "" || isInboxCursor(v),
    "That page link is not valid; start again.",
  ),
});

messages.get("/", async (c) => {
  const read = readQuery(c, inboxQuery);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, read.form.errors.cursor);
  }
  const cursor = read.data.cursor || null;
  const inbox = await loadInbox(at(c.get("services")), c.get("user")!, cursor);
  return page(
    c,
    { title: "Messages" },
    <InboxPage
      inbox={inbox}
      paged={cursor !== null}
      notice={NOTICES[readNotice(c)]}
    />,
  );
});

const composeQuery = z.object({
  kitchen: z.string().refine((v) => v === "" || isId(v), "Pick a kitchen"),
  booking: z.string().refine((v) => v === "" || isId(v), "Pick a booking"),
});

type Target = { kitchen: string } | { booking: string };

/** What a compose form or its address names: a booking, else a kitchen; null for neither. */
function targetOf(v: { kitchen?: string; booking?: string }): Target | null {
  if (v.booking && isId(v.booking)) return { booking: v.booking };
  if (v.kitchen && isId(v.kitchen)) return { kitchen: v.kitchen };
  return null;
}

async function renderCompose(
  c: AppContext,
  target: Target,
  form: FormState = emptyForm,
  status: 200 | FormStatus | 413 = 200,
) {
  const view = await loadCompose(at(c.get("services")), c.get("user")!, target);
  if (view.kind === "thread") {
    // The pair has a thread: a failed post shows there, with what was typed.
    return status === 200
      ? redirect(c, `/messages/${view.threadId}#latest`)
      : await renderThread(c, view.threadId, { form, status });
  }
  return page(
    c,
    { title: view.asHost ? "Message the renter" : "Ask the host" },
    <ComposePage view={view} form={form} />,
    status,
  );
}

messages.get("/new", async (c) => {
  const read = readQuery(c, composeQuery);
  const target = read.ok ? targetOf(read.data) : null;
  if (!target) {
    throw new ValidationError(
      read.ok ? {} : read.form.errors,
      "Start a conversation from a kitchen's page or a booking.",
    );
  }
  return await renderCompose(c, target);
});

messages.post(
  "/new",
  // The form names its kitchen or booking in its address too, so a body
  // too large to read still gets its form again.
  tooLargeAsForm(async (c) => {
    const read = readQuery(c, composeQuery);
    const target = read.ok ? targetOf(read.data) : null;
    if (!target) return c.res;
    return await renderCompose(c, target, {
      values: {},
      errors: { text: TEXT_TOO_LARGE },
      message: TEXT_TOO_LARGE,
    }, 413);
  }),
  messageLimit,
  async (c) => {
    const read = await readForm(c, newThreadForm);
    const target = targetOf(read.form.values);
    if (!target) {
      throw new ValidationError(
        {},
        "Start a conversation from a kitchen's page or a booking.",
      );
    }
    if (!read.ok) return await renderCompose(c, target, read.form, 400);
    try {
      const { thread, message } = await startConversation(
        at(c.get("services")),
        c.get("user")!,
        target,
        read.data.text,
      );
      return redirect(c, `/messages/${thread.id}?notice=sent#m-${message.id}`);
    } catch (err) {
      const failed = formFailure(read.form, err);
      return await renderCompose(c, target, failed.form, failed.status);
    }
  },
);

const threadQuery = z.object({
  before: z.string().refine(
    (v) => v === "" || isId(v),
    "Not a page of this conversation.",
  ),
});

async function renderThread(
  c: AppContext,
  threadId: string,
  opts: {
    form?: FormState;
    status?: 200 | FormStatus | 413;
    report?: { messageId: string; form: FormState };
  } = {},
) {
  const read = readQuery(c, threadQuery);
  const before = read.ok && read.data.before ? read.data.before : null;
  const view = await loadThreadView(
    at(c.get("services")),
    c.get("user")!,
    threadId,
    {
      before,
      // Reading marks it read; a cross-site link (another site's page) does not.
      markRead: c.req.method === "GET" &&
        c.req.header("Sec-Fetch-Site") !== "cross-site",
    },
  );
  // The header's count was read before this page read the thread.
  c.set("messagesUnread", view.unreadTotal);
  return page(
    c,
    { title: `Messages with ${view.other.name}` },
    <ThreadPage
      view={view}
      form={opts.form ?? emptyForm}
      notice={opts.status ? undefined : NOTICES[readNotice(c)]}
      report={opts.report}
    />,
    opts.status ?? 200,
  );
}

messages.get(`/${THREAD}`, (c) => renderThread(c, c.req.param("threadId")));

/**
 * The reply (text, and a file up to 10 MB): a page again with what was
 * wrong, or with JavaScript (`Accept: application/json`) an answer for
 * the reply form's island. The body limit comes first; a body over it is
 * answered here as a form error, not read.
 */
messages.post(
  `/${THREAD}`,
  tooLargeAsForm((c) => {
    const [field, message] = isMultipart(c.req.raw)
      ? ["file", TOO_LARGE]
      : ["text", TEXT_TOO_LARGE];
    return renderThread(c, c.req.param("threadId") ?? "", {
      form: { values: {}, errors: { [field]: message }, message },
      status: 413,
    });
  }),
  replyBodyLimit,
  // Only a multipart body carries a file: any other keeps the message limit.
  (c, next) => isMultipart(c.req.raw) ? next() : messageLimit(c, next),
  async (c) => {
    const threadId = c.req.param("threadId");
    const json = wantsJson(c);
    const read = await readForm(c, replyForm);
    if (!read.ok) {
      if (json) {
        return c.json(
          {
            error: read.form.message ?? "Please check your message.",
            issues: read.form.errors,
          } satisfies ReplyAnswer,
          400,
        );
      }
      return await renderThread(c, threadId, { form: read.form, status: 400 });
    }
    try {
      const { text, file } = read.data;
      const { message } = await sendReply(
        at(c.var.services),
        c.var.user!,
        threadId,
        {
          text,
          file: file && {
            bytes: await fileBytes(file),
            name: file.name,
          },
        },
      );
      if (json) {
        return c.json({ messageId: message.id } satisfies ReplyAnswer, 201);
      }
      return redirect(c, `/messages/${threadId}?notice=sent#m-${message.id}`);
    } catch (err) {
      if (json && err instanceof AppError) {
        const issues = err instanceof ValidationError ? err.issues : undefined;
        return c.json(
          { error: err.message, issues } satisfies ReplyAnswer,
          err.status,
        );
      }
      const failed = formFailure(read.form, err);
      return await renderThread(c, threadId, {
        form: failed.form,
        status: failed.status,
      });
    }
  },
);

messages.post(`/${THREAD}/block`, async (c) => {
  const threadId = c.req.param("threadId");
  await blockInThread(at(c.get("services")), c.get("user")!, threadId);
  return redirect(c, `/messages/${threadId}?notice=blocked#latest`);
});

messages.post(`/${THREAD}/unblock`, async (c) => {
  const threadId = c.req.param("threadId");
  await unblockInThread(at(c.get("services")), c.get("user")!, threadId);
  return redirect(c, `/messages/${threadId}?notice=unblocked#latest`);
});

messages.post(`/${THREAD}/report`, async (c) => {
  const threadId = c.req.param("threadId");
  const read = await readForm(c, reportForm);
  const messageId = read.form.values.message ?? "";
  if (!read.ok) {
    if (!isId(messageId)) {
      throw new ValidationError({}, "Pick a message to report.");
    }
    return await renderThread(c, threadId, {
      status: 400,
      report: { messageId, form: read.form },
    });
  }
  try {
    await reportMessage(
      at(c.get("services")),
      c.get("user")!,
      threadId,
      read.data,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderThread(c, threadId, {
      status: failed.status,
      report: { messageId, form: failed.form },
    });
  }
  return redirect(c, `/messages/${threadId}?notice=reported`);
});
