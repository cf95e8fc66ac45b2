import { Hono } from "hono";
import {
  ListingOverview,
  ListingPreviewPage,
  ListingsPage,
  NewListingPage,
  SectionPage,
} from "../../../components/ListingEditor.tsx";
import {
  loadListingOverview,
  openSection,
  publishListingFor,
  saveSectionWithRules,
} from "../../../lib/compliance/listing_edit.ts";
import { loadListingPreview } from "../../../lib/hosts/listing_pages.ts";
import { ID_PATTERN } from "../../../lib/ids.ts";
import {
  FORM_SECTIONS,
  type FormSection,
  formValues,
  sectionForm,
} from "../../../lib/kitchens/editor_forms.ts";
import {
  createDraft,
  getListingFor,
  listListings,
  unlistListing,
} from "../../../lib/kitchens/listings.ts";
import type { FormState } from "../../../components/Forms.tsx";
import { type AppContext, type AppEnv, page } from "../../context.tsx";
import { formFailure, readForm, readNotice } from "../../forms.ts";
import { redirect } from "../../headers.ts";
import { bodyLimit, tooLargeAsForm } from "../../limits.ts";
import { calendar } from "./calendar.tsx";
import { permits } from "./permits.tsx";
import { photos } from "./photos.tsx";

/**
 * /host/kitchens: the host's kitchens and the listing editor (drafts,
 * sections, preview, publish). A kitchen's photos, calendar and permits
 * are sub-apps of their own.
 */
export const listings = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

listings.route(`/${ID}`, photos);
listings.route(`/${ID}/edit/calendar`, calendar);
listings.route(`/${ID}/permits`, permits);

const SECTION = `:section{${FORM_SECTIONS.join("|")}}`;

const NOTICES: Record<string, string> = {
  published: "Published: your kitchen is in search and taking bookings.",
  unlisted: "Unlisted: renters no longer see this kitchen.",
  created:
    "Draft started. Fill in each section and save it; what you save is kept, and you can come back to any section.",
};

const notice = (c: AppContext) => NOTICES[readNotice(c)];

listings.get("/", async (c) => {
  const all = await listListings(c.var.services.kv, c.var.user!.id);
  return page(
    c,
    { title: "Your kitchens" },
    <ListingsPage listings={all} notice={notice(c)} />,
  );
});

listings.get(
  "/new",
  (c) => page(c, { title: "List a new kitchen" }, <NewListingPage />),
);

listings.post("/new", async (c) => {
  const draft = await createDraft(
    c.var.services.kv,
    c.var.user!,
    c.var.services.clock(),
  );
  return redirect(c, `/host/kitchens/${draft.id}/edit/basics?notice=created`);
});

async function renderOverview(
  c: AppContext,
  id: string,
  form?: FormState,
  status: 200 | 400 | 409 = 200,
) {
  const { listing, problems } = await loadListingOverview(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.config.PAYMENTS,
  );
  return page(
    c,
    { title: listing.values.title ?? "Your kitchen" },
    <ListingOverview
      listing={listing}
      problems={problems}
      notice={notice(c)}
      form={form}
      viewerIsHost={listing.hostId === c.var.user!.id}
      support={c.var.services.support.email}
    />,
    status,
  );
}

listings.get(`/${ID}`, (c) => renderOverview(c, c.req.param("id")));

listings.post(`/${ID}/publish`, async (c) => {
  const id = c.req.param("id");
  try {
    await publishListingFor(
      c.var.services.kv,
      id,
      c.var.user!,
      c.var.services.config.PAYMENTS,
      c.var.services.clock(),
    );
  } catch (err) {
    const failed = formFailure({ values: {}, errors: {} }, err);
    return await renderOverview(
      c,
      id,
      failed.form,
      failed.status === 429 ? 409 : failed.status,
    );
  }
  return redirect(c, `/host/kitchens/${id}?notice=published`);
});

listings.post(`/${ID}/unlist`, async (c) => {
  const id = c.req.param("id");
  await unlistListing(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.clock(),
  );
  return redirect(c, `/host/kitchens/${id}?notice=unlisted`);
});

/** The public page as it will look; drafts that are not complete cannot be previewed. */
listings.get(`/${ID}/preview`, async (c) => {
  const { kitchen, host } = await loadListingPreview(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
  );
  return page(
    c,
    { title: `Preview: ${kitchen.title}` },
    <ListingPreviewPage kitchen={kitchen} host={host} />,
  );
});

function renderSection(
  c: AppContext,
  listing: Awaited<ReturnType<typeof getListingFor>>,
  section: FormSection,
  form: FormState,
  status: 200 | 400 | 409 | 413 | 429 = 200,
  warnings: string[] = [],
  saved = status === 200 && readNotice(c) === "saved",
) {
  return page(
    c,
    { title: `${listing.values.title ?? "Your kitchen"}: edit` },
    <SectionPage
      listing={listing}
      section={section}
      form={form}
      notice={notice(c)}
      saved={saved}
      warnings={warnings}
      fees={c.var.services.fees}
      map={{
        tiles: c.var.services.mapTiles,
        cssHref: c.var.manifest.mapCss ?? "",
      }}
    />,
    status,
  );
}

listings.get(`/${ID}/edit/${SECTION}`, async (c) => {
  const section = c.req.param("section") as FormSection;
  const { listing, warnings } = await openSection(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    section,
  );
  return renderSection(
    c,
    listing,
    section,
    {
      values: formValues(section, listing.values),
      errors: {},
    },
    200,
    warnings,
  );
});

/**
 * A section's form at its longest: the description's 5,000 characters may
 * take 12 bytes each once encoded (a four-byte character, percent-encoded).
 */
const SECTION_BODY_LIMIT = 64 * 1024;

const SECTION_TOO_LARGE =
  "That was far more than this form takes, so nothing was saved. The description takes up to 5,000 characters.";

listings.post(
  `/${ID}/edit/${SECTION}`,
  tooLargeAsForm(async (c) => {
    const section = c.req.param("section") as FormSection;
    const listing = await getListingFor(
      c.var.services.kv,
      c.req.param("id") ?? "",
      c.var.user!,
    );
    return renderSection(c, listing, section, {
      values: formValues(section, listing.values),
      errors: {},
      message: SECTION_TOO_LARGE,
    }, 413);
  }),
  bodyLimit(SECTION_BODY_LIMIT),
  async (c) => {
    const id = c.req.param("id");
    const section = c.req.param("section") as FormSection;
    const user = c.var.user!;
    // The owner check comes first: another host learns nothing, not even field errors.
    const listing = await getListingFor(c.var.services.kv, id, user);
    const read = await readForm(c, sectionForm(section));
    if (!read.ok) return renderSection(c, listing, section, read.form, 400);
    try {
      const saved = await saveSectionWithRules(
        c.var.services.kv,
        id,
        user,
        section,
        read.data,
        c.var.services.clock(),
      );
      if (saved.warnings.length > 0) {
        return renderSection(
          c,
          saved.listing,
          section,
          { values: formValues(section, saved.listing.values), errors: {} },
          200,
          saved.warnings,
          true,
        );
      }
    } catch (err) {
      const failed = formFailure(read.form, err);
      return renderSection(c, listing, section, failed.form, failed.status);
    }
    return redirect(c, `/host/kitchens/${id}/edit/${section}?notice=saved`);
  },
);
