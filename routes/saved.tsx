/**
 * /saved: the signed-in renter's saved kitchens, and the hearts' plain
 * forms (the island, with JavaScript, uses /api/saved instead).
 *
 * A visitor's heart: POST /saved/:id checks the kitchen, remembers in a
 * short cookie that this browser pressed its heart, and sends them to log
 * in with a signed `next` of /saved/:id?back=… (the booking flow's way:
 * it survives "Create an account" and the confirmation email). That page
 * shows the kitchen and a Save button; when this browser's cookie names the
 * kitchen, the island presses it at once, so they land back where they were
 * with the kitchen saved. The save itself is always that POST: a GET never
 * saves, and a link someone else sends cannot save for you (their browser
 * set no cookie in yours, and a cross-site post is refused by routes/csrf.ts).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SavedListPage, SavePromptPage } from "../components/SavedPage.tsx";
import { signNext } from "../lib/accounts/next_link.ts";
import { at } from "../lib/app.ts";
import { ValidationError } from "../lib/errors.ts";
import { ID_PATTERN, isId } from "../lib/ids.ts";
import {
  kitchenToSave,
  loadSavedPage,
  loadSavePrompt,
  saveKitchen,
  unsaveKitchen,
} from "../lib/saved/saving.ts";
import { LIST_FULL, saveForm, saveQuery } from "../lib/saved/schema.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { readForm, readNotice, readQuery } from "./forms.ts";
import { redirect } from "./headers.ts";

export const saved = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

const NOTICES: Record<string, string> = {
  full: LIST_FULL,
  removed: "Removed from your saved kitchens.",
};

const listQuery = z.object({
  cursor: z.string().trim().refine(
    (v) => v === "" || isId(v),
    "That page link is not valid; start again.",
  ),
});

/** How long a pressed heart waits for its owner to log in: the confirmation link's day. */
const INTENT_SECONDS = 24 * 3600;

function intentCookie(c: Context<AppEnv>): string {
  return c.var.services.config.BASE_URL.startsWith("https:")
    ? "__Host-prep_save_intent"
    : "prep_save_intent";
}

/** Remembers that this browser pressed `kitchenId`'s heart before logging in. */
function rememberIntent(c: Context<AppEnv>, kitchenId: string): void {
  setCookie(c, intentCookie(c), kitchenId, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: c.var.services.config.BASE_URL.startsWith("https:"),
    maxAge: INTENT_SECONDS,
  });
}

function intended(c: Context<AppEnv>, kitchenId: string): boolean {
  return getCookie(c, intentCookie(c)) === kitchenId;
}

function forgetIntent(c: Context<AppEnv>): void {
  if (getCookie(c, intentCookie(c)) === undefined) return;
  deleteCookie(c, intentCookie(c), {
    path: "/",
    secure: c.var.services.config.BASE_URL.startsWith("https:"),
  });
}

/** To the login page, and from there (or from sign-up) back to `path`. */
async function logInFirst(c: AppContext, path: string): Promise<Response> {
  const signed = await signNext(
    c.var.services.kv,
    path,
    c.var.services.clock(),
  );
  return redirect(c, `/login?next=${encodeURIComponent(signed)}`);
}

/** The page the heart was on, at the heart (its form's id) when there is room for it. */
const backTo = (back: string, kitchenId: string) =>
  back.includes("#") ? back : `${back}#save-${kitchenId}`;

const promptPath = (kitchenId: string, back: string) =>
  `/saved/${kitchenId}?back=${encodeURIComponent(back)}`;

saved.get("/", async (c) => {
  const user = c.var.user;
  if (!user) return await logInFirst(c, "/saved");
  const read = readQuery(c, listQuery);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, read.form.errors.cursor);
  }
  const cursor = read.data.cursor || null;
  const list = await loadSavedPage(
    c.var.services.kv,
    user.id,
    cursor,
    c.var.services.clock(),
  );
  const here = cursor ? `/saved?cursor=${cursor}` : "/saved";
  return page(
    c,
    { title: "Saved kitchens" },
    <SavedListPage
      page={list}
      paged={cursor !== null}
      notice={NOTICES[readNotice(c)]}
      back={`${here}${cursor ? "&" : "?"}notice=removed`}
    />,
  );
});

saved.get(`/${ID}`, async (c) => {
  const user = c.var.user;
  const id = c.req.param("id");
  const read = readQuery(c, saveQuery);
  const back = read.ok ? read.data.back : "/saved";
  if (!user) return await logInFirst(c, promptPath(id, back));
  const prompt = await loadSavePrompt(c.var.services.kv, user.id, id);
  return page(
    c,
    { title: `Save ${prompt.kitchen.title}` },
    <SavePromptPage
      {...prompt}
      back={back}
      auto={!prompt.saved && intended(c, id)}
    />,
  );
});

saved.post(`/${ID}`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, saveForm);
  const back = read.ok ? read.data.back : "/saved";
  const user = c.var.user;
  if (!user) {
    // Nothing is kept for a kitchen that is not there to save.
    await kitchenToSave(c.var.services.kv, id);
    rememberIntent(c, id);
    return await logInFirst(c, promptPath(id, back));
  }
  const outcome = await saveKitchen(at(c.var.services), user.id, id);
  forgetIntent(c);
  if (outcome === "full") return redirect(c, "/saved?notice=full");
  return redirect(c, backTo(back, id));
});

saved.post(`/${ID}/remove`, async (c) => {
  const user = c.var.user;
  if (!user) return await logInFirst(c, "/saved");
  const id = c.req.param("id");
  const read = await readForm(c, saveForm);
  await unsaveKitchen(c.var.services.kv, user.id, id);
  const back = read.ok ? read.data.back : "/saved";
  return redirect(c, back.startsWith("/saved") ? back : backTo(back, id));
});
