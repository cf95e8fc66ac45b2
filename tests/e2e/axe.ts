// Accessibility checks in real Chromium: axe-core against WCAG 2 A and AA, on the page as it is.
import assert from "node:assert/strict";
import axe from "axe-core";
import type { Page } from "playwright-core";

/** Every WCAG 2.x level A and AA rule axe has (2.0, 2.1 and 2.2). */
export const WCAG_TAGS = [
  "wcag2a",
  "wcag2aa",
  "wcag21a",
  "wcag21aa",
  "wcag22aa",
];

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string }[];
}

/**
 * Puts axe into the page by DevTools evaluation, which the page's CSP does
 * not govern, so every page keeps its real policy (no `bypassCSP` context).
 * A script element would not do: a kept page without scripts says
 * `script-src 'none'`, and an element playwright inserts carries no nonce.
 */
async function injectAxe(page: Page): Promise<void> {
  const present = await page.evaluate(() =>
    typeof (globalThis as { axe?: unknown }).axe === "object"
  );
  if (!present) await page.evaluate(axe.source);
}

// Pages that refresh themselves (a booking page while its payment is being
// confirmed) can navigate during a run; the check then starts again on the
// page they landed on.
const NAVIGATED = /Execution context was destroyed|navigat|Target closed/i;

/** Which axe checks run: WCAG 2 A/AA by tag, unless named rules are asked for. */
type RunOnly = { type: "tag" | "rule"; values: string[] };

async function runAxe(
  page: Page,
  only: RunOnly = { type: "tag", values: WCAG_TAGS },
): Promise<A11yViolation[]> {
  for (let attempt = 1;; attempt++) {
    try {
      await page.waitForLoadState("load");
      await injectAxe(page);
      return await page.evaluate(async (runOnly) => {
        const results = await (globalThis as unknown as { axe: typeof axe })
          .axe.run(document, {
            runOnly,
            resultTypes: ["violations"],
          });
        return results.violations.map((v) => ({
          id: v.id,
          impact: v.impact ?? "unknown",
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: n.target.map((t) => JSON.stringify(t)).join(" "),
            html: n.html,
          })),
        }));
      }, only);
    } catch (err) {
      if (attempt < 4 && NAVIGATED.test(String(err))) continue;
      throw err;
    }
  }
}

/** Pages in a context with JavaScript off, with the CSP of the document each shows. */
const withoutJavaScript = new WeakMap<Page, { csp: string | null }>();

/**
 * Registers a page whose context has `javaScriptEnabled: false`, before it
 * navigates: axe then checks it as runAxeWithoutJavaScript says, keeping the
 * policy of the document it shows.
 */
export function markJavaScriptDisabled(page: Page): void {
  const state: { csp: string | null } = { csp: null };
  withoutJavaScript.set(page, state);
  page.on("response", (res) => {
    if (
      res.request().isNavigationRequest() && res.frame() === page.mainFrame()
    ) {
      state.csp = res.headers()["content-security-policy"] ?? null;
    }
  });
}

/**
 * axe on a page whose context has JavaScript off. There axe cannot run (no
 * script element executes and no timer fires, and axe.run waits on timers),
 * so the page's document, as that visitor has it, is served at its own URL,
 * with its own CSP, to a second context with JavaScript on, minus its
 * scripts (which the visitor never ran) and with <noscript> content shown as
 * the visitor saw it. Its stylesheets and images load from the site as
 * usual, so contrast is real.
 */
async function runAxeWithoutJavaScript(
  page: Page,
  csp: string | null,
): Promise<A11yViolation[]> {
  const url = page.url();
  const html = (await page.content())
    .replace(/<script\b[\s\S]*?<\/script>/gi, "")
    .replace(/<(\/?)noscript\b/gi, "<$1div");
  const browser = page.context().browser();
  if (!browser) throw new Error("axe: the page has no browser");
  const twin = await browser.newContext({
    viewport: page.viewportSize(),
    javaScriptEnabled: true,
  });
  try {
    const copy = await twin.newPage();
    await copy.route(
      url,
      (route) =>
        route.request().isNavigationRequest()
          ? route.fulfill({
            status: 200,
            contentType: "text/html; charset=utf-8",
            headers: csp ? { "content-security-policy": csp } : {},
            body: html,
          })
          : route.continue(),
    );
    await copy.goto(url);
    return await runAxe(copy);
  } finally {
    await twin.close();
  }
}

/** The WCAG 2 A/AA violations axe finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<A11yViolation[]> {
  const noJs = withoutJavaScript.get(page);
  return noJs
    ? await runAxeWithoutJavaScript(page, noJs.csp)
    : await runAxe(page);
}

/** One line per rule and one per element: rule id, impact, help, then each target. */
export function formatViolations(
  where: string,
  violations: A11yViolation[],
): string {
  const lines = [
    `axe: ${violations.length} WCAG 2 A/AA violation(s) on ${where}`,
  ];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>`);
    for (const n of v.nodes) lines.push(`    at ${n.target}  ${n.html}`);
  }
  return lines.join("\n");
}

/** Fails with a readable list when axe finds any WCAG 2 A/AA violation. */
export async function assertAccessible(
  page: Page,
  where: string = new URL(page.url()).pathname,
): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new assert.AssertionError({
      message: formatViolations(where, violations),
    });
  }
}

/**
 * Fails when any of the named axe `rules` finds a violation, whatever its
 * tag: e.g. "heading-order", a best-practice rule outside WCAG A/AA that
 * Lighthouse's accessibility score counts.
 */
export async function assertAxeRules(
  page: Page,
  rules: string[],
  where: string = new URL(page.url()).pathname,
): Promise<void> {
  const violations = await runAxe(page, { type: "rule", values: rules });
  if (violations.length > 0) {
    throw new assert.AssertionError({
      message: formatViolations(where, violations)
        .replace("WCAG 2 A/AA", rules.join(", ")),
    });
  }
}
