import type { Context } from "hono";
import type { z } from "zod";
import { fieldErrors } from "../lib/accounts/schema.ts";
import type { Hit } from "../lib/accounts/rate_limit.ts";
import {
  ConflictError,
  TooManyAttemptsError,
  ValidationError,
} from "../lib/errors.ts";
import type { FormState } from "../components/Forms.tsx";
import type { AppEnv } from "./context.tsx";

/** Never echoed back into a page. */
const SECRET_FIELDS = new Set(["password", "currentPassword"]);

export type FormRead<T> =
  | { ok: true; data: T; form: FormState }
  | { ok: false; form: FormState };

/** Parses a posted form with `schema`; on failure, the form state to re-render. */
export async function readForm<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
): Promise<FormRead<T>> {
  const body = await c.req.parseBody().catch(() => ({}));
  // A field left out of the post reads as empty, so it gets the field's own
  // message ("Enter your name") rather than a type error.
  const raw: Record<string, string> = Object.fromEntries(
    Object.keys(shapeOf(schema)).map((k) => [k, ""]),
  );
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string") raw[k] = v;
  }
  const values = Object.fromEntries(
    Object.entries(raw).filter(([k]) => !SECRET_FIELDS.has(k)),
  );
  const parsed = schema.safeParse(raw);
  if (parsed.success) {
    return { ok: true, data: parsed.data, form: { values, errors: {} } };
  }
  return {
    ok: false,
    form: {
      values,
      errors: fieldErrors(parsed.error),
      message: "Please check the highlighted fields.",
    },
  };
}

function shapeOf(schema: z.ZodType): Record<string, unknown> {
  const shape = (schema as { shape?: unknown }).shape;
  return typeof shape === "object" && shape !== null
    ? shape as Record<string, unknown>
    : {};
}

/** Statuses of the failures a form shows in place, keeping what was typed. */
export type FormStatus = 400 | 409 | 429;

/**
 * A failure from lib as form state that keeps what was typed, with its
 * status: field errors (400), a conflict (409) or too many attempts (429).
 * Anything else is not the form's to show and is rethrown.
 */
export function formFailure(
  form: FormState,
  err: unknown,
): { form: FormState; status: FormStatus } {
  if (err instanceof ValidationError) {
    return {
      form: { values: form.values, errors: err.issues, message: err.message },
      status: 400,
    };
  }
  if (err instanceof ConflictError || err instanceof TooManyAttemptsError) {
    return {
      form: { values: form.values, errors: {}, message: err.message },
      status: err.status as FormStatus,
    };
  }
  throw err;
}

/** A refused rate-limit hit as form state. */
export function limitedForm(
  form: FormState,
  hit: Hit & { ok: false },
): FormState {
  return formFailure(form, new TooManyAttemptsError(hit.retryAfterSeconds))
    .form;
}
