/** `/kitchens/:id`: a kitchen's public page (components/KitchenPage.tsx). */
import { Hono } from "hono";
import { PublicKitchenPage } from "../components/KitchenPage.tsx";
import { KitchenReviewsPage } from "../components/ReviewPages.tsx";
import {
  loadKitchenReviewsPage,
  loadReviewedKitchenPage,
} from "../lib/reviews/pages.ts";
import { reviewsPageQuery } from "../lib/reviews/schema.ts";
import { ValidationError } from "../lib/errors.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import { kitchenPageQuery } from "../lib/kitchens/pick.ts";
import { hostReplyFigure } from "../lib/messages/views.ts";
import { type AppEnv, page } from "./context.tsx";
import { readQuery } from "./forms.ts";

export const kitchens = new Hono<AppEnv>();

kitchens.get(`/:id{${ID_PATTERN}}`, async (c) => {
  // Hono's c.var copies every variable on each access: read them once.
  const { kv, clock: now } = c.var.services;
  const user = c.var.user;
  const read = readQuery(c, kitchenPageQuery);
  const data = await loadReviewedKitchenPage(
    kv,
    c.req.param("id"),
    read.ok ? read.data : {},
    now(),
    user?.id ?? null,
  );
  const k = data.kitchen;
  // "Ask the host" and how fast they answer (lib/messages); the page hides it from the host.
  const ask = { replies: await hostReplyFigure(kv, k.hostId, now()) };
  return page(
    c,
    {
      title: k.title,
      description: k.description.slice(0, 160),
      city: k.address.city,
      saved: data.saved ? [k.id] : [],
      documents: data.viewerDocuments,
      // Shared: the heart, "Ask the host" and the renter's documents are
      // the viewer's slots; the rest is the same for everyone.
      shared: true,
    },
    <PublicKitchenPage
      data={data}
      ask={ask}
      tiles={c.var.services.mapTiles}
    />,
  );
});

/** `/kitchens/:id/reviews`: every published review, newest first, ten a page (lib/reviews). */
kitchens.get(`/:id{${ID_PATTERN}}/reviews`, async (c) => {
  const read = readQuery(c, reviewsPageQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "That page of reviews does not exist.",
    );
  }
  const view = await loadKitchenReviewsPage(
    c.var.services.kv,
    c.req.param("id"),
    read.data.before || null,
  );
  return page(
    c,
    {
      title: `Reviews of ${view.kitchen.title}`,
      city: view.kitchen.address.city,
    },
    <KitchenReviewsPage {...view} />,
  );
});
