/**
 * `/contact`: a message to Prep's staff (lib/support/contact.ts), kept and
 * emailed to the support inbox; `/contact/sent` says it went.
 */
import { Hono } from "hono";
import { ContactPage, ContactSentPage } from "../components/ContactPage.tsx";
import type { FormState } from "../components/Forms.tsx";
import { at } from "../lib/app.ts";
import { sendContactMessage } from "../lib/support/contact.ts";
import { contactForm, MESSAGE_MAX_CHARS } from "../lib/support/schema.ts";
import { bodyLimit, tooLargeAsForm } from "./limits.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFailure, type FormStatus, readForm } from "./forms.ts";
import { redirect } from "./headers.ts";
import { clientAddress } from "./session.ts";

export const contact = new Hono<AppEnv>();

const TITLE = "Contact Prep";

function render(
  c: AppContext,
  form: FormState,
  status: FormStatus | 200 | 413 = 200,
) {
  return page(
    c,
    { title: TITLE, description: "Write to Prep's staff." },
    <ContactPage form={form} supportEmail={c.var.services.support.email} />,
    status,
  );
}

contact.get("/", (c) => {
  const user = c.var.user;
  return render(c, {
    values: user ? { name: user.name, email: user.email } : {},
    errors: {},
  });
});

/** The form at its longest (each character may take 12 bytes encoded), with room. */
const CONTACT_BODY_LIMIT = 64 * 1024;

contact.post(
  "/",
  tooLargeAsForm((c) =>
    render(c, {
      values: {},
      errors: { message: TOO_LONG },
      message: TOO_LONG,
    }, 413)
  ),
  bodyLimit(CONTACT_BODY_LIMIT),
  async (c) => {
    const read = await readForm(c, contactForm);
    if (!read.ok) return render(c, read.form, 400);
    try {
      await sendContactMessage(at(c.var.services), read.data, {
        userId: c.var.user?.id ?? null,
        clientAddress: clientAddress(c),
      });
    } catch (err) {
      const failed = formFailure(read.form, err);
      return render(c, failed.form, failed.status);
    }
    return redirect(c, "/contact/sent");
  },
);

const TOO_LONG =
  `That message is far longer than ${MESSAGE_MAX_CHARS} characters, so it was not read. Please shorten it and send it again.`;

contact.get(
  "/sent",
  (c) => page(c, { title: "Message sent" }, <ContactSentPage />),
);
