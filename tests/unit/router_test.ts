/** routes/router.ts: kept matches answer as the router would, path by path. */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { KeptMatchRouter } from "../../routes/router.ts";

function app() {
  const a = new Hono({ router: new KeptMatchRouter() });
  a.use(async (c, next) => {
    await next();
    c.header("X-Seen", "1");
  });
  a.get("/a/new", (c) => c.text("new"));
  a.get("/a/:id{[0-9]+}", (c) => c.text(`id ${c.req.param("id")}`));
  a.post("/a/:id{[0-9]+}", (c) => c.text(`post ${c.req.param("id")}`));
  return a;
}

Deno.test("router: a kept match keeps each path's own params, method and middleware", async () => {
  const a = app();
  const cases: [string, string, number, string][] = [
    ["GET", "/a/1", 200, "id 1"],
    ["GET", "/a/2", 200, "id 2"],
    ["GET", "/a/1", 200, "id 1"],
    ["GET", "/a/new", 200, "new"],
    ["POST", "/a/1", 200, "post 1"],
    ["GET", "/a/x", 404, "404 Not Found"],
    ["GET", "/a/1", 200, "id 1"],
  ];
  for (const [method, path, status, body] of cases) {
    const res = await a.request(path, { method });
    assert.equal(res.status, status, `${method} ${path}`);
    assert.equal(await res.text(), body, `${method} ${path}`);
    assert.equal(res.headers.get("X-Seen"), "1", `${method} ${path}`);
  }
});

Deno.test("router: past the kept matches and for long paths, it still matches", async () => {
  const a = app();
  for (let i = 0; i < 2_500; i++) {
    const res = await a.request(`/a/${i}`);
    assert.equal(await res.text(), `id ${i}`);
  }
  const long = "9".repeat(300);
  assert.equal(await (await a.request(`/a/${long}`)).text(), `id ${long}`);
  assert.equal(await (await a.request("/a/7")).text(), "id 7");
});
