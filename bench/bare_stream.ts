// The baseline for live streams (bench/streams.ts): a bare Deno.serve that
// answers every request with an event stream that sends one event and then
// stays open until the client goes, as a live stream does between events.
const port = Number(Deno.env.get("PORT") ?? 8101);
const hostname = Deno.env.get("HOSTNAME") ?? "127.0.0.1";
const first = new TextEncoder().encode('event: inbox\ndata: {"unread":0}\n\n');
Deno.serve(
  {
    port,
    hostname,
    onListen: (addr) =>
      console.log(
        `bare event streams listening on http://${addr.hostname}:${addr.port}/`,
      ),
  },
  () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(first);
        },
      }),
      { headers: { "content-type": "text/event-stream; charset=utf-8" } },
    ),
);
