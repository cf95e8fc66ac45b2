import { RESET_TTL_MS, VERIFY_TTL_MS } from "../lib/accounts/email_links.ts";
import {
  emptyForm,
  FormMessage,
  FormPage,
  type FormState,
  Notice,
  SubmitButton,
  TextField,
} from "./Forms.tsx";

const link = "font-semibold text-emerald-800 underline";

/** A page's link with the signed `next` carried along, if there is one. */
function withNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

/** What a visitor sent to log in from a page of ours is told. */
const COMING_BACK =
  "Log in, or create an account, and we will take you straight back to where you were.";

export function SignupPage(
  { form, next }: {
    form: FormState;
    /** A `next` this site signed: the confirmation link leads back to it. */
    next?: string;
  },
) {
  const intent = form.values.intent ?? "rent";
  return (
    <FormPage
      title="Create your Prep account"
      intro={
        <p>
          Already have one?{" "}
          <a href={withNext("/login", next)} class={link}>Log in</a>
        </p>
      }
    >
      {next && (
        <Notice>
          Once you confirm your email address, the link in our email brings you
          straight back to where you were, in this tab or any other.
        </Notice>
      )}
      <FormMessage form={form} />
      <form method="post" action="/signup" class="space-y-4" noValidate>
        {next && <input type="hidden" name="next" value={next} />}
        <TextField
          name="name"
          label="Your name"
          form={form}
          autocomplete="name"
        />
        <TextField
          name="email"
          label="Email"
          type="email"
          form={form}
          autocomplete="email"
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          form={form}
          autocomplete="new-password"
          hint="At least 12 characters. A few unrelated words work well."
        />
        <fieldset>
          <legend class="text-sm font-semibold">
            What brings you to Prep?
          </legend>
          <label class="mt-2 flex items-center gap-2">
            <input
              type="radio"
              name="intent"
              value="rent"
              checked={intent === "rent"}
            />
            I want to rent kitchens
          </label>
          <label class="mt-1 flex items-center gap-2">
            <input
              type="radio"
              name="intent"
              value="host"
              checked={intent === "host"}
            />
            I want to list a kitchen
          </label>
          {form.errors.intent && (
            <p class="mt-1 text-sm font-medium text-red-700">
              {form.errors.intent}
            </p>
          )}
        </fieldset>
        <SubmitButton>Create account</SubmitButton>
      </form>
    </FormPage>
  );
}

export function LoginPage(
  { form, next, signupNext, notice }: {
    form: FormState;
    next?: string;
    /** `next` when this site signed it: sign-up carries it on. */
    signupNext?: string;
    notice?: string;
  },
) {
  return (
    <FormPage
      title="Log in"
      intro={
        <p>
          New to Prep?{" "}
          <a href={withNext("/signup", signupNext)} class={link}>
            Create an account
          </a>
        </p>
      }
    >
      {notice && <Notice>{notice}</Notice>}
      {signupNext && !notice && <Notice>{COMING_BACK}</Notice>}
      <FormMessage form={form} />
      <form method="post" action="/login" class="space-y-4" noValidate>
        {next && <input type="hidden" name="next" value={next} />}
        <TextField
          name="email"
          label="Email"
          type="email"
          form={form}
          autocomplete="email"
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          form={form}
          autocomplete="current-password"
        />
        <div class="flex items-center justify-between">
          <SubmitButton>Log in</SubmitButton>
          <a href="/forgot-password" class={link}>Forgot your password?</a>
        </div>
      </form>
    </FormPage>
  );
}

export function TokenProblem(
  { message, retry }: {
    message: string;
    retry: { href: string; label: string };
  },
) {
  return (
    <FormPage title="This link cannot be used">
      <FormMessage form={{ ...emptyForm, message }} />
      <p>
        <a href={retry.href} class={link}>{retry.label}</a>
      </p>
    </FormPage>
  );
}

export function ForgotPage(
  { form, sent }: { form: FormState; sent?: boolean },
) {
  return (
    <FormPage
      title="Reset your password"
      intro={<p>We will email you a link to choose a new password.</p>}
    >
      {sent && (
        <Notice>
          {`If an account uses that address, we have emailed it a link. The link works for ${
            RESET_TTL_MS / 60_000
          } minutes.`}
        </Notice>
      )}
      <FormMessage form={form} />
      <form
        method="post"
        action="/forgot-password"
        class="space-y-4"
        noValidate
      >
        <TextField
          name="email"
          label="Email"
          type="email"
          form={form}
          autocomplete="email"
        />
        <SubmitButton>Email me a link</SubmitButton>
      </form>
    </FormPage>
  );
}

export function ResetPage({ form, token }: { form: FormState; token: string }) {
  return (
    <FormPage title="Choose a new password">
      <FormMessage form={form} />
      <form method="post" action="/reset-password" class="space-y-4" noValidate>
        <input type="hidden" name="token" value={token} />
        <TextField
          name="password"
          label="New password"
          type="password"
          form={form}
          autocomplete="new-password"
          hint="At least 12 characters. You will be logged out everywhere."
        />
        <SubmitButton>Save the new password</SubmitButton>
      </form>
    </FormPage>
  );
}

export function VerifyPage({ token }: { token: string }) {
  return (
    <FormPage title="Confirm your email address">
      <form method="post" action="/verify-email" class="space-y-4">
        <input type="hidden" name="token" value={token} />
        <SubmitButton>Confirm my email address</SubmitButton>
      </form>
    </FormPage>
  );
}

/** After sign-up: the same page whether or not the address already had an account. */
export function SignupSentPage() {
  return (
    <FormPage title="Check your email">
      <Notice>
        We have sent a link to the address you gave. Open it to confirm your
        address and log in.
      </Notice>
      <p>
        The link works for {`${VERIFY_TTL_MS / 3600_000}`}{" "}
        hours. Nothing arrived? Check your spam folder, or{" "}
        <a href="/signup" class={link}>try again</a>. Already have an account?
        {" "}
        <a href="/login" class={link}>Log in</a>.
      </p>
    </FormPage>
  );
}
