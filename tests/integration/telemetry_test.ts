/**
 * Traces and metrics as a collector receives them: the real server
 * (main.ts) runs with OTEL_DENO=true and exports OTLP/HTTP JSON to a
 * receiver in this test; a renter books and pays on the demo checkout; the
 * spans (named by route pattern, a KV commit, job runs) and the metric
 * points must arrive, and nothing of ours may carry an id or an email.
 */
import assert from "node:assert/strict";
import { startServer, within } from "../fuzz_server.ts";
import {
  addBookableKitchens,
  addPayingHost,
  addRenter,
  chicagoDate,
} from "../process_world.ts";
import { startStripeFake } from "../stripe_fake.ts";
import { stripeRoute } from "../../lib/telemetry.ts";

const ROOT = new URL("../../", import.meta.url);
/** The whole test, server start included, gets this long to see everything. */
const WAIT_MS = 45_000;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpAttribute[];
}
interface Span extends OtlpSpan {
  scope: string;
}
interface Point {
  metric: string;
  scope: string;
  attributes: Record<string, unknown>;
  value: number;
}

/** An attribute's value, whichever OTLP JSON field holds it (ints come as strings). */
function valueOf(v: Record<string, unknown>): unknown {
  if ("stringValue" in v) return v.stringValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue;
  if ("boolValue" in v) return v.boolValue;
  return JSON.stringify(v);
}

const attrs = (list: OtlpAttribute[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/**
 * A minimal OTLP/HTTP collector for JSON: keeps every span and metric
 * point it is sent, answers as a collector does.
 */
function startReceiver() {
  const spans: Span[] = [];
  const points: Point[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      const body = await req.json().catch(() => ({}));
      if (path === "/v1/traces") {
        for (const rs of body.resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({ ...s, scope: ss.scope?.name ?? "" });
            }
          }
        }
      } else if (path === "/v1/metrics") {
        for (const rm of body.resourceMetrics ?? []) {
          for (const sm of rm.scopeMetrics ?? []) {
            for (const m of sm.metrics ?? []) {
              const data = m.sum ?? m.gauge ?? m.histogram ?? {};
              for (const p of data.dataPoints ?? []) {
                points.push({
                  metric: m.name,
                  scope: sm.scope?.name ?? "",
                  attributes: attrs(p.attributes),
                  value: Number(p.asInt ?? p.asDouble ?? p.count ?? 0),
                });
              }
            }
          }
        }
      }
      return Response.json({});
    },
  );
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    spans,
    points,
    close: () => server.shutdown(),
  };
}

const otelEnv = (endpoint: string) => ({
  OTEL_DENO: "true",
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_SERVICE_NAME: "prep-test",
  OTEL_METRIC_EXPORT_INTERVAL: "300",
  OTEL_BSP_SCHEDULE_DELAY: "100",
  // The server's log lines stay on its stderr, where the test reads them.
  OTEL_DENO_CONSOLE: "ignore",
});

