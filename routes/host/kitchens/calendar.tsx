/**
 * /host/kitchens/:id/edit/calendar — a kitchen's blocks, calendar link and
 * imported calendars (lib/calendar_sync/host.ts decides who may do what:
 * the kitchen's host; staff may look; anyone else gets 404).
 */
import { Hono } from "hono";
import type { BlankSchema } from "hono/types";
import { CalendarSyncPage } from "../../../components/CalendarSyncPage.tsx";
import { emptyForm, type FormState } from "../../../components/Forms.tsx";
import {
  addHostBlock,
  addHostImportFeed,
  blockForm,
  importForm,
  kitchenForCalendar,
  loadCalendarPage,
  newExportFeed,
  removeHostBlock,
  removeHostImportFeed,
  revealedExportFeedUrl,
  revokeExportFeed,
} from "../../../lib/calendar_sync/host.ts";
import { at } from "../../../lib/app.ts";
import { ID_PATTERN } from "../../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
} from "../../forms.ts";
import { redirect } from "../../headers.ts";

// The kitchen's id comes from where the sub-app is mounted.
export const calendar = new Hono<AppEnv, BlankSchema, "/:id/edit/calendar">();

const NOTICES: Record<string, string> = {
  "block-added": "Blocked: renters cannot book that time.",
  "block-removed": "Block removed: that time is open for bookings again.",
  "export-revoked": "Calendar link turned off: the old link no longer works.",
  // After a new link, when it was shown already (a refresh, another tab).
  "export-made":
    "Your new calendar link was shown once, when it was made. If you did not copy it, make another; the one before stops working.",
  "import-added":
    "Calendar added. Its events are imported within a minute or two, then every 30 minutes.",
  "import-removed":
    "Calendar removed. Its events stop blocking time within a minute or two.",
};

interface Extra {
  blockForm?: FormState;
  importForm?: FormState;
  actionMessage?: string;
}

async function render(
  c: AppContext,
  extra: Extra = {},
  status: 200 | FormStatus = 200,
) {
  const id = c.req.param("id")!;
  const data = await loadCalendarPage(
    c.var.services.kv,
    c.var.user!,
    id,
    c.var.services.clock(),
  );
  const notice = readNotice(c);
  // The link just made, once: the page it redirected to shows it.
  const revealedUrl = notice === "export-made" && data.canChange
    ? await revealedExportFeedUrl(at(c.var.services), c.var.user!, id)
    : null;
  return page(
    c,
    { title: `${data.kitchen.title}: calendar` },
    <CalendarSyncPage
      data={data}
      blockForm={extra.blockForm ?? emptyForm}
      importForm={extra.importForm ?? emptyForm}
      notice={revealedUrl ? undefined : NOTICES[notice]}
      revealedUrl={revealedUrl ?? undefined}
      actionMessage={extra.actionMessage}
    />,
    status,
  );
}

const done = (c: AppContext, notice: string) =>
  redirect(
    c,
    `/host/kitchens/${c.req.param("id")}/edit/calendar?notice=${notice}`,
  );

/** Another host's kitchen is a 404 before any input is read or echoed. */
const mayChange = (c: AppContext) =>
  kitchenForCalendar(
    c.var.services.kv,
    c.var.user!,
    c.req.param("id")!,
    "change",
  );

calendar.get("/", (c) => render(c));

calendar.post("/blocks", async (c) => {
  await mayChange(c);
  const read = await readForm(c, blockForm);
  if (!read.ok) return render(c, { blockForm: read.form }, 400);
  try {
    await addHostBlock(
      at(c.var.services),
      c.var.user!,
      c.req.param("id"),
      read.data,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return render(c, { blockForm: failed.form }, failed.status);
  }
  return done(c, "block-added");
});

calendar.post(
  `/blocks/:blockId{${ID_PATTERN}}/remove`,
  async (c) => {
    try {
      await removeHostBlock(
        c.var.services.kv,
        c.var.user!,
        c.req.param("id"),
        c.req.param("blockId"),
      );
    } catch (err) {
      const failed = formFailure(emptyForm, err);
      return render(c, { actionMessage: failed.form.message }, failed.status);
    }
    return done(c, "block-removed");
  },
);

// The new link is shown once, on the page this redirects to (a refresh of
// that page makes no new link); only its hash is kept after that.
calendar.post("/export", async (c) => {
  await newExportFeed(at(c.var.services), c.var.user!, c.req.param("id"));
  return done(c, "export-made");
});

calendar.post("/export/revoke", async (c) => {
  await revokeExportFeed(c.var.services.kv, c.var.user!, c.req.param("id"));
  return done(c, "export-revoked");
});

calendar.post("/imports", async (c) => {
  await mayChange(c);
  const read = await readForm(
    c,
    importForm(c.var.services.calendarFetch),
  );
  if (!read.ok) return render(c, { importForm: read.form }, 400);
  try {
    await addHostImportFeed(
      at(c.var.services),
      c.var.user!,
      c.req.param("id"),
      read.data,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return render(c, { importForm: failed.form }, failed.status);
  }
  return done(c, "import-added");
});

calendar.post(
  `/imports/:feedId{${ID_PATTERN}}/remove`,
  async (c) => {
    try {
      await removeHostImportFeed(
        at(c.var.services),
        c.var.user!,
        c.req.param("id"),
        c.req.param("feedId"),
      );
    } catch (err) {
      const failed = formFailure(emptyForm, err);
      return render(c, { actionMessage: failed.form.message }, failed.status);
    }
    return done(c, "import-removed");
  },
);
