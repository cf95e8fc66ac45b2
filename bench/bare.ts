// The baseline: a bare Deno.serve answering a small HTML page.
const port = Number(Deno.env.get("PORT") ?? 8100);
Deno.serve(
  { port, hostname: "127.0.0.1", onListen() {} },
  () =>
    new Response("<!DOCTYPE html><title>ok</title><p>ok</p>", {
      headers: { "content-type": "text/html; charset=utf-8" },
    }),
);