/** Waits until `missing()` is empty, checking every 100 ms, or fails naming what is still missing. */
async function until(
  missing: () => string[],
  deadline: number,
): Promise<void> {
  for (let left = missing(); left.length; left = missing()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${left.join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The names whose check fails. */
const failing = (checks: Record<string, unknown>) =>
  Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);

Deno.test("telemetry: stripe routes name the call, never the objects", () => {
  const cases: [string, string][] = [
    ["/v1/checkout/sessions", "/v1/checkout/sessions"],
    ["/v1/checkout/sessions/cs_test_a1B2c3", "/v1/checkout/sessions/:id"],
    [
      "/v1/checkout/sessions/cs_test_a1/expire",
      "/v1/checkout/sessions/:id/expire",
    ],
    [
      "/v1/payment_intents/pi_3Nx9?expand[0]=latest_charge",
      "/v1/payment_intents/:id",
    ],
    ["/v1/payment_intents/pi_1/capture", "/v1/payment_intents/:id/capture"],
    ["/v1/accounts/acct_1AbC", "/v1/accounts/:id"],
    ["/v1/account_links", "/v1/account_links"],
    ["/v1/refunds", "/v1/refunds"],
  ];
  for (const [path, want] of cases) assert.equal(stripeRoute(path), want, path);
});

Deno.test("telemetry: a demo booking reaches an OTLP collector as spans named by route pattern, KV commit and job spans, and metric points, with no ids or emails in our attributes", async () => {
  const deadline = Date.now() + WAIT_MS;
  const receiver = startReceiver();
  const dir = await Deno.makeTempDir({ prefix: "prep-otel-" });
  const kvPath = `${dir}/prep.kv`;
  const now = Date.now();
  const kv = await Deno.openKv(kvPath);
  const host = await addPayingHost(kv, "otel-host@example.com", now);
  const [kitchen] = await addBookableKitchens(kv, host.user.id, [{
    cancellationPolicy: "flexible",
  }], now);
  const renter = await addRenter(kv, "otel-renter@example.com", now);
  kv.close();
  const server = await startServer({
    kvPath,
    seedDemoData: false,
    env: { ...otelEnv(receiver.endpoint), KV_QUEUES: "true" },
  });
  try {
    const base = server.baseUrl;
    const send = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, {
        redirect: "manual",
        ...init,
        headers: {
          Cookie: renter.cookie,
          "Sec-Fetch-Site": "same-origin",
          Origin: base,
          ...init.headers,
        },
      });
      await res.body?.cancel();
      return res;
    };
    assert.equal((await send("/healthz")).status, 200);
    assert.equal((await send(`/kitchens/${kitchen.id}`)).status, 200);
    const held = await send("/bookings", {
      method: "POST",
      body: new URLSearchParams({
        kitchen: kitchen.id,
        date: chicagoDate(now, 3),
        start: "10:00",
        end: "13:00",
        acceptRules: "yes",
      }),
    });
    assert.equal(held.status, 303, server.tail(20).join("\n"));
    const bookingId = held.headers.get("location")!.split("/")[2];
    const paid = await send(`/bookings/${bookingId}/pay`, { method: "POST" });
    assert.equal(paid.status, 303);

    const named = (name: string) => receiver.spans.find((s) => s.name === name);
    const jobRan = (type: string) =>
      receiver.spans.find((s) =>
        s.name === `job ${type}` &&
        attrs(s.attributes)["prep.job.outcome"] === "ran"
      );
    const point = (metric: string, match: Record<string, unknown> = {}) =>
      receiver.points.find((p) =>
        p.metric === metric && p.value > 0 &&
        Object.entries(match).every(([k, v]) => p.attributes[k] === v)
      );
    const gauge = (metric: string) =>
      receiver.points.some((p) => p.metric === metric);
    await until(() =>
      failing({
        "GET /healthz": named("GET /healthz"),
        "GET /kitchens/:id": named("GET /kitchens/:id"),
        "POST /bookings": named("POST /bookings"),
        "POST /bookings/:id/pay": named("POST /bookings/:id/pay"),
        "job payment.event": jobRan("payment.event"),
        "job email.send": jobRan("email.send"),
        "latency of /bookings": point("prep.http.server.duration", {
          "http.route": "/bookings",
        }),
        "latency of /kitchens/:id": point("prep.http.server.duration", {
          "http.route": "/kitchens/:id",
          "http.response.status_code": 200,
        }),
        "holds": point("prep.holds.created", {
          "prep.payment.provider": "demo",
        }),
        "bookings": point("prep.bookings.paid", {
          "prep.booking.outcome": "confirmed",
        }),
        "kv commits": point("prep.kv.commits", { "prep.kv.outcome": "ok" }),
        "job runs": point("prep.jobs.runs", {
          "prep.job.type": "payment.event",
          "prep.job.outcome": "ran",
        }),
        "webhook lag": point("prep.payment_events.lag", {
          "prep.payment_event.type": "demo.paid",
        }),
        "queue depth": gauge("prep.jobs.queue_depth"),
        "oldest due job": gauge("prep.jobs.oldest_due_age"),
        "dead letters": gauge("prep.jobs.dead_letters"),
      }), deadline);

    // The hold's KV commit is a child of the POST /bookings request's trace.
    const hold = named("POST /bookings")!;
    assert.equal(attrs(hold.attributes)["http.route"], "/bookings");
    const commits = receiver.spans.filter((s) =>
      s.name === "kv.commit" && s.traceId === hold.traceId
    );
    assert.ok(commits.length > 0, "no kv.commit span in the hold's trace");
    assert.ok(
      commits.every((s) => attrs(s.attributes)["prep.kv.outcome"] === "ok"),
    );
    // The payment job's own commits hang under its span.
    const job = jobRan("payment.event")!;
    assert.ok(
      receiver.spans.some((s) =>
        s.name === "kv.commit" && s.parentSpanId === job.spanId
      ),
      "no kv.commit under the payment job",
    );

    // No span name carries an id, and nothing of ours carries an id or an email.
    const secrets = [
      bookingId,
      kitchen.id,
      renter.user.id,
      host.user.id,
      renter.user.email,
      host.user.email,
    ];
    for (const s of receiver.spans) {
      for (const secret of secrets) {
        assert.ok(!s.name.includes(secret), `span name ${s.name}`);
      }
    }
    const ours = JSON.stringify([
      receiver.spans.filter((s) => s.scope === "prep").map((s) => s.attributes),
      receiver.spans.filter((s) => s.scope === "deno").map((s) =>
        (s.attributes ?? []).filter((a) => a.key === "http.route")
      ),
      receiver.points.filter((p) => p.scope === "prep"),
    ]);
    for (const secret of secrets) {
      assert.ok(!ours.includes(secret), `${secret} in our telemetry`);
    }
  } finally {
    await server.stop();
    await receiver.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("telemetry: a Stripe call is a client span named by its route, and a KV commit that lost its race says so", async () => {
  const receiver = startReceiver();
  const fake = startStripeFake();
  try {
    const account = fake.createAccount({ ready: true });
    const probe = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "tests/otel_probe.ts",
        fake.apiBase,
        fake.secretKey,
        account.id,
      ],
      cwd: ROOT,
      env: otelEnv(receiver.endpoint),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = probe.output();
    assert.ok(await within(output, 30_000), "the probe did not finish");
    const { code, stdout, stderr } = await output;
    assert.equal(
      code,
      0,
      new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout),
    );
    const conflict = () =>
      receiver.spans.find((s) =>
        s.name === "kv.commit" &&
        attrs(s.attributes)["prep.kv.outcome"] === "conflict"
      );
    await until(() =>
      failing({
        "stripe GET /v1/accounts/:id": receiver.spans.some((s) =>
          s.name === "stripe GET /v1/accounts/:id"
        ),
        "kv.commit that lost its race": conflict(),
        "conflicts counted": receiver.points.some((p) =>
          p.metric === "prep.kv.commits" &&
          p.attributes["prep.kv.outcome"] === "conflict" && p.value === 1
        ),
      }), Date.now() + 10_000);
    const span = receiver.spans.find((s) =>
      s.name === "stripe GET /v1/accounts/:id"
    )!;
    assert.equal(attrs(span.attributes)["http.response.status_code"], 200);
    assert.ok(!JSON.stringify(span).includes(account.id));
  } finally {
    await fake.close();
    await receiver.close();
  }
});
