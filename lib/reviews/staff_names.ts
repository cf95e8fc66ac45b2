/**
 * The audit log with everything it mentions named, reviews included:
 * "Review of Hal's Kitchen by Rosa" (a renter's review of a kitchen),
 * "Review of Rosa by Hal's Commissary" (a host's review of a renter).
 * Reviews sit above compliance, whose staff names cover the domains below
 * (lib/compliance/staff_names.ts), so the whole page is named here. The
 * kitchens and people a page's reviews mention are read in the same
 * batches as the rest of its names.
 */
import { type AuditNames, subjectIds, subjectKey } from "../audit/names.ts";
import { type AuditFilter, type AuditPage, listAudit } from "../audit/repo.ts";
import { nameAuditEntries } from "../compliance/staff_names.ts";
import { isId } from "../ids.ts";
import { getReviews } from "./repo.ts";
import { firstName } from "./rules.ts";
import type { Review } from "./schema.ts";

/** How staff read a review: what it is of and who wrote it. */
export function reviewLabel(
  r: Pick<Review, "side" | "authorName">,
  names: { kitchen?: string; renter?: string; author?: string },
): string {
  if (r.side === "renter") {
    const by = names.author ? firstName(names.author) : r.authorName;
    return `Review of ${names.kitchen ?? "a kitchen"} by ${by}`;
  }
  const of = names.renter ? firstName(names.renter) : "a renter";
  return `Review of ${of} by ${r.authorName}`;
}

/** A page of the audit log (see `listAudit`) with its names. */
export async function listAuditNamed(
  kv: Deno.Kv,
  opts: { limit?: number; cursor?: string | null; filter?: AuditFilter },
): Promise<AuditPage & { names: AuditNames }> {
  const page = await listAudit(kv, opts);
  const reviews = await getReviews(
    kv,
    subjectIds(page.entries, "review").filter(isId),
  );
  const names = await nameAuditEntries(kv, page.entries, {
    people: reviews.flatMap((r) => [r.authorId, r.renterId]),
    kitchens: reviews.map((r) => r.kitchenId),
  });
  for (const r of reviews) {
    names.subjects[subjectKey("review", r.id)] = reviewLabel(r, {
      kitchen: names.subjects[subjectKey("kitchen", r.kitchenId)],
      renter: names.people[r.renterId]?.name,
      author: names.people[r.authorId]?.name,
    });
  }
  return { ...page, names };
}
