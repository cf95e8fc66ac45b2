// The baseline: a bare Deno.serve answering a small HTML page. bench/run.ts
// waits for the "listening" line to know this process, not another, is up.
const port = Number(Deno.env.get("PORT") ?? 8100);
const hostname = Deno.env.get("HOSTNAME") ?? "127.0.0.1";
Deno.serve(
  {
    port,
    hostname,
    onListen: (addr) =>
      console.log(
        `bare Deno.serve listening on http://${addr.hostname}:${addr.port}/`,
      ),
  },
  () =>
    new Response("<!DOCTYPE html><title>ok</title><p>ok</p>", {
      headers: { "content-type": "text/html; charset=utf-8" },
    }),
);
