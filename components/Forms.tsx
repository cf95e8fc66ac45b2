import type { ComponentChildren } from "preact";
import type { ErrorLink } from "../lib/errors.ts";

/** What a form shows after a failed post: the values typed (never passwords) and field messages. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** One message for the whole form, shown above it. */
  message?: string;
  /** Where to go about the message (the booking that already holds the time). */
  link?: ErrorLink;
}

export const emptyForm: FormState = { values: {}, errors: {} };

const inputClass =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
// Whole strings, not `${…}` parts: the stylesheet is built from the class
// names it finds in string literals, and skips what is inside `${}`.
const invalidInputClass =
  "mt-1 w-full rounded-lg border-2 border-red-700 bg-red-50 px-3 py-2";

interface FieldProps {
  name: string;
  label: string;
  form: FormState;
  hint?: string;
  /** Tells apart fields of the same name in several forms on one page. */
  scope?: string;
}

/**
 * A labelled control with its hint and error, wired for screen readers:
 * `control` gets the id, the invalid flag and what describes it.
 */
function Field(
  { name, label, form, hint, scope = "f", control }: FieldProps & {
    control: (a: {
      id: string;
      invalid: boolean;
      describedBy: string | undefined;
      className: string;
    }) => ComponentChildren;
  },
) {
  const error = form.errors[name];
  const id = `${scope}-${name}`;
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(
    Boolean,
  ).join(" ");
  return (
    <div>
      <label for={id} class="block text-sm font-semibold">{label}</label>
      {control({
        id,
        invalid: Boolean(error),
        describedBy: described || undefined,
        className: error ? invalidInputClass : inputClass,
      })}
      {hint && (
        <p id={`${id}-hint`} class="mt-1 text-sm text-stone-600">{hint}</p>
      )}
      {error && (
        <p id={`${id}-error`} class="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

export function TextField(
  { type = "text", autocomplete, required = true, min, ...field }:
    & FieldProps
    & {
      type?: string;
      autocomplete?: string;
      required?: boolean;
      /** The earliest a date field offers (the server checks it too). */
      min?: string;
    },
) {
  return (
    <Field
      {...field}
      control={(a) => (
        <input
          id={a.id}
          name={field.name}
          type={type}
          value={type === "password"
            ? undefined
            : field.form.values[field.name] ?? ""}
          autocomplete={autocomplete}
          required={required}
          min={min}
          class={a.className}
          aria-invalid={a.invalid ? "true" : undefined}
          aria-describedby={a.describedBy}
        />
      )}
    />
  );
}

/** A free-text field's limit, as its hint says it ("Up to 1,000 characters."). */
export function upToChars(max: number): string {
  return `Up to ${max.toLocaleString("en-US")} characters.`;
}

export function TextArea(
  { rows = 6, maxLength, ...field }: FieldProps & {
    rows?: number;
    /** Characters the field takes: the browser stops typing past it. */
    maxLength?: number;
  },
) {
  return (
    <Field
      {...field}
      control={(a) => (
        <textarea
          id={a.id}
          name={field.name}
          rows={rows}
          maxLength={maxLength}
          class={a.className}
          aria-invalid={a.invalid ? "true" : undefined}
          aria-describedby={a.describedBy}
        >
          {field.form.values[field.name] ?? ""}
        </textarea>
      )}
    />
  );
}

export function Select(
  { options, required = false, ...field }: FieldProps & {
    options: [string, string][];
    /** The browser asks for a choice before sending (an option "" is none). */
    required?: boolean;
  },
) {
  // A value sent back that is none of the options (a refused one): ask
  // again, rather than show the first option as if it had been chosen.
  const value = field.form.values[field.name];
  const unknown = value !== undefined && value !== "" &&
    !options.some(([v]) => v === value);
  return (
    <Field
      {...field}
      control={(a) => (
        <select
          id={a.id}
          name={field.name}
          required={required}
          class={a.className}
          aria-invalid={a.invalid ? "true" : undefined}
          aria-describedby={a.describedBy}
        >
          {unknown && <option value="" selected>Choose one</option>}
          {options.map(([v, text]) => (
            <option key={v} value={v} selected={value === v}>
              {text}
            </option>
          ))}
        </select>
      )}
    />
  );
}

export function FormMessage({ form }: { form: FormState }) {
  const text = form.message ?? form.errors.form;
  return text
    ? (
      <p
        role="alert"
        class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 font-medium text-red-800"
      >
        {text}
        {form.link && (
          <>
            {" "}
            <a href={form.link.href} class="underline">{form.link.label}</a>
          </>
        )}
      </p>
    )
    : null;
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p
      role="status"
      class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-emerald-900"
    >
      {children}
    </p>
  );
}

export function SubmitButton({ children }: { children: ComponentChildren }) {
  return (
    <button
      type="submit"
      class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
    >
      {children}
    </button>
  );
}

/** A narrow page with a heading, for the account forms. */
export function FormPage(
  { title, intro, children }: {
    title: string;
    intro?: ComponentChildren;
    children: ComponentChildren;
  },
) {
  return (
    <section class="mx-auto max-w-md space-y-5">
      <h1 class="text-3xl font-extrabold">{title}</h1>
      {intro && <div class="text-stone-700">{intro}</div>}
      {children}
    </section>
  );
}

/**
 * The city's conditions a renter ticks before holding time (each is stored
 * on the booking): on the review page, a weekly booking's claim and a
 * change of time. Ticks already sent are kept when the form comes back.
 */
export function ConditionsToTick(
  { legend, intro, conditions, form }: {
    legend: string;
    intro?: string;
    conditions: readonly { code: string; message: string }[];
    form: FormState;
  },
) {
  if (conditions.length === 0) return null;
  const ticked = new Set(
    (form.values.acknowledge ?? "").split(",").filter(Boolean),
  );
  return (
    <fieldset class="space-y-2">
      <legend class="text-xl font-bold">{legend}</legend>
      {intro && <p class="text-sm text-stone-600">{intro}</p>}
      {conditions.map((c) => (
        <label key={c.code} class="flex items-start gap-2">
          <input
            type="checkbox"
            name="acknowledge"
            value={c.code}
            required
            checked={ticked.has(c.code)}
          />
          <span data-code={c.code}>{c.message}</span>
        </label>
      ))}
      {form.errors.acknowledge && (
        <p class="text-sm font-medium text-red-700">
          {form.errors.acknowledge}
        </p>
      )}
    </fieldset>
  );
}
