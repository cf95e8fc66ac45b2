// Shared helpers for real-browser tests: Chromium via playwright-core, and a throwaway server.
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const hasChromium: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
})();

const isCI = Deno.env.get("CI") === "true";
let skipNoticePrinted = false;

/** Launches headless Chromium, or returns null when it is not installed. */
export async function launchBrowser(): Promise<Browser | null> {
  if (!hasChromium) return null;
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Registers a browser test. Without Chromium it is skipped with a visible notice locally, but
 * fails on CI (CI=true) so a broken image cannot silently turn the suite green.
 */
export function browserTest(
  name: string,
  fn: (browser: Browser) => Promise<void>,
): void {
  if (!hasChromium && isCI) {
    Deno.test(name, () => {
      throw new Error(
        `CI=true but ${CHROMIUM_PATH} is missing; browser tests cannot run`,
      );
    });
    return;
  }
  if (!hasChromium && !skipNoticePrinted) {
    skipNoticePrinted = true;
    console.log(`e2e skipped: ${CHROMIUM_PATH} not found`);
  }
  Deno.test({
    name,
    ignore: !hasChromium,
    fn: async () => {
      const browser = await launchBrowser();
      if (!browser) throw new Error(`${CHROMIUM_PATH} disappeared`);
      try {
        await fn(browser);
      } finally {
        await browser.close();
      }
    },
  });
}

export interface TestServer {
  baseUrl: string;
  shutdown(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Serves `app` (e.g. a Hono app) on a random local port. */
export function startServer(
  app: { fetch: (req: Request) => Response | Promise<Response> },
) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => app.fetch(req),
  );
  const shutdown = () => server.shutdown();
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  } satisfies TestServer;
}
