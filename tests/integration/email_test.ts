import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config.ts";
import { keys } from "../../lib/db/keys.ts";
import { emailJobHandler, outgoingEmail } from "../../lib/email/job.ts";
import { getMail, listMail } from "../../lib/email/mailbox.ts";
import {
  type OutgoingEmail,
  verificationEmail,
} from "../../lib/email/templates.ts";
import {
  mailboxTransport,
  resendTransport,
  transportFor,
} from "../../lib/email/transport.ts";
import { newId } from "../../lib/ids.ts";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { createApp } from "../../routes/app.tsx";
import { devMailbox } from "../../routes/dev/mailbox.tsx";
import { EMAIL_JOB } from "../../lib/job_names.ts";
import { createServices } from "../../lib/app.ts";

const VERIFY_URL = "http://localhost:8000/verify?token=tok_123&next=%2F";

function sample(to = "ana@example.com", name = "Ana"): OutgoingEmail {
  return outgoingEmail(
    { EMAIL_FROM: "Prep <hello@prep.localhost>" },
    to,
    verificationEmail({ name, url: VERIFY_URL, hours: 24 }),
  );
}

interface Seen {
  method: string;
  path: string;
  auth: string | null;
  idempotencyKey: string | null;
  contentType: string | null;
  body: Record<string, unknown>;
}

/** A local stand-in for Resend's API that records each request and replies with `reply`. */
function fakeResend(reply: () => Response) {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      seen.push({
        method: req.method,
        path: new URL(req.url).pathname,
        auth: req.headers.get("authorization"),
        idempotencyKey: req.headers.get("idempotency-key"),
        contentType: req.headers.get("content-type"),
        body: await req.json(),
      });
      return reply();
    },
  );
  return {
    seen,
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}

Deno.test("email: resendTransport posts the message to /emails with key and idempotency key", async () => {
  const api = fakeResend(() => Response.json({ id: "re_1" }));
  try {
    const transport = resendTransport({
      apiKey: "re_test_key",
      baseUrl: `${api.baseUrl}/`,
    });
    assert.equal(transport.name, "resend");
    const email = sample();
    await transport.send(email, "job_01");
    assert.equal(api.seen.length, 1);
    const req = api.seen[0];
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/emails");
    assert.equal(req.auth, "Bearer re_test_key");
    assert.equal(req.idempotencyKey, "job_01");
    assert.match(req.contentType ?? "", /^application\/json/);
    assert.deepEqual(req.body, {
      from: "Prep <hello@prep.localhost>",
      to: ["ana@example.com"],
      subject: email.subject,
      html: email.html,
      text: email.text,
    });
  } finally {
    await api.close();
  }
});

Deno.test("email: resendTransport throws with the status and Resend's message so the job retries", async () => {
  let status = 422;
  const api = fakeResend(() =>
    Response.json({
      statusCode: status,
      name: status === 422 ? "validation_error" : "internal_server_error",
      message: status === 422
        ? "Invalid `to` field."
        : "An unexpected error occurred.",
    }, { status })
  );
  try {
    const transport = resendTransport({ apiKey: "k", baseUrl: api.baseUrl });
    await assert.rejects(
      transport.send(sample(), "job_02"),
      /Resend answered 422: validation_error: Invalid `to` field\./,
    );
    status = 500;
    await assert.rejects(
      transport.send(sample(), "job_02"),
      /Resend answered 500: internal_server_error: An unexpected error/,
    );
    assert.equal(api.seen.length, 2);
  } finally {
    await api.close();
  }
});

Deno.test("email: resendTransport uses the injected fetch and reports non-JSON errors", async () => {
  const calls: string[] = [];
  const transport = resendTransport({
    apiKey: "k",
    baseUrl: "https://resend.invalid",
    fetch: (input) => {
      calls.push(String(input));
      return Promise.resolve(
        new Response("<html>Bad gateway</html>", { status: 502 }),
      );
    },
  });
  await assert.rejects(
    transport.send(sample(), "job_03"),
    /Resend answered 502: <html>Bad gateway<\/html>/,
  );
  assert.deepEqual(calls, ["https://resend.invalid/emails"]);
});

Deno.test("email: transportFor picks Resend with a key and the mailbox without", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const base = loadConfig({ APP_ENV: "test" });
    assert.equal(transportFor(base, kv).name, "mailbox");
    assert.equal(
      transportFor({ ...base, RESEND_API_KEY: "re_x" }, kv).name,
      "resend",
    );
  } finally {
    kv.close();
  }
});

