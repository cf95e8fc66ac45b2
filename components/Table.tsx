import type { ComponentChildren } from "preact";

/** The header cell style of staff tables; rows use it for their cells too. */
export const th = "py-2 pr-4";

/** A scrollable data table with a caption for screen readers. */
export function Table(
  { caption, head, children }: {
    caption: string;
    head: string[];
    children: ComponentChildren;
  },
) {
  return (
    // Focusable, so a keyboard can scroll a table wider than a phone (axe:
    // scrollable-region-focusable).
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
