/** lib/bytes.ts: a stream read whole within a cap, or refused once past it. */
import assert from "node:assert/strict";
import { readAll } from "../../lib/bytes.ts";

function chunked(sizes: number[]) {
  let cancelled = false;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === sizes.length) return controller.close();
      controller.enqueue(new Uint8Array(sizes[i]).fill(i + 1));
      i++;
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

Deno.test("bytes: readAll joins the chunks in order, up to and at the cap", async () => {
  const cases: [number[], number][] = [
    [[], 0],
    [[3], 10],
    [[3, 0, 4], 7],
    [[5, 5, 5], 15],
  ];
  for (const [sizes, cap] of cases) {
    const got = await readAll(chunked(sizes).stream, cap);
    const want = sizes.flatMap((n, i) => Array(n).fill(i + 1));
    assert.deepEqual(got && [...got], want, `${sizes} within ${cap}`);
  }
});

Deno.test("bytes: readAll answers null one byte past the cap, and cancels the stream", async () => {
  const s = chunked([5, 5, 5, 5]);
  assert.equal(await readAll(s.stream, 14), null);
  assert.equal(s.cancelled(), true);
});
