import type { ComponentChildren } from "preact";

/** The header cell style of staff tables; rows use it for their cells too. */
export const th = "py-2 pr-4";

/**
 * A scrollable data table with a caption for screen readers. On a narrow
 * screen the table scrolls within its region, which takes keyboard focus
 * (and is named by the caption) so it can be scrolled without a mouse.
 */
export function Table(
  { caption, head, children }: {
    caption: string;
    head: string[];
    children: ComponentChildren;
  },
) {
  return (
    <div
      class="overflow-x-auto"
      tabIndex={0}
      role="region"
      aria-label={caption}
    >
      <table class="w-full text-left text-sm">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr class="border-b border-stone-300">
            {head.map((h) => <th key={h} scope="col" class={th}>{h}</th>)}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
