import { z } from "zod";

/**
 * Free text typed by people (names, titles, descriptions, rules, addresses).
 * Every such field goes through `text()` so that what is stored and shown
 * is NFC-normalised, free of control characters that forge lines in logs
 * and mail, free of bidi overrides that make "exe.pdf" read as "fdp.exe",
 * and has something visible in it (a name of only U+200B is no name).
 */

// C0 and C1 controls and DEL. Newlines and tabs are handled per field.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const LINE_BREAK = /[\r\n\u2028\u2029]/u;
// Embeddings, overrides and isolates: they reorder what follows them.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

export interface TextOptions {
  /** Shown in messages: "Enter your name". */
  label: string;
  min?: number;
  max: number;
  /** Allows line breaks (descriptions); single-line fields refuse them. */
  multiline?: boolean;
}

/** What a reason or a note about a decision or a report may run to. */
export const REASON_MAX_CHARS = 1000;

/** What a host's reason for declining or ending, which the renter reads, may run to. */
export const ANSWER_MAX_CHARS = 500;

/** Why `value` is not acceptable free text, or null. */
export function textProblem(
  value: string,
  opts: Pick<TextOptions, "multiline">,
): string | null {
  if (CONTROL.test(value)) return "Remove the control characters";
  if (!opts.multiline && LINE_BREAK.test(value)) {
    return "Keep this on one line";
  }
  if (BIDI.test(value)) return "Remove the text-direction override characters";
  return null;
}

/** Normalises text: NFC, CRLF to LF, tabs to spaces, and trimmed. */
export function normaliseText(value: string): string {
  return value.normalize("NFC").replace(/\r\n?/g, "\n").replace(/\t/g, " ")
    .trim();
}

/**
 * A zod schema for one free-text field. Length counts code points after
 * normalising, so "é" typed as e + combining accent counts once.
 */
export function text(opts: TextOptions) {
  const min = opts.min ?? 1;
  return z.string().transform((raw, ctx) => {
    const value = normaliseText(raw);
    const problem = textProblem(value, opts);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    const length = [...value].length;
    if (min > 0 && (length === 0 || !VISIBLE.test(value))) {
      ctx.addIssue({ code: "custom", message: `Enter ${opts.label}` });
      return z.NEVER;
    }
    if (length < min) {
      ctx.addIssue({
        code: "custom",
        message: `Use at least ${min} characters`,
      });
      return z.NEVER;
    }
    if (length > opts.max) {
      ctx.addIssue({
        code: "custom",
        message: `Use at most ${opts.max} characters`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** Optional free text: empty becomes null. */
export function optionalText(opts: Omit<TextOptions, "min">) {
  return z.string().transform((raw, ctx) => {
    if (normaliseText(raw) === "") return null;
    const parsed = text({ ...opts, min: 1 }).safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", message: issue.message });
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}
