/**
 * /admin/bookings: staff find bookings by id or email and see each one's
 * ledger and audit trail; admins cancel with a full refund.
 */
import { Hono } from "hono";
import {
  AdminBookingPage,
  AdminBookingsPage,
} from "../../components/AdminPages.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  cancelAsStaff,
  findBookings,
  listRecentBookings,
  loadStaffBooking,
  staffCancelForm,
  staffSearchForm,
} from "../../lib/bookings/staff.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { formFailure, readForm, readNotice, readQuery } from "../forms.ts";
import { redirect } from "../headers.ts";
import { at } from "../../lib/app.ts";

export const adminBookings = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  cancelled:
    "The booking is cancelled with a full refund; both sides are emailed.",
};

adminBookings.get("/", async (c) => {
  const read = readQuery(c, staffSearchForm);
  const q = read.form.values.q;
  if (q.trim() === "") {
    const rows = await listRecentBookings(c.var.services.kv, 50);
    return page(
      c,
      { title: "Bookings" },
      <AdminBookingsPage rows={rows} form={emptyForm} searched={null} />,
    );
  }
  if (!read.ok) {
    // The field says what is wrong; the search box needs no banner too.
    const form: FormState = { values: { q }, errors: read.form.errors };
    return page(
      c,
      { title: "Bookings" },
      <AdminBookingsPage rows={[]} form={form} searched={q} />,
      400,
    );
  }
  const rows = await findBookings(c.var.services.kv, read.data.q);
  return page(
    c,
    { title: "Bookings" },
    <AdminBookingsPage
      rows={rows}
      form={{ values: { q }, errors: {} }}
      searched={q.trim()}
    />,
  );
});

async function renderBooking(
  c: AppContext,
  id: string,
  form: FormState = emptyForm,
  status: 200 | 400 | 409 | 429 = 200,
) {
  const view = await loadStaffBooking(c.var.services.kv, id);
  return page(
    c,
    { title: `Booking at ${view.kitchenTitle ?? "a kitchen"}` },
    <AdminBookingPage
      view={view}
      canAct={decide(c.var.user, "admin:act").ok}
      form={form}
      notice={NOTICES[readNotice(c)]}
    />,
    status,
  );
}

adminBookings.get(
  `/:id{${ID_PATTERN}}`,
  (c) => renderBooking(c, c.req.param("id")),
);

adminBookings.post(`/:id{${ID_PATTERN}}/cancel`, async (c) => {
  const user = c.var.user;
  requireCapability(user, "admin:act");
  const id = c.req.param("id");
  const read = await readForm(c, staffCancelForm);
  if (!read.ok) return await renderBooking(c, id, read.form, 400);
  try {
    await cancelAsStaff(at(c.var.services), id, user, read.data.reason);
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderBooking(c, id, failed.form, failed.status);
  }
  return redirect(c, `/admin/bookings/${id}?notice=cancelled`);
});
