import type { Context } from "hono";
import type { z } from "zod";
import { fieldErrors } from "../lib/accounts/schema.ts";
import type { Hit } from "../lib/accounts/rate_limit.ts";
import { ValidationError } from "../lib/errors.ts";
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

/** A ValidationError from lib, as form state that keeps what was typed. */
export function formFromError(
  form: FormState,
  err: unknown,
): FormState {
  if (!(err instanceof ValidationError)) throw err;
  return { values: form.values, errors: err.issues, message: err.message };
}

export function limitedForm(
  form: FormState,
  hit: Hit & { ok: false },
): FormState {
  const minutes = Math.max(1, Math.ceil(hit.retryAfterSeconds / 60));
  return {
    ...form,
    message: `Too many attempts. Please try again in ${minutes} minute${
      minutes === 1 ? "" : "s"
    }.`,
  };
}

/** Where to go after logging in: only a path on this site. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") &&
      !next.startsWith("/\\")
    ? next
    : "/account";
}
