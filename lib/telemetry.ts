/**
 * Traces and metrics through Deno's built-in OpenTelemetry (DESIGN §18).
 * With `OTEL_DENO=true` the runtime registers its tracer and meter providers
 * with `@opentelemetry/api` and exports over OTLP; without it the API hands
 * out no-ops, and every helper here returns before doing any work, so a
 * server without telemetry pays for none of it.
 *
 * What we add to the runtime's own spans (a server span per request, a
 * client span per `fetch`): the request span is named by its route pattern
 * (routes/telemetry.ts), and there are spans of our own for every KV atomic
 * commit, every job run and every Stripe call, with metrics beside them.
 *
 * Attributes and metric labels are low-cardinality facts of our own making:
 * route patterns, job types, outcomes, providers. Never a URL, an id, an
 * email or an error message, which can carry personal data.
 */
import {
  type Attributes,
  createNoopMeter,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

const SCOPE = "prep";
const tracer = trace.getTracer(SCOPE);
const meter = metrics.getMeter(SCOPE);

/** Whether spans go anywhere: Deno registers a tracer provider only when tracing is on. */
export const tracing = !(trace.getTracerProvider() instanceof
  ProxyTracerProvider);
/** Whether metrics go anywhere: without Deno's meter provider the API's meter is the no-op one. */
export const measuring = !(meter instanceof createNoopMeter().constructor);
/** Whether anything is exported at all. */
export const observing = tracing || measuring;

/** Seconds, the unit OpenTelemetry's HTTP conventions use for durations. */
const DURATION_BUCKETS = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
];

const requestDuration = meter.createHistogram("prep.http.server.duration", {
  description: "Time to answer a request, by route pattern",
  unit: "s",
  advice: { explicitBucketBoundaries: DURATION_BUCKETS },
});
const kvCommits = meter.createCounter("prep.kv.commits", {
  description: "KV atomic commits, by outcome (ok, or conflict: lost a race)",
});
const jobRuns = meter.createCounter("prep.jobs.runs", {
  description: "Job runs, by type and outcome (ran, retried, dead, skipped)",
});
const jobDuration = meter.createHistogram("prep.jobs.duration", {
  description: "Time a job run took, by type",
  unit: "s",
  advice: { explicitBucketBoundaries: DURATION_BUCKETS },
});
const deadLettered = meter.createCounter("prep.jobs.dead_lettered", {
  description: "Jobs moved to dead letters, by type",
});
const holds = meter.createCounter("prep.holds.created", {
  description: "Hours held for a renter while they pay",
});
const paid = meter.createCounter("prep.bookings.paid", {
  description:
    "Payments that confirmed a booking, or authorised a request (outcome)",
});
const cancellations = meter.createCounter("prep.bookings.cancelled", {
  description: "Cancelled bookings, by who cancelled",
});
const refunds = meter.createCounter("prep.refunds", {
  description: "Refunds recorded, by payment provider",
});
const refundedCents = meter.createCounter("prep.refunds.amount", {
  description: "Money refunded, in cents of the currency",
  unit: "{cent}",
});
const webhookLag = meter.createHistogram("prep.payment_events.lag", {
  description:
    "From a payment event's creation (Stripe's clock, or the demo checkout's) to the end of its processing",
  unit: "s",
  advice: {
    explicitBucketBoundaries: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
  },
});

/** A name for an error in a span's status: its class, never its message. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/**
 * Runs `fn` inside a span named `name` (the active span for whatever it
 * calls: KV commits, fetches); an exception marks the span as failed, by
 * the error's class only. Without tracing, runs `fn` with no span.
 */
