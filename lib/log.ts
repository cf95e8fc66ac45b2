/**
 * Log lines that requests cannot forge. Paths, emails and error messages
 * can carry newlines and terminal escapes; written as they are, a request
 * could add fake lines to the log or recolour it. Every control character
 * is written as an escape instead.
 */

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character shown as \n, \x1b, \u2028 … */
export function escapeForLog(text: string): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** An error as log text: its message escaped, then its stack frames (our code's, not the request's). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return escapeForLog(String(err));
  const frames = (err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return [
    escapeForLog(`${err.name}: ${err.message}`),
    ...frames.map(escapeForLog),
  ].join("\n");
}

/** One line (or an error with its frames) on stderr, escaped. */
export function logError(context: string, err?: unknown): void {
  console.error(
    err === undefined
      ? escapeForLog(context)
      : `${escapeForLog(context)} ${describeError(err)}`,
  );
}

export function logWarn(message: string): void {
  console.warn(escapeForLog(message));
}
