import { CONTACT_TOPICS, MESSAGE_MAX_CHARS } from "../lib/support/schema.ts";
import {
  FormMessage,
  type FormState,
  Select,
  SubmitButton,
  TextArea,
  TextField,
} from "./Forms.tsx";

const link = "font-semibold text-emerald-800 underline";

/** `/contact`: a message to Prep's staff, kept and emailed to the support inbox. */
export function ContactPage(
  { form, supportEmail }: { form: FormState; supportEmail: string | null },
) {
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <header class="space-y-2">
        <h1 class="text-3xl font-extrabold">Contact Prep</h1>
        <p class="text-lg text-stone-700">
          Questions about a booking, a payment, documents, hosting or your data:
          write to Prep's staff here and we reply by email.
        </p>
        <p class="text-stone-700">
          {"Many answers are in "}
          <a href="/help" class={link}>Help</a>
          {supportEmail
            ? (
              <>
                {". You can also email "}
                <a href={`mailto:${supportEmail}`} class={link}>
                  {supportEmail}
                </a>
                .
              </>
            )
            : "."}
        </p>
      </header>
      <form
        method="post"
        action="/contact"
        class="space-y-4 rounded-xl border border-stone-200 bg-white p-6"
        noValidate
      >
        <FormMessage form={form} />
        <TextField
          name="name"
          label="Your name"
          form={form}
          autocomplete="name"
        />
        <TextField
          name="email"
          label="Email address for our reply"
          type="email"
          form={form}
          autocomplete="email"
        />
        <Select
          name="topic"
          label="What is it about?"
          form={form}
          options={[
            ["", "Choose…"],
            ...Object.entries(CONTACT_TOPICS) as [string, string][],
          ]}
        />
        <TextField
          name="booking"
          label="Booking reference or link (optional)"
          form={form}
          required={false}
          hint="If your message is about a booking, paste its reference or the address of its page."
        />
        <TextArea
          name="message"
          label="Your message"
          form={form}
          rows={8}
          maxLength={MESSAGE_MAX_CHARS}
        />
        <SubmitButton>Send message</SubmitButton>
      </form>
    </section>
  );
}

/** `/contact/sent`: the message went; what happens next. */
export function ContactSentPage() {
  return (
    <section class="mx-auto max-w-2xl space-y-4">
      <h1 class="text-3xl font-extrabold">Thanks, your message is with us</h1>
      <p class="text-lg text-stone-700">
        Prep's staff have it and will reply to the email address you gave.
      </p>
      <ul class="flex flex-wrap gap-4">
        <li>
          <a href="/help" class={link}>Read Help while you wait</a>
        </li>
        <li>
          <a href="/search" class={link}>Find a kitchen</a>
        </li>
        <li>
          <a href="/" class={link}>Back to the home page</a>
        </li>
      </ul>
    </section>
  );
}