Deno.test("email: mailboxTransport stores once per idempotency key; listMail newest first; getMail", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let clock = Date.parse("2026-12-01T15:00:00Z");
    const transport = mailboxTransport(kv, () => clock);
    assert.equal(transport.name, "mailbox");
    const [a, b, c] = [newId(), newId(), newId()];
    await transport.send(sample("a@example.com", "A"), a);
    clock += 1000;
    await transport.send(sample("b@example.com", "B"), b);
    clock += 1000;
    // A retried job: same key, later time, different content — the first copy stays.
    await transport.send(sample("other@example.com", "Other"), a);
    await transport.send(sample("c@example.com", "C"), c);

    const all = await listMail(kv);
    assert.deepEqual(all.map((m) => m.to), [
      "c@example.com",
      "b@example.com",
      "a@example.com",
    ]);
    assert.deepEqual((await listMail(kv, 2)).map((m) => m.id), [c, b]);

    const first = await getMail(kv, a);
    assert.ok(first);
    assert.equal(first.to, "a@example.com");
    assert.equal(first.sentAt, Date.parse("2026-12-01T15:00:00Z"));
    assert.match(first.text, /Hi A,/);
    assert.equal(await getMail(kv, "missing"), null);
    assert.equal(await getMail(kv, "x".repeat(5000)), null);

    let count = 0;
    for await (const _ of kv.list({ prefix: keys.mailboxPrefix() })) count++;
    assert.equal(count, 3);
  } finally {
    kv.close();
  }
});

Deno.test("email: the job handler validates with its schema and sends with the job id as key", async () => {
  const sent: [OutgoingEmail, string][] = [];
  const handler = emailJobHandler({
    name: "mailbox",
    send: (email, key) => {
      sent.push([email, key]);
      return Promise.resolve();
    },
  });
  assert.equal(EMAIL_JOB, "email.send");
  const payload = handler.schema.parse(JSON.parse(JSON.stringify(sample())));
  await handler.run(payload, { jobId: "01JOB" });
  assert.equal(sent.length, 1);
  assert.equal(sent[0][1], "01JOB");
  assert.equal(sent[0][0].to, "ana@example.com");
  assert.equal(
    handler.schema.safeParse({ to: "ana@example.com" }).success,
    false,
  );
});

/** The real app (its 404 page and error handling) with the mailbox mounted where main's app mounts it. */
async function mailboxApp(
  appEnv: "test" | "development" | "production",
  env: Record<string, string> = {},
) {
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({
    APP_ENV: appEnv,
    DENO_KV_PATH: ":memory:",
    ...(appEnv === "production"
      ? {
        RESEND_API_KEY: "re_test",
        BASE_URL: "https://prep.example",
        STRIPE_SECRET_KEY: "sk_test_x",
        STRIPE_WEBHOOK_SECRET: "whsec_x",
      }
      : {}),
    ...env,
  });
  const now = Date.parse("2026-12-01T15:00:00Z");
  const app = createApp({
    services: createServices(config, kv, () => now),
    manifest: await loadManifest(),
  });
  // routes/app.tsx mounts it; mount it here too until that lands, never twice.
  if (!app.routes.some((r) => r.path.startsWith("/dev/mailbox"))) {
    app.route("/dev/mailbox", devMailbox);
  }
  return {
    kv,
    request: (path: string) => app.request(path),
    close: () => kv.close(),
  };
}

Deno.test("email: dev mailbox lists messages newest first, with an empty state", async () => {
  const t = await mailboxApp("development");
  try {
    const empty = await t.request("/dev/mailbox");
    assert.equal(empty.status, 200);
    assert.match(await empty.text(), /No emails yet/);

    let clock = 1_000;
    const transport = mailboxTransport(t.kv, () => clock);
    await transport.send(sample("old@example.com"), newId());
    clock += 1000;
    const latest = newId();
    await transport.send(sample("new@example.com"), latest);

    const res = await t.request("/dev/mailbox");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const html = await res.text();
    assert.match(html, /Confirm your email for Prep/);
    assert.ok(
      html.indexOf("new@example.com") < html.indexOf("old@example.com"),
      "newest first",
    );
    assert.ok(html.includes(`href="/dev/mailbox/${latest}"`));
    assert.doesNotMatch(html, /No emails yet/);
  } finally {
    t.close();
  }
});

