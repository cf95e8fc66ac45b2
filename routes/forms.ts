/**
 * The one way routes read input (DESIGN §3): a posted form (urlencoded or
 * multipart, files included) or a query string, parsed with a zod object
 * schema. Nothing else in routes/ reads a request's body or query; the
 * Stripe webhook alone reads its body raw, as its signature covers the
 * bytes sent. The body size is capped by routes/limits.ts before anything
 * here reads it.
 */
import type { Context } from "hono";
import { z } from "zod";
import type { FormState } from "../components/Forms.tsx";
import type { Hit } from "../lib/accounts/rate_limit.ts";
import {
  ConflictError,
  TooManyAttemptsError,
  ValidationError,
} from "../lib/errors.ts";
import { fieldErrors } from "../lib/forms.ts";
import type { AppEnv } from "./env.ts";
import { isMultipart, readMultipart } from "./multipart.ts";

/** Never echoed back into a page. */
const SECRET_FIELDS = new Set(["password", "currentPassword"]);

export type FormRead<T> =
  | { ok: true; data: T; form: FormState }
  | { ok: false; form: FormState };

/**
 * Parses `entries` with a zod object schema. Repeated keys and `key[]`
 * become arrays for fields whose schema is an array; a field whose schema
 * is a file (`z.file()`) takes the first file sent that is not empty; any
 * other field takes its first text value. A text field left out reads as
 * empty ("" or []), so it gets the field's own message ("Enter your name")
 * rather than a type error; a file left out reads as absent. The form
 * state keeps what was typed (never passwords, never files).
 */
export function parseFields<T>(
  schema: z.ZodType<T>,
  entries: Iterable<[string, string | File]>,
): FormRead<T> {
  const { kinds, files } = layoutOf(schema);
  const raw: Record<string, string | string[] | File | undefined> = {};
  for (const [k, kind] of kinds) {
    raw[k] = kind === "file" ? undefined : kind === "array" ? [] : "";
  }
  const seen = new Set<string>();
  for (const [key, v] of entries) {
    const k = key.endsWith("[]") ? key.slice(0, -2) : key;
    if (files.has(k)) {
      if (v instanceof File && v.size > 0 && raw[k] === undefined) raw[k] = v;
      continue;
    }
    if (typeof v !== "string") continue;
    const current = raw[k];
    if (Array.isArray(current)) {
      if (current.length < 100) current.push(v);
    } else if (!seen.has(k)) {
      raw[k] = v;
      seen.add(k);
    }
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (SECRET_FIELDS.has(k) || files.has(k)) continue;
    values[k] = Array.isArray(v) ? v.join(",") : v as string;
  }
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

type FieldKind = "text" | "array" | "file";

/** How each field of a schema is read, worked out once per schema. */
const layouts = new WeakMap<
  object,
  { kinds: [string, FieldKind][]; files: Set<string> }
>();

function layoutOf(schema: z.ZodType) {
  let layout = layouts.get(schema);
  if (!layout) {
    const kinds = Object.entries(shapeOf(schema)).map((
      [k, field],
    ): [string, FieldKind] => [
      k,
      isFileField(field) ? "file" : isArrayField(field) ? "array" : "text",
    ]);
    const files = new Set(
      kinds.filter(([, t]) => t === "file").map(([k]) => k),
    );
    layouts.set(schema, layout = { kinds, files });
  }
  return layout;
}

/**
 * Parses a posted form (urlencoded or multipart) with `schema`. A body that
 * cannot be read is an empty form; for an upload form (one with a file
 * field), it is refused as such.
 */
export async function readForm<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
): Promise<FormRead<T>> {
  const data = await formEntries(c);
  if (!data && layoutOf(schema).files.size > 0) {
    return {
      ok: false,
      form: {
        values: {},
        errors: {},
        message: "We could not read that upload.",
      },
    };
  }
  return parseFields(schema, data ?? []);
}

/** Bodies read so far, per request: a route may read its form with two schemas. */
const bodies = new WeakMap<object, Promise<FormEntries | null>>();

type FormEntries = Iterable<[string, string | File]>;

/** The posted fields, or null when the body cannot be read as a form. */
function formEntries(c: Context<AppEnv>): Promise<FormEntries | null> {
  let read = bodies.get(c);
  if (!read) {
    read = isMultipart(c.req.raw)
      ? readMultipart(c.req.raw)
      : c.req.formData().then((d) => [...d.entries()], () => null);
    bodies.set(c, read);
  }
  return read;
}

/**
 * Parses the query string with `schema`. The page cache keys a page on the
 * query as its route reads it (routes/page_cache.ts); both get one parse.
 */
export function readQuery<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
): FormRead<T> {
  // Per request and schema (a context variable: see AppEnv's `queries`).
  let read = c.get("queries");
  if (!read) c.set("queries", read = new Map());
  let found = read.get(schema) as FormRead<T> | undefined;
  if (!found) {
    found = parseFields(schema, new URL(c.req.url).searchParams.entries());
    read.set(schema, found);
  }
  return found;
}

/** Whether the caller asked for JSON (an island posting a form) rather than a page. */
export function wantsJson(c: Context<AppEnv>): boolean {
  return (c.req.header("Accept") ?? "").includes("application/json");
}

const noticeQuery = z.object({ notice: z.string() });

/**
 * `?notice=`: which note a page shows after a redirect ("" for none). Only
 * a page's own table of notes turns it into text; it is never echoed.
 */
export function readNotice(c: Context<AppEnv>): string {
  const read = readQuery(c, noticeQuery);
  return read.ok ? read.data.notice : "";
}

/** Whether a field's zod type, under optional/default/pipe wrappers, is one `match` accepts. */
function fieldType(field: unknown, match: (type: unknown) => boolean): boolean {
  type Def = Record<string, unknown> & { type?: unknown };
  const defOf = (s: unknown) => (s as { _zod?: { def?: Def } })?._zod?.def;
  let def = defOf(field);
  for (let depth = 0; def && depth < 8; depth++) {
    if (match(def.type)) return true;
    // A preprocess is a pipe from a transform: the field is what it feeds.
    const inner = def.innerType ??
      (defOf(def.in)?.type === "transform" ? def.out : def.in);
    def = defOf(inner);
  }
  return false;
}

/** Whether a field's schema (under optional/default/pipe wrappers) is an array. */
function isArrayField(field: unknown): boolean {
  return fieldType(field, (t) => t === "array");
}

/** Whether a field's schema (under optional/default/pipe wrappers) is a file. */
function isFileField(field: unknown): boolean {
  return fieldType(field, (t) => t === "file");
}

/**
 * The object shape of a schema, looking through refinements and
 * transforms; an intersection (`a.and(b)`) has both sides' fields.
 */
function shapeOf(schema: unknown): Record<string, unknown> {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    const shape = (current as { shape?: unknown }).shape;
    if (typeof shape === "object" && shape !== null) {
      return shape as Record<string, unknown>;
    }
    const def = (current as {
      _zod?: {
        def?: { type?: string; in?: unknown; left?: unknown; right?: unknown };
      };
    })._zod?.def;
    if (def?.type === "intersection") {
      return { ...shapeOf(def.left), ...shapeOf(def.right) };
    }
    current = def?.in;
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
