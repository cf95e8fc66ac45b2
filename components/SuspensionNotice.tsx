import { formatDayTime } from "../lib/format.ts";

const link = "font-semibold text-red-900 underline";

/**
 * What a host sees on their dashboard and in their kitchen's editor while
 * Prep staff have it suspended: since when, why, what it means, and whom to
 * write to about it.
 */
export function SuspensionNotice(
  { kitchen, support }: {
    kitchen: {
      title: string;
      timeZone: string;
      suspension: { reason: string; at: number };
    };
    /** Prep's support address (SUPPORT_EMAIL), or null: the contact form. */
    support: string | null;
  },
) {
  const subject = encodeURIComponent(`Suspended kitchen: ${kitchen.title}`);
  return (
    <section
      aria-label={`${kitchen.title} is suspended`}
      class="space-y-2 rounded-xl border-2 border-red-300 bg-red-50 p-5 text-red-900"
    >
      {/* Not a heading: on the dashboard this comes before the page's h1. */}
      <p class="text-xl font-bold">
        {`${kitchen.title} is suspended by Prep staff`}
      </p>
      <p>
        {`Since ${
          formatDayTime(kitchen.timeZone, kitchen.suspension.at)
        }, it is out of search and takes no new bookings. Bookings already made stand.`}
      </p>
      <p class="typed-text">
        {`Reason: ${kitchen.suspension.reason}`}
      </p>
      <p>
        {"To ask about it, or to tell us it is fixed, "}
        {support
          ? (
            <>
              {"write to Prep support at "}
              <a href={`mailto:${support}?subject=${subject}`} class={link}>
                {support}
              </a>
              {" (or reply to the email we sent)"}
            </>
          )
          : (
            <>
              {"write to Prep support through the "}
              <a href="/contact" class={link}>contact form</a>
            </>
          )}
        {", naming the kitchen. Staff reinstate it once the reason is resolved."}
      </p>
    </section>
  );
}