Deno.test("email: dev mailbox message page shows headers and a clickable link", async () => {
  const t = await mailboxApp("test");
  try {
    const id = newId();
    await mailboxTransport(t.kv).send(
      sample("ana@example.com", "<b>Ana</b>"),
      id,
    );
    const res = await t.request(`/dev/mailbox/${id}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /To<\/dt>\s*<dd>ana@example\.com<\/dd>/);
    assert.match(
      html,
      /From<\/dt>\s*<dd>Prep &lt;hello@prep\.localhost(>|&gt;)<\/dd>/,
    );
    assert.match(
      html,
      /<a\s+href="http:\/\/localhost:8000\/verify\?token=tok_123&amp;next=%2F"/,
      "the verify URL is a link",
    );
    assert.match(
      html,
      /Hi &lt;b(>|&gt;)Ana&lt;\/b(>|&gt;),/,
      "text body is escaped once",
    );
    assert.ok(html.includes(`href="/dev/mailbox/${id}/html"`));
  } finally {
    t.close();
  }
});

Deno.test("email: dev mailbox serves the HTML part sandboxed", async () => {
  const t = await mailboxApp("development");
  try {
    const id = newId();
    const email = sample();
    await mailboxTransport(t.kv).send(email, id);
    const res = await t.request(`/dev/mailbox/${id}/html`);
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-security-policy"),
      "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    );
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal(await res.text(), email.html);
  } finally {
    t.close();
  }
});

Deno.test("email: dev mailbox answers 404 for an unknown message", async () => {
  const t = await mailboxApp("development");
  try {
    const unknown = newId();
    for (
      const path of [`/dev/mailbox/${unknown}`, `/dev/mailbox/${unknown}/html`]
    ) {
      const res = await t.request(path);
      assert.equal(res.status, 404, path);
      const html = await res.text();
      assert.match(
        html,
        /We couldn&#39;t find that page|We couldn't find that page/,
      );
      assert.match(html, /That message is not in the mailbox/);
    }
    // Not an id at all: never reaches KV.
    const bogus = await t.request(`/dev/mailbox/${"x".repeat(3000)}`);
    assert.equal(bogus.status, 404);
  } finally {
    t.close();
  }
});

for (
  const [label, appEnv, env] of [
    ["in production", "production", {}],
    ["on Deno Deploy without APP_ENV", "development", {}],
    ["on a public BASE_URL", "development", {
      BASE_URL: "https://demo.prep.example",
    }],
  ] as const
) {
  Deno.test(`email: dev mailbox does not exist ${label}`, async () => {
    const t = label === "on Deno Deploy without APP_ENV"
      ? await deployApp()
      : await mailboxApp(appEnv, env);
    try {
      const id = newId();
      await mailboxTransport(t.kv).send(sample(), id);
      for (
        const path of [
          "/dev/mailbox",
          `/dev/mailbox/${id}`,
          `/dev/mailbox/${id}/html`,
        ]
      ) {
        const res = await t.request(path);
        assert.equal(res.status, 404, path);
        const html = await res.text();
        assert.match(
          html,
          /We couldn&#39;t find that page|We couldn't find that page/,
        );
        assert.doesNotMatch(html, /Confirm your email|ana@example\.com/);
      }
    } finally {
      t.close();
    }
  });
}

/** The app as Deno Deploy starts it when APP_ENV is forgotten. */
async function deployApp() {
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({
    DENO_DEPLOYMENT_ID: "abc123",
    DENO_KV_PATH: ":memory:",
    RESEND_API_KEY: "re_test",
    BASE_URL: "https://prep.example",
    STRIPE_SECRET_KEY: "sk_test_x",
    STRIPE_WEBHOOK_SECRET: "whsec_x",
  });
  assert.equal(config.APP_ENV, "production");
  const app = createApp({
    services: createServices(config, kv, Date.now),
    manifest: await loadManifest(),
  });
  return {
    kv,
    request: (path: string) => app.request(path),
    close: () => kv.close(),
  };
}

Deno.test("email: dev mailbox on a public BASE_URL opens only with ALLOW_DEV_FEATURES", async () => {
  const t = await mailboxApp("development", {
    BASE_URL: "https://demo.prep.example",
    ALLOW_DEV_FEATURES: "true",
  });
  try {
    assert.equal((await t.request("/dev/mailbox")).status, 200);
  } finally {
    t.close();
  }
});
