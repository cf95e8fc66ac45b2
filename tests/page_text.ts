// What a person reads on a rendered page, and the machine dates and times in it (issue 17 §8).
/**
 * A page's markup with every numeric character reference decoded. Pages go
 * out as ASCII, every other character as a reference (asciiHtml in
 * lib/islands/server.ts): "10:00 AM &#8211; 2:00 PM" is what a person reads as
 * "10:00 AM - 2:00 PM".
 */
export function characters(html: string): string {
  return html
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(
      /&#x([0-9a-f]+);/gi,
      (_, n) => String.fromCodePoint(parseInt(n, 16)),
    );
}

/** What a person reads on a page: no scripts, styles, attributes or typed form values. */
export function visibleText(html: string): string {
  return characters(html)
    .replace(/<script\b[\s\S]*?<\/script>/gi, " ")
    .replace(/<style\b[\s\S]*?<\/style>/gi, " ")
    // What the host typed into a textarea reads as they typed it.
    .replace(/<textarea\b[\s\S]*?<\/textarea>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

const MACHINE_TIMES: [string, RegExp][] = [
  ["an ISO date", /\b\d{4}-\d{2}-\d{2}\b/g],
  ["a clock with seconds", /\b\d{1,2}:\d{2}:\d{2}\b/g],
  ["a 24-hour clock", /\b(?:[01]\d|2[0-4]):[0-5]\d\b(?!\s?[AP]M)/g],
];

/** Each machine-readable date or time in `text`, with the words around it. */
export function machineTimes(text: string): string[] {
  const found: string[] = [];
  for (const [what, re] of MACHINE_TIMES) {
    for (const m of text.matchAll(re)) {
      const from = Math.max(0, m.index - 50);
      found.push(
        `${what} "${m[0]}" in "…${
          text.slice(from, m.index + m[0].length + 50)
        }…"`,
      );
    }
  }
  return found;
}
