import { Hono } from "hono";
import { ID_PATTERN } from "../lib/ids.ts";
import AvailabilityPicker from "../islands/AvailabilityPicker.tsx";
import { loadKitchenPageFor } from "../lib/compliance/kitchen_page.ts";
import { pickerDay } from "../lib/kitchens/slot_view.ts";
import { type AppEnv, page } from "./context.tsx";
import { KitchenPage, NotBookable } from "../components/KitchenPage.tsx";

export const kitchens = new Hono<AppEnv>();

kitchens.get(`/:id{${ID_PATTERN}}`, async (c) => {
  // Hono's c.var copies every variable on each access: read them once.
  const { kv, clock: now } = c.var.services;
  const user = c.var.user;
  const data = await loadKitchenPageFor(
    kv,
    c.req.param("id"),
    c.req.query("date"),
    now(),
    user?.id ?? null,
  );
  const { kitchen: k, host } = data;
  return page(
    c,
    {
      title: k.title,
      description: k.description.slice(0, 160),
      city: k.address.city,
    },
    <KitchenPage
      kitchen={k}
      host={host}
      requirements={data.requirements}
      permitsVerified={data.notBookable === null}
      aside={data.notBookable !== null
        ? <NotBookable reason={data.notBookable} />
        : (
          <AvailabilityPicker
            kitchenId={k.id}
            kitchenTitle={k.title}
            today={data.today}
            lastDate={data.lastDate}
            minHours={k.minHours}
            note={data.permitLapse}
            {...pickerDay(k, data.date, data.slots)}
          />
        )}
    />,
  );
});
