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

/**
 * A map tile drawn here, since tests have no network: a grey square with a
 * grid and its own address, so a screenshot shows where tiles join.
 */
export function testTile(path: string): Response {
  const name = path.slice("/test-tiles/".length).replace(/\.svg$/, "")
    .replace(/[^0-9/]/g, "");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">` +
    `<rect width="256" height="256" fill="#e7e5e4"/>` +
    `<path d="M0 .5H256M.5 0V256M0 128H256M128 0V256" stroke="#d6d3d1" stroke-width="1"/>` +
    `<text x="8" y="20" font-family="sans-serif" font-size="12" fill="#78716c">${name}</text></svg>`;
  return new Response(svg, {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "public, max-age=3600",
    },
  });
}

/** Serves `app` (e.g. a Hono app) on a random local port, and map tiles under /test-tiles/. */
export function startServer(
  app: { fetch: (req: Request) => Response | Promise<Response> },
) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      return path.startsWith("/test-tiles/") ? testTile(path) : app.fetch(req);
    },
  );
  const shutdown = () => server.shutdown();
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  } satisfies TestServer;
}
