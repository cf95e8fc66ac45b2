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
import type { AppEnv } from "./env.ts";

/** Never echoed back into a page. */
const SECRET_FIELDS = new Set(["password", "currentPassword"]);

export type FormRead<T> =
  | { ok: true; data: T; form: FormState }
  | { ok: false; form: FormState };

/**
 * The one way routes read input (DESIGN §3): a posted form or a query
 * string, parsed with a zod object schema. Repeated keys and `key[]` become
 * arrays for fields whose schema is an array; any other field takes its
 * first value. A field left out reads as empty ("" or []), so it gets the
 * field's own message ("Enter your name") rather than a type error. The body
 * size is already capped by routes/limits.ts before anything here reads it.
 */
export function parseFields<T>(
  schema: z.ZodType<T>,
  entries: Iterable<[string, string | File]>,
): FormRead<T> {
  const shape = shapeOf(schema);
  const raw: Record<string, string | string[]> = {};
  for (const [k, field] of Object.entries(shape)) {
    raw[k] = isArrayField(field) ? [] : "";
  }
  const seen = new Set<string>();
  for (const [key, v] of entries) {
    if (typeof v !== "string") continue;
    const k = key.endsWith("[]") ? key.slice(0, -2) : key;
    const current = raw[k];
    if (Array.isArray(current)) {
      if (current.length < 100) current.push(v);
    } else if (!seen.has(k)) {
      raw[k] = v;
      seen.add(k);
    }
  }
  const values = Object.fromEntries(
    Object.entries(raw)
      .filter(([k]) => !SECRET_FIELDS.has(k))
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]),
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

/** Parses a posted form (urlencoded or multipart) with `schema`. */
export async function readForm<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
): Promise<FormRead<T>> {
  const data = await c.req.formData().catch(() => new FormData());
  return parseFields(schema, data.entries());
}

/** Parses the query string with `schema`. */
export function readQuery<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
): FormRead<T> {
  return parseFields(schema, new URL(c.req.url).searchParams.entries());
}

/** Whether a field's schema (under optional/default/pipe wrappers) is an array. */
function isArrayField(field: unknown): boolean {
  let def = (field as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  for (let depth = 0; def && depth < 8; depth++) {
    if (def.type === "array") return true;
    const inner = (def.innerType ?? def.in) as
      | { _zod?: { def?: Record<string, unknown> } }
      | undefined;
    def = inner?._zod?.def;
  }
  return false;
}

/** The object shape of a schema, looking through refinements and transforms. */
function shapeOf(schema: z.ZodType): Record<string, unknown> {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    const shape = (current as { shape?: unknown }).shape;
    if (typeof shape === "object" && shape !== null) {
      return shape as Record<string, unknown>;
    }
    current = (current as { _zod?: { def?: { in?: unknown } } })._zod?.def?.in;
  }
  return {};
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
    const link = err instanceof ConflictError ? err.link : undefined;
    return {
      form: {
        values: form.values,
        errors: {},
        message: err.message,
        ...(link && { link }),
      },
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
