import assert from "node:assert/strict";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import {
  becamePublishable,
  type PermitChange,
} from "../../lib/compliance/publish_prompt.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { createDraft, saveSection } from "../../lib/kitchens/listings.ts";
import { listNotifications } from "../../lib/notifications/repo.ts";
import { runJobs, signUpConfirmed } from "../account_helpers.ts";
import {
  addVerified,
  givePermits,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const PROMPT = "Your kitchen can be published";

async function prompts(t: T, userId: string) {
  const { notifications } = await listNotifications(t.kv, userId, {
    limit: 100,
  });
  return notifications.filter((n) => n.title === PROMPT);
}

async function promptMails(t: T, to: string) {
  await runJobs(t);
  return (await listMail(t.kv)).filter((m) =>
    m.to === to && m.subject === PROMPT
  );
}

/** Uploads a permit as the host and has staff verify it through the real decision. */
async function verifyPermit(
  t: T,
  kitchenId: string,
  hostId: string,
  kind: string,
) {
  const doc = await addVerified(
    t.kv,
    { kind: "kitchen", id: kitchenId },
    hostId,
    upload(kind as Parameters<typeof upload>[0]),
    t.clock(),
    false,
  );
  await reviewDocument(t.kv, doc.id, "verify", TEST_ADMIN, {
    mail: t.services.mail,
  }, t.clock());
}

Deno.test("publish prompt: verifying a draft's last required permit tells its host 'Your kitchen can be published', by email and in the app, once", async () => {
  const t = await testApp();
  try {
    const { user } = await signUpConfirmed(t, "hana@example.com", "host");
    const editor = { id: user.id, roles: user.roles };
    const draft = await createDraft(t.kv, editor, t.clock());
    await saveSection(t.kv, draft.id, editor, "basics", {
      title: "Ravenswood Test Kitchen",
      description: "A bright commissary kitchen with two ovens and a walk-in.",
      capacity: 4,
    }, t.clock());
    await saveSection(t.kv, draft.id, editor, "location", {
      address: {
        line1: "1 Test St",
        neighborhood: "Ravenswood",
        city: "chicago",
        state: "IL",
        postalCode: "60640",
      },
      lat: 41.97,
      lng: -87.67,
      timeZone: "America/Chicago",
    }, t.clock());
    const kitchen = {
      id: draft.id,
      hostId: user.id,
      address: { city: "chicago" },
    };
    // Two of Chicago's three: each verified, but not publishable yet.
    await givePermits(t.kv, kitchen, t.clock(), { except: ["health_permit"] });
    assert.deepEqual(await prompts(t, user.id), []);
    assert.deepEqual(await promptMails(t, user.email), []);

    await verifyPermit(t, draft.id, user.id, "health_permit");
    const [note, ...more] = await prompts(t, user.id);
    assert.equal(more.length, 0);
    assert.equal(note.href, `/host/kitchens/${draft.id}`);
    assert.match(
      note.body,
      /Prep has verified every permit Chicago requires for Ravenswood Test Kitchen\./,
    );
    const [mail] = await promptMails(t, user.email);
    assert.ok(mail, "the email");
    assert.match(mail.text, /Publish your kitchen/);
    assert.ok(
      mail.text.includes(
        new URL(`/host/kitchens/${draft.id}`, t.services.mail.baseUrl).href,
      ),
      mail.text,
    );

    // A newer permit verified while all are in order says nothing more.
    await verifyPermit(t, draft.id, user.id, "health_permit");
    assert.equal((await prompts(t, user.id)).length, 1);
    assert.equal((await promptMails(t, user.email)).length, 1);
  } finally {
    t.close();
  }
});

Deno.test("publish prompt: a published kitchen regaining its permits is back in search by itself, with no prompt", async () => {
  const t = await testApp();
  try {
    const { user } = await signUpConfirmed(t, "hana@example.com", "host");
    const [k] = await addKitchens(
      t.kv,
      user.id,
      [kitchenFixture()],
      "published",
      {
        permits: false,
        now: t.clock(),
      },
    );
    await givePermits(t.kv, k, t.clock(), { except: ["health_permit"] });
    await verifyPermit(t, k.id, user.id, "health_permit");
    assert.deepEqual(await prompts(t, user.id), []);
    assert.deepEqual(await promptMails(t, user.email), []);
  } finally {
    t.close();
  }
});

Deno.test("publish prompt: only the change that completes a draft's or unlisted kitchen's permits prompts", () => {
  const ok = { ok: true, missing: [], missingNames: [], checkedAt: 0 };
  const missing = {
    ok: false,
    missing: ["health_permit"],
    missingNames: ["Health permit"],
    checkedAt: 0,
  };
  const change = (over: Partial<PermitChange>): PermitChange => ({
    kitchenId: "K",
    title: "K",
    city: "chicago",
    status: "draft",
    before: missing,
    after: ok,
    ...over,
  });
  const cases: [string, Partial<PermitChange>, boolean][] = [
    ["draft, last permit verified", {}, true],
    ["draft, no standing before", { before: null }, true],
    ["unlisted, last permit verified", { status: "unlisted" }, true],
    ["published: back in search by itself", { status: "published" }, false],
    ["suspended", { status: "suspended" }, false],
    ["already complete", { before: ok }, false],
    ["still missing one", { after: missing }, false],
  ];
  for (const [name, over, want] of cases) {
    assert.equal(becamePublishable(change(over)), want, name);
  }
});

Deno.test("next step: a visitor's 'List your kitchen' is sign-up with hosting chosen; a bad ?as= is ignored", async () => {
  const t = await testApp();
  try {
    const home = await (await t.request("/")).text();
    assert.match(home, /<a href="\/signup\?as=host"[^>]*>\s*List your kitchen/);
    const checked = async (query: string) => {
      const res = await t.request(`/signup${query}`);
      assert.equal(res.status, 200, query);
      const html = await res.text();
      return /<input[^>]*value="(rent|host)"[^>]*checked/.exec(html)?.[1];
    };
    assert.equal(await checked("?as=host"), "host");
    assert.equal(await checked(""), "rent");
    for (const bad of ["?as=admin", "?as=", "?as=HOST", "?as=%00"]) {
      assert.equal(await checked(bad), "rent", bad);
    }
  } finally {
    t.close();
  }
});
