/**
 * /admin/kitchens: the kitchen directory, found by title, city or host, 50
 * a page (lib/compliance/staff_search.ts). /admin/kitchens/:id: a kitchen
 * as staff see it (status, host, permits, upcoming bookings to handle,
 * audit trail); admins suspend and reinstate it with a reason
 * (lib/compliance/suspensions.ts).
 */
import { Hono } from "hono";
import {
  AdminKitchenPage,
  AdminKitchensPage,
} from "../../components/AdminStaff.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  loadKitchenForStaff,
  reinstateKitchen,
  suspendKitchen,
  suspensionForm,
} from "../../lib/compliance/suspensions.ts";
import {
  kitchenDirectoryQuery,
  searchKitchenDirectory,
} from "../../lib/compliance/staff_search.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminKitchens = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  suspended:
    "The kitchen is suspended: it is out of search and takes no new holds. The host is notified.",
  reinstated: "The kitchen is reinstated. The host is notified.",
};

adminKitchens.get("/", async (c) => {
  const read = readQuery(c, kitchenDirectoryQuery);
  let failed: { form: FormState; status: FormStatus } = {
    form: read.form,
    status: 400,
  };
  if (read.ok) {
    try {
      const found = await searchKitchenDirectory(
        c.var.services.kv,
        c.var.user,
        read.data,
      );
      return page(
        c,
        { title: "Kitchens" },
        <AdminKitchensPage found={found} form={read.form} />,
      );
    } catch (err) {
      // Too many hosts match: a field error, like a mistyped search.
      failed = formFailure(read.form, err);
    }
  }
  return page(
    c,
    { title: "Kitchens" },
    <AdminKitchensPage found={null} form={failed.form} />,
    failed.status,
  );
});

async function renderKitchen(
  c: AppContext,
  id: string,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const view = await loadKitchenForStaff(
    c.var.services.kv,
    id,
    c.var.user,
    c.var.services.clock(),
  );
  const title = view.kitchen?.title ?? view.draft?.title ?? "Draft kitchen";
  return page(
    c,
    { title: `Kitchen: ${title}` },
    <AdminKitchenPage
      view={view}
      canAct={decide(c.var.user, "admin:act").ok}
      form={form}
      notice={NOTICES[readNotice(c)]}
    />,
    status,
  );
}

adminKitchens.get(
  `/:id{${ID_PATTERN}}`,
  (c) => renderKitchen(c, c.req.param("id")),
);

adminKitchens.post(
  `/:id{${ID_PATTERN}}/:action{suspend|reinstate}`,
  async (c) => {
    const id = c.req.param("id");
    const suspend = c.req.param("action") === "suspend";
    const change = suspend ? suspendKitchen : reinstateKitchen;
    // Support gets a 403 before the form is read; lib checks again.
    requireCapability(c.var.user, "admin:act");
    const read = await readForm(c, suspensionForm);
    if (!read.ok) return await renderKitchen(c, id, read.form, 400);
    try {
      await change(
        c.var.services.kv,
        id,
        c.var.user,
        read.data.reason,
        c.var.services.clock(),
      );
    } catch (err) {
      const failed = formFailure(read.form, err);
      return await renderKitchen(c, id, failed.form, failed.status);
    }
    return redirect(
      c,
      `/admin/kitchens/${id}?notice=${suspend ? "suspended" : "reinstated"}`,
    );
  },
);
