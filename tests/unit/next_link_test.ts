/** next_link.ts: a `next` only this site signed, within a week, is followed. */
import assert from "node:assert/strict";
import {
  loginNext,
  NEXT_TTL_MS,
  readSignedNext,
  signNext,
} from "../../lib/accounts/next_link.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const REVIEW =
  "/bookings/new?kitchen=01JZ00000000000000000000AA&date=2026-12-10&start=09:00&end=13:00";

Deno.test("next links: a signed path reads back until it lapses; anything altered or foreign does not", async () => {
  const kv = await Deno.openKv(":memory:");
  const other = await Deno.openKv(":memory:");
  try {
    const signed = await signNext(kv, REVIEW, NOW);
    assert.ok(signed.startsWith(`${REVIEW}~`), "the path stays readable");
    const cases: [string, string | null | undefined, number, string | null][] =
      [
        ["as signed", signed, NOW, REVIEW],
        ["a day later", signed, NOW + 24 * 3600_000, REVIEW],
        ["after a week", signed, NOW + NEXT_TTL_MS, null],
        [
          "another path, same tail",
          signed.replace("09:00", "10:00"),
          NOW,
          null,
        ],
        [
          "another expiry",
          signed.replace(/~[0-9a-z]+\./, "~zzzzzzzz."),
          NOW,
          null,
        ],
        ["a plain path", REVIEW, NOW, null],
        ["empty", "", NOW, null],
        ["nothing", undefined, NOW, null],
        ["garbage tail", `${REVIEW}~abc.def`, NOW, null],
        ["a huge value", `/${"a".repeat(5000)}~1.x`, NOW, null],
      ];
    for (const [name, value, at, want] of cases) {
      assert.equal(await readSignedNext(kv, value, at), want, name);
    }
    // Another site (another KV, another key) cannot mint one of ours.
    const foreign = await signNext(other, REVIEW, NOW);
    assert.equal(await readSignedNext(kv, foreign, NOW), null);
    // What is not a path on this site is signed as the home page.
    for (const bad of ["https://evil.example/", "//evil.example", "evil"]) {
      assert.equal(
        await readSignedNext(kv, await signNext(kv, bad, NOW), NOW),
        "/",
        bad,
      );
    }
    // The key is made once and kept: a second app on the same KV agrees.
    assert.equal(
      (await kv.get(["signing_keys", "next"])).value instanceof Uint8Array,
      true,
    );
  } finally {
    kv.close();
    other.close();
  }
});

Deno.test("next links: the login form follows a signed path or a plain one, never a forged signature", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const signed = await signNext(kv, REVIEW, NOW);
    assert.equal(await loginNext(kv, signed, NOW), REVIEW);
    assert.equal(await loginNext(kv, "/account", NOW), "/account");
    assert.equal(await loginNext(kv, `${REVIEW}~1.forged`, NOW), null);
    assert.equal(await loginNext(kv, "", NOW), null);
  } finally {
    kv.close();
  }
});
