import type { ComponentChildren } from "preact";

/** The header cell style of staff tables; rows use it for their cells too. */
export const th = "py-2 pr-4";

/**
 * A scrollable data table with a caption for screen readers. On a narrow
 * screen a wide table scrolls sideways, so its frame is a named region
 * that takes focus: keyboard users scroll it with the arrow keys.
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
      role="region"
      aria-label={caption}
      tabIndex={0}
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
