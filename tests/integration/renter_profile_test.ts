import assert from "node:assert/strict";
import { PRODUCT_TYPES } from "../../lib/accounts/business_profile.ts";
import {
  getRenterProfile,
  saveRenterProfile,
} from "../../lib/accounts/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { ValidationError } from "../../lib/errors.ts";
import { get, post, signUpConfirmed } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

const PATH = "/account/compliance/profile";

/** The profile form of the wallet page, as rendered. */
function profileForm(html: string): string {
  const m = /<form[^>]*action="\/account\/compliance\/profile".*?<\/form>/s
    .exec(html);
  assert.ok(m, "no profile form");
  return m[0];
}

Deno.test("renter profile: defaults until the renter answers, and the wallet says why we ask", async () => {
  const t = await testApp();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: false,
      needsAccessible: false,
      productType: null,
    });
    const res = await get(t, "/account/compliance", cookie);
    assert.equal(res.status, 200);
    const form = profileForm(await res.text());
    assert.match(form, /workers(?:'|&#39;) compensation insurance/);
    assert.match(form, /accessible kitchen/);
    assert.match(form, /outdoor cooking in Seattle/);
    assert.doesNotMatch(form, /checked/);
    assert.match(form, /<option\s+value=""\s+selected/);
    for (const p of PRODUCT_TYPES) {
      assert.match(form, new RegExp(`value="${p}"`));
    }
  } finally {
    t.close();
  }
});

Deno.test("renter profile: saved from the wallet, shown back, and cleared again", async () => {
  const t = await testApp();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const other = await signUpConfirmed(t, "otto@example.com");
    const saved = await post(t, PATH, {
      hasEmployees: "yes",
      productType: "outdoor_cooking",
    }, { cookie });
    assert.equal(saved.status, 303);
    assert.equal(
      saved.headers.get("location"),
      "/account/compliance?notice=profile",
    );
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: true,
      needsAccessible: false,
      productType: "outdoor_cooking",
    });
    assert.deepEqual(
      await getRenterProfile(t.kv, other.user.id),
      { hasEmployees: false, needsAccessible: false, productType: null },
      "another renter's profile is their own",
    );
    const html = await (await get(
      t,
      "/account/compliance?notice=profile",
      cookie,
    )).text();
    assert.match(html, /Cities(?:'|&#39;) rules for your bookings now use/);
    const form = profileForm(html);
    assert.match(form, /name="hasEmployees"[^>]*checked/);
    assert.doesNotMatch(form, /name="needsAccessible"[^>]*checked/);
    assert.match(form, /value="outdoor_cooking"\s+selected/);

    const both = await post(t, PATH, {
      hasEmployees: "yes",
      needsAccessible: "yes",
      productType: "baked_goods",
    }, { cookie });
    assert.equal(both.status, 303);
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: true,
      needsAccessible: true,
      productType: "baked_goods",
    });

    // Unticked boxes send nothing: everything goes back to no.
    const cleared = await post(t, PATH, {}, { cookie });
    assert.equal(cleared.status, 303);
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: false,
      needsAccessible: false,
      productType: null,
    });
  } finally {
    t.close();
  }
});

Deno.test("renter profile: values outside the form are refused with the form shown again, and nothing changes", async () => {
  const t = await testApp();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    await post(t, PATH, { needsAccessible: "yes" }, { cookie });
    const cases: [Record<string, string>, RegExp][] = [
      [{ productType: "rocket_fuel" }, /Choose what you make from the list/],
      [{ hasEmployees: "maybe" }, /Tick or clear/],
    ];
    for (const [form, message] of cases) {
      const res = await post(t, PATH, form, { cookie });
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(profileForm(html), message);
      assert.match(html, /Upload a document/, "the wallet around it");
    }
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: false,
      needsAccessible: true,
      productType: null,
    });

    const anonymous = await post(t, PATH, { hasEmployees: "yes" });
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location") ?? "", /^\/login/);
    const crossSite = await post(t, PATH, { hasEmployees: "yes" }, {
      cookie,
      headers: { "Sec-Fetch-Site": "cross-site" },
    });
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
    assert.equal((await getRenterProfile(t.kv, user.id)).hasEmployees, false);
  } finally {
    t.close();
  }
});

Deno.test("renter profile: the lib refuses bad values and ids, and reads a damaged record as the defaults", async () => {
  const t = await testApp();
  try {
    const { user } = await signUpConfirmed(t, "rosa@example.com");
    await assert.rejects(
      () =>
        saveRenterProfile(t.kv, user.id, {
          hasEmployees: true,
          needsAccessible: false,
          productType: "rocket_fuel" as never,
        }, t.clock()),
      ValidationError,
    );
    await assert.rejects(
      () =>
        saveRenterProfile(t.kv, "../users", {
          hasEmployees: true,
          needsAccessible: false,
          productType: null,
        }, t.clock()),
      ValidationError,
    );
    assert.equal(
      await t.kv.get(keys.renterProfile(user.id)).then((e) => e.value),
      null,
    );
    await t.kv.set(keys.renterProfile(user.id), { v: 1, hasEmployees: "yes" });
    assert.deepEqual(await getRenterProfile(t.kv, user.id), {
      hasEmployees: false,
      needsAccessible: false,
      productType: null,
    });
    assert.deepEqual(await getRenterProfile(t.kv, "not an id"), {
      hasEmployees: false,
      needsAccessible: false,
      productType: null,
    });
  } finally {
    t.close();
  }
});

Deno.test("renter profile: a seeded demo account's readable id keeps its profile; a malformed id is refused before it becomes a key", async () => {
  const t = await testApp();
  try {
    const answer = {
      hasEmployees: true,
      needsAccessible: false,
      productType: PRODUCT_TYPES[0],
    };
    await saveRenterProfile(t.kv, "demo-user-renter", answer, Date.now());
    assert.deepEqual(await getRenterProfile(t.kv, "demo-user-renter"), answer);
    for (const bad of ["", "a/b", "x".repeat(65), "demo user"]) {
      await assert.rejects(
        saveRenterProfile(t.kv, bad, answer, Date.now()),
        ValidationError,
        JSON.stringify(bad),
      );
      assert.deepEqual((await getRenterProfile(t.kv, bad)).productType, null);
    }
  } finally {
    t.close();
  }
});
