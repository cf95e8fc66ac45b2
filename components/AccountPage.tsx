import { MessageSettingsCard } from "./MessagesPages.tsx";
import type { SessionUser } from "../lib/accounts/schema.ts";
import type { ContinueCard } from "../lib/bookings/drafts.ts";
import { ContinueBooking } from "./DocumentStates.tsx";
import type { DueView } from "../lib/reviews/pages.ts";
import { ReviewsDue } from "./ReviewPages.tsx";
import {
  emptyForm,
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextField,
} from "./Forms.tsx";

export type AccountSection = "profile" | "email" | "password" | "delete";

const card = "space-y-4 rounded-xl border border-stone-200 bg-white p-5";

export function AccountPage(
  { user, forms, notice, continueBooking, messageEmails, reviewsDue = [] }: {
    user: SessionUser;
    forms: Partial<Record<AccountSection, FormState>>;
    notice?: string;
    /** The hours the renter was about to book (lib/bookings/drafts.ts). */
    continueBooking?: ContinueCard | null;
    /** Whether unread messages are emailed (lib/messages/settings.ts). */
    messageEmails?: boolean;
    /** Reviews the person may still write (lib/reviews). */
    reviewsDue?: DueView[];
  },
) {
  const profile = forms.profile ??
    {
      values: {
        name: user.name,
        phone: user.phone ?? "",
        businessName: user.businessName ?? "",
      },
      errors: {},
    };
  const isHost = user.roles.includes("host");
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <h1 class="text-3xl font-extrabold">Your account</h1>
      {notice && <Notice>{notice}</Notice>}
      {continueBooking && <ContinueBooking card={continueBooking} />}
      <ReviewsDue due={reviewsDue} />
      <div class={card}>
        <h2 class="text-xl font-bold">Documents</h2>
        <p class="text-stone-700">
          Your food handler card, insurance and other documents, what each city
          asks for, and where each one stands.
        </p>
        <p>
          <a
            href="/account/compliance"
            class="font-semibold text-emerald-800 underline"
          >
            Your documents
          </a>
        </p>
      </div>
      {messageEmails !== undefined && (
        <MessageSettingsCard emailUnread={messageEmails} />
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">Email</h2>
        <p>
          {user.email} {user.emailVerifiedAt
            ? <span class="text-emerald-800">(confirmed)</span>
            : (
              <span class="font-semibold text-amber-800">
                (not confirmed yet)
              </span>
            )}
        </p>
        {!user.emailVerifiedAt && (
          <form method="post" action="/verify-email/resend">
            <p class="text-stone-700">
              Until you confirm it you can browse, but not book kitchens or
              publish a listing.
            </p>
            <button
              type="submit"
              class="mt-2 font-semibold text-emerald-800 underline"
            >
              Resend the confirmation email
            </button>
          </form>
        )}
        <form
          method="post"
          action="/account/email"
          class="space-y-4"
          noValidate
        >
          <FormMessage form={forms.email ?? emptyForm} />
          <TextField
            scope="email"
            name="email"
            label="New email address"
            type="email"
            form={forms.email ?? emptyForm}
            autocomplete="email"
          />
          <TextField
            scope="email"
            name="currentPassword"
            label="Current password"
            type="password"
            form={forms.email ?? emptyForm}
            autocomplete="current-password"
          />
          <SubmitButton>Change email</SubmitButton>
        </form>
      </div>
      <form method="post" action="/account/profile" class={card} noValidate>
        <h2 class="text-xl font-bold">Your details</h2>
        <FormMessage form={profile} />
        <TextField
          scope="profile"
          name="name"
          label="Name"
          form={profile}
          autocomplete="name"
        />
        <TextField
          scope="profile"
          name="phone"
          label="Phone"
          type="tel"
          form={profile}
          autocomplete="tel"
          required={false}
        />
        <TextField
          scope="profile"
          name="businessName"
          label="Business name"
          form={profile}
          autocomplete="organization"
          required={false}
        />
        <SubmitButton>Save details</SubmitButton>
      </form>
      <form method="post" action="/account/password" class={card} noValidate>
        <h2 class="text-xl font-bold">Password</h2>
        <FormMessage form={forms.password ?? emptyForm} />
        <TextField
          scope="password"
          name="currentPassword"
          label="Current password"
          type="password"
          form={forms.password ?? emptyForm}
          autocomplete="current-password"
        />
        <TextField
          scope="password"
          name="password"
          label="New password"
          type="password"
          form={forms.password ?? emptyForm}
          autocomplete="new-password"
          hint="At least 12 characters."
        />
        <SubmitButton>Change password</SubmitButton>
      </form>
      <div id="host" class={card}>
        <h2 class="text-xl font-bold">Hosting</h2>
        {isHost
          ? (
            <p>
              {"You are a host on Prep: "}
              <a href="/host" class="font-semibold text-emerald-800 underline">
                your host dashboard
              </a>
              {" and "}
              <a
                href="/host/kitchens"
                class="font-semibold text-emerald-800 underline"
              >
                your kitchens
              </a>
              .
            </p>
          )
          : (
            <form method="post" action="/account/host" class="space-y-3">
              <p>
                Have a licensed kitchen with idle hours? List it on Prep and
                keep your renter account too.
              </p>
              <SubmitButton>List your kitchen</SubmitButton>
            </form>
          )}
      </div>
      <form
        id="delete"
        method="post"
        action="/account/delete"
        class={card}
        noValidate
      >
        <h2 class="text-xl font-bold">Delete your account</h2>
        <p class="text-stone-700">
          This cannot be undone. Bookings still ahead of you need to be
          cancelled, or to have ended, first.
        </p>
        <FormMessage form={forms.delete ?? emptyForm} />
        <TextField
          scope="delete"
          name="currentPassword"
          label="Current password"
          type="password"
          form={forms.delete ?? emptyForm}
          autocomplete="current-password"
        />
        <TextField
          scope="delete"
          name="confirm"
          label='Type "delete" to confirm'
          form={forms.delete ?? emptyForm}
        />
        <button
          type="submit"
          class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
        >
          Delete my account
        </button>
      </form>
    </section>
  );
}