export function withSpan<T>(
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span | null) => Promise<T>,
): Promise<T> {
  if (!tracing) return fn(null);
  return tracer.startActiveSpan(name, opts, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The server span of the request being handled (Deno's), if tracing is on. */
export function requestSpan(): Span | undefined {
  return tracing ? trace.getActiveSpan() : undefined;
}

/**
 * Names the runtime's span for this request by its route pattern
 * (`GET /kitchens/:id`) and records its duration under that pattern. A
 * request that matched no route keeps the runtime's name (the method alone),
 * as OpenTelemetry's HTTP conventions say.
 */
export function recordRequest(
  span: Span | undefined,
  method: string,
  route: string | null,
  status: number,
  seconds: number,
): void {
  if (span && route) {
    span.updateName(`${method} ${route}`);
    span.setAttribute("http.route", route);
  }
  if (!measuring) return;
  const attributes: Attributes = {
    "http.request.method": method,
    "http.response.status_code": status,
  };
  if (route) attributes["http.route"] = route;
  requestDuration.record(seconds, attributes);
}

/**
 * Makes every atomic commit of `kv` a span (`kv.commit`) that says whether
 * it went through or lost a race to a concurrent writer (a failed check),
 * and counts both. Returns `kv` itself, untouched when nothing is observed.
 */
export function traceKvCommits(kv: Deno.Kv): Deno.Kv {
  if (!observing) return kv;
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = () =>
      withSpan("kv.commit", {
        kind: SpanKind.CLIENT,
        attributes: { "db.system.name": "deno_kv" },
      }, async (span) => {
        const res = await commit();
        const outcome = res.ok ? "ok" : "conflict";
        span?.setAttribute("prep.kv.outcome", outcome);
        kvCommits.add(1, { "prep.kv.outcome": outcome });
        return res;
      });
    return op;
  };
  return kv;
}

/**
 * A job run as a span (`job <type>`) and as metrics: `run` returns the
 * outcome the runner reached (ran, retried, dead, skipped).
 */
export function traceJob<O extends string>(
  type: string,
  attempt: number,
  run: () => Promise<O>,
): Promise<O> {
  if (!observing) return run();
  const started = performance.now();
  return withSpan(`job ${type}`, {
    kind: SpanKind.CONSUMER,
    attributes: { "prep.job.type": type, "prep.job.attempt": attempt },
  }, async (span) => {
    let outcome = "failed";
    try {
      outcome = await run();
      return outcome as O;
    } finally {
      span?.setAttribute("prep.job.outcome", outcome);
      const labels = { "prep.job.type": type, "prep.job.outcome": outcome };
      jobRuns.add(1, labels);
      jobDuration.record((performance.now() - started) / 1000, labels);
      if (outcome === "dead") countDeadLetter(type);
    }
  });
}

/** A job moved to dead letters. */
export function countDeadLetter(type: string): void {
  if (measuring) deadLettered.add(1, { "prep.job.type": type });
}

/**
 * One call to Stripe's API as a client span (`stripe POST /v1/refunds`):
 * the path with its object ids replaced (`/v1/checkout/sessions/:id`), so
 * the name says what was asked, never of whom.
 */
export function traceStripeCall<R extends { getStatusCode(): number }>(
  method: string,
  path: string,
  call: () => Promise<R>,
): Promise<R> {
  if (!tracing) return call();
  const route = stripeRoute(path);
  return withSpan(`stripe ${method} ${route}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "rpc.system": "stripe",
      "http.request.method": method,
      "prep.stripe.route": route,
    },
  }, async (span) => {
    const res = await call();
    span?.setAttribute("http.response.status_code", res.getStatusCode());
    return res;
  });
}

/**
 * A Stripe API path with ids taken out (pure): Stripe's ids carry a type
 * prefix and an underscore (`cs_test_a1B2`, `pi_3Nx…`, `acct_1…`), and its
 * resource names are lower-case words (`payment_intents`), so a segment
 * with a digit or a capital, after the version, is an id.
 */
export function stripeRoute(path: string): string {
  const [version, ...rest] = path.split("?")[0].split("/").filter(Boolean);
  const parts = rest.map((s) => /^[a-z_]+$/.test(s) ? s : ":id");
  return `/${[version ?? "", ...parts].join("/")}`;
}

/** A hold written: hours kept for a renter while they pay. */
export function countHold(provider: string): void {
  if (measuring) holds.add(1, { "prep.payment.provider": provider });
}

/** A payment that confirmed a booking, or authorised a request. */
export function countPaidBooking(
  outcome: "confirmed" | "requested",
  provider: string,
): void {
  if (measuring) {
    paid.add(1, {
      "prep.booking.outcome": outcome,
      "prep.payment.provider": provider,
    });
  }
}

/** A booking cancelled, by its renter, its host or staff. */
export function countCancellation(by: string): void {
  if (measuring) cancellations.add(1, { "prep.booking.cancelled_by": by });
}

/** A refund recorded on a booking's ledger. */
export function countRefund(
  provider: string,
  amountCents: number,
  currency: string,
): void {
  if (!measuring) return;
  refunds.add(1, { "prep.payment.provider": provider });
  refundedCents.add(amountCents, {
    "prep.payment.provider": provider,
    "prep.currency": currency,
  });
}

/** A payment event processed, `seconds` after it was created. */
export function recordWebhookLag(
  provider: string,
  type: string,
  seconds: number,
): void {
  if (measuring) {
    webhookLag.record(Math.max(0, seconds), {
      "prep.payment.provider": provider,
      "prep.payment_event.type": type,
    });
  }
}

/** What the outbox gauges report; read through `observeJobQueue`. */
export interface JobQueueFigures {
  /** Jobs due now and not leased, counted up to a cap. */
  due: number;
  /** Seconds the oldest due job has waited; 0 when none is due. */
  oldestDueSeconds: number;
  /** Dead letters, counted up to a cap. */
  dead: number;
}

/** How long one reading of the outbox serves the gauges. */
const QUEUE_FIGURES_TTL_MS = 5_000;

/**
 * Reports the outbox's depth, the age of its oldest due job and its dead
 * letters as gauges, read by `read` when the exporter asks (once per
 * export interval) and kept for a few seconds, so several exports or
 * instruments never cost more than one reading. A failed reading reports
 * nothing rather than a wrong zero.
 */
export function observeJobQueue(read: () => Promise<JobQueueFigures>): void {
  if (!measuring) return;
  const depth = meter.createObservableGauge("prep.jobs.queue_depth", {
    description: "Jobs due now and waiting for a worker (counted up to a cap)",
  });
  const oldest = meter.createObservableGauge("prep.jobs.oldest_due_age", {
    description: "How long the oldest due job has waited",
    unit: "s",
  });
  const dead = meter.createObservableGauge("prep.jobs.dead_letters", {
    description: "Jobs in dead letters (counted up to a cap)",
  });
  let cached: { at: number; figures: JobQueueFigures } | null = null;
  meter.addBatchObservableCallback(async (result) => {
    if (!cached || performance.now() - cached.at > QUEUE_FIGURES_TTL_MS) {
      try {
        cached = { at: performance.now(), figures: await read() };
      } catch {
        return;
      }
    }
    result.observe(depth, cached.figures.due);
    result.observe(oldest, cached.figures.oldestDueSeconds);
    result.observe(dead, cached.figures.dead);
  }, [depth, oldest, dead]);
}
