/**
 * /admin/users: the account directory, found by name or email, 50 a page
 * (lib/compliance/staff_search.ts). /admin/users/:id: an account as staff
 * see it (roles, kitchens, wallet, audit trail); admins suspend and
 * reinstate it with a reason, never their own
 * (lib/compliance/suspensions.ts).
 */
import { Hono } from "hono";
import { AdminUserPage, AdminUsersPage } from "../../components/AdminStaff.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  loadUserForStaff,
  reinstateUser,
  suspendUser,
  suspensionForm,
  USER_ID_PATTERN,
} from "../../lib/compliance/suspensions.ts";
import {
  searchUsers,
  userDirectoryQuery,
} from "../../lib/compliance/staff_search.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminUsers = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  suspended:
    "The account is suspended: its sessions have ended and it cannot log in until reinstated. They are notified.",
  reinstated: "The account is reinstated. They are notified.",
};

adminUsers.get("/", async (c) => {
  const read = readQuery(c, userDirectoryQuery);
  if (!read.ok) {
    return page(
      c,
      { title: "Users" },
      <AdminUsersPage found={null} form={read.form} />,
      400,
    );
  }
  const found = await searchUsers(c.var.services.kv, c.var.user, read.data);
  return page(
    c,
    { title: "Users" },
    <AdminUsersPage found={found} form={read.form} />,
  );
});

async function renderUser(
  c: AppContext,
  id: string,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const view = await loadUserForStaff(c.var.services.kv, id, c.var.user);
  return page(
    c,
    { title: `Account: ${view.user.name}` },
    <AdminUserPage
      view={view}
      viewer={c.var.user!}
      canAct={decide(c.var.user, "admin:act").ok}
      form={form}
      notice={NOTICES[readNotice(c)]}
    />,
    status,
  );
}

adminUsers.get(
  `/:id{${USER_ID_PATTERN}}`,
  (c) => renderUser(c, c.req.param("id")),
);

adminUsers.post(
  `/:id{${USER_ID_PATTERN}}/:action{suspend|reinstate}`,
  async (c) => {
    const id = c.req.param("id");
    const suspend = c.req.param("action") === "suspend";
    const change = suspend ? suspendUser : reinstateUser;
    // Support gets a 403 before the form is read; lib checks again.
    requireCapability(c.var.user, "admin:act");
    const read = await readForm(c, suspensionForm);
    if (!read.ok) return await renderUser(c, id, read.form, 400);
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
      return await renderUser(c, id, failed.form, failed.status);
    }
    return redirect(
      c,
      `/admin/users/${id}?notice=${suspend ? "suspended" : "reinstated"}`,
    );
  },
);
