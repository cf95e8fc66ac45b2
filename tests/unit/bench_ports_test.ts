import assert from "node:assert/strict";
import {
  assertPortFree,
  BENCH_HOSTNAME,
  freePort,
  isListeningLine,
  SERVER_ENV,
  startServer,
} from "../../bench/servers.ts";

const bareScript = new URL("../../bench/bare.ts", import.meta.url).pathname;

Deno.test("bench: freePort gives a port that can be bound", () => {
  const port = freePort();
  assert.ok(port > 0 && port < 65536, String(port));
  const listener = Deno.listen({ hostname: BENCH_HOSTNAME, port });
  listener.close();
});

Deno.test("bench: a port another process holds is refused clearly", async () => {
  const squatter = Deno.listen({ hostname: BENCH_HOSTNAME, port: 0 });
  const { port } = squatter.addr as Deno.NetAddr;
  try {
    assert.throws(
      () => assertPortFree(port),
      new RegExp(`port ${port} on 127.0.0.1 is already in use`),
    );
    await assert.rejects(
      startServer({
        name: "bare",
        args: ["run", "-A", bareScript],
        port,
      }),
      /already in use by another process/,
    );
  } finally {
    squatter.close();
  }
});

Deno.test("bench: a listening line counts only for its own port", () => {
  const cases: [string, number, boolean][] = [
    ["Prep is listening on http://127.0.0.1:40123", 40123, true],
    ["bare Deno.serve listening on http://127.0.0.1:40123/", 40123, true],
    ["Prep is listening on http://127.0.0.1:401234", 40123, false],
    ["Prep is listening on http://127.0.0.1:8100", 40123, false],
    ["Seeded 48 demo kitchens on :40123", 40123, false],
  ];
  for (const [line, port, want] of cases) {
    assert.equal(isListeningLine(line, port), want, line);
  }
});

Deno.test("bench: the bare server starts on a free port and answers", async () => {
  const bare = await startServer({
    name: "bare",
    args: ["run", "-A", bareScript],
  });
  try {
    const res = await fetch(`${bare.url}/`);
    assert.match(await res.text(), /<title>ok<\/title>/);
  } finally {
    await bare.stop();
  }
});

Deno.test("bench: a child that exits before listening fails the start", async () => {
  await assert.rejects(
    startServer({ name: "quitter", args: ["eval", "Deno.exit(3)"] }),
    /quitter exited with code 3 before listening on port \d+/,
  );
});

Deno.test("bench: a child that never says it listens times out and is stopped", async () => {
  await assert.rejects(
    startServer({
      name: "mute",
      args: ["eval", "console.log('hello'); setTimeout(() => {}, 60_000)"],
      timeoutMs: 500,
    }),
    /mute did not say it was listening on port \d+ within 500 ms/,
  );
});

Deno.test("bench: app servers run with the memory settings deno task start, serve and dev give the server", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  const settings = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v} `);
  for (const task of ["start", "serve", "dev"]) {
    for (const setting of settings) {
      assert.ok(config.tasks[task].includes(setting), `${task}: ${setting}`);
    }
  }
  // V8 takes the flags from the environment: the old generation is capped.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "import v8 from 'node:v8'; console.log(v8.getHeapStatistics().heap_size_limit)",
    ],
    env: SERVER_ENV,
  }).output();
  const limit = Number(new TextDecoder().decode(out.stdout));
  assert.ok(limit > 128 * 2 ** 20 && limit < 256 * 2 ** 20, String(limit));
});
