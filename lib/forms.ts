/**
 * Shared pieces of the one way input is read (routes/forms.ts parses every
 * form, query string and upload with a zod object schema): field messages
 * from a zod error, and field types for query strings, where a GET form
 * sends its untouched fields blank.
 */
import { z } from "zod";

/** Field messages from a zod error, first message per field ("address.city"; "form" for the whole). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** A query field that may be left out: trimmed, and blank reads as absent. */
export function optionalField<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => {
    if (typeof v !== "string") return v;
    const trimmed = v.trim();
    return trimmed === "" ? undefined : trimmed;
  }, schema.optional());
}

/**
 * A repeated query key whose values are each one of `ids` (blank ones
 * dropped), at most `max` of them when given. A value that is none of them
 * is the field's error, `message`, on the field as a whole.
 */
export function choicesField<const T extends readonly string[]>(
  ids: T,
  message: string,
  max?: number,
) {
  const known: readonly string[] = ids;
  const checked = z.array(z.string()).refine(
    (values) => values.every((v) => known.includes(v)),
    message,
  );
  return z.array(z.string())
    .transform((values) => values.map((v) => v.trim()).filter((v) => v !== ""))
    .pipe(max === undefined ? checked : checked.max(max))
    .transform((values) => values as T[number][]);
}
