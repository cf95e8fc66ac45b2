import assert from "node:assert/strict";
import { oneAtATime } from "../../lib/islands/one_at_a_time.ts";

/** A round that waits until let go, counting how often it started. */
function gatedRounds(results: (boolean | Error)[]) {
  let started = 0;
  const gates: (() => void)[] = [];
  const round = async () => {
    const n = started++;
    await new Promise<void>((go) => gates.push(go));
    const r = results[n] ?? true;
    if (r instanceof Error) throw r;
    return r;
  };
  return {
    round,
    started: () => started,
    /** Lets the oldest waiting round finish, then lets the loop move on. */
    async release() {
      gates.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

Deno.test("one at a time: calls during a round ask for exactly one more; false or a throw ends it; the next call starts afresh", async () => {
  const cases: {
    why: string;
    results: (boolean | Error)[];
    /** Calls made while the first round runs. */
    during: number;
    rounds: number;
  }[] = [
    { why: "alone", results: [true], during: 0, rounds: 1 },
    {
      why: "three calls meanwhile",
      results: [true, true],
      during: 3,
      rounds: 2,
    },
    { why: "the round says stop", results: [false], during: 2, rounds: 1 },
    {
      why: "the round throws",
      results: [new Error("offline")],
      during: 2,
      rounds: 1,
    },
  ];
  for (const c of cases) {
    const g = gatedRounds(c.results);
    const run = oneAtATime(g.round);
    const first = run();
    for (let i = 0; i < c.during; i++) await run();
    for (let i = 0; i < c.rounds + 1; i++) await g.release();
    await first;
    assert.equal(g.started(), c.rounds, c.why);
    // Not stuck running: a later call runs a round of its own.
    const later = run();
    await g.release();
    await later;
    assert.equal(g.started(), c.rounds + 1, `${c.why}: a later call`);
  }
});
