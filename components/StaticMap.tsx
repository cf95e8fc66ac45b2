import type { PlaceView } from "../lib/kitchens/place.ts";
import { type MapTiles, staticMapView } from "../lib/place/tiles.ts";

/**
 * A small map without JavaScript: the tiles around a kitchen as an inline
 * SVG (positions are attributes, so the CSP needs no inline styles), with
 * the approximate circle before a booking is confirmed, or the pin after;
 * the neighbourhood beneath, and the tiles' attribution.
 */
export function StaticMap(
  {
    place,
    tiles,
    title = "Where it is",
    roughNote = "The exact address and pin come with your confirmed booking.",
  }: {
    place: PlaceView;
    tiles: MapTiles;
    title?: string;
    /** Beneath the circle: why the pin is not shown. */
    roughNote?: string;
  },
) {
  const v = staticMapView(tiles.url, place.point, place.radiusM);
  const exact = place.kind === "exact";
  const described = exact
    ? `Map of the kitchen's location in ${place.neighbourhood}, ${place.area}, with a pin at the door.`
    : `Map of the area around ${place.neighbourhood}, ${place.area}: the kitchen is somewhere inside the circle, which is about ${
      Math.round(place.radiusM * 2 / 100) / 10
    } km across.`;
  return (
    <section aria-labelledby="place-heading" data-testid="static-map">
      <h2 id="place-heading" class="text-xl font-bold">{title}</h2>
      <p class="mt-1">
        <strong>{place.neighbourhood}</strong>
        {`, ${place.area}`}
      </p>
      <figure class="mt-2">
        <svg
          viewBox={`0 0 ${v.width} ${v.height}`}
          role="img"
          aria-label={described}
          class="h-auto w-full max-w-xl rounded-xl border border-stone-300 bg-stone-100"
          data-kind={place.kind}
        >
          {v.tiles.map((t) => (
            <image
              key={`${t.x},${t.y}`}
              href={t.url}
              x={t.x}
              y={t.y}
              width={256}
              height={256}
            />
          ))}
          {exact
            ? (
              <g>
                <path
                  d={`M${v.cx} ${v.cy} l-11 -18 a13 13 0 1 1 22 0 z`}
                  fill="#b91c1c"
                  stroke="#fff"
                  stroke-width="2"
                />
                <circle cx={v.cx} cy={v.cy - 26} r="4.5" fill="#fff" />
              </g>
            )
            : (
              <circle
                cx={v.cx}
                cy={v.cy}
                r={v.radiusPx}
                fill="#047857"
                fill-opacity="0.18"
                stroke="#047857"
                stroke-width="3"
              />
            )}
        </svg>
        <figcaption class="mt-1 text-sm text-stone-600">
          {exact ? "The pin marks the kitchen. " : `${roughNote} `}
          {tiles.attributionUrl
            ? (
              <a href={tiles.attributionUrl} class="underline">
                {`Map tiles ${tiles.attribution}`}
              </a>
            )
            : `Map tiles ${tiles.attribution}`}
        </figcaption>
      </figure>
    </section>
  );
}
