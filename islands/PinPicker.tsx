import { useEffect, useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import type { MapTiles } from "../lib/place/tiles.ts";

export interface PinPickerProps {
  /** The pin as saved (or as just posted back with an error); null before any address. */
  pin: { lat: number; lng: number } | null;
  /** The ZIP the pin was placed for; a new ZIP drops the pin to its centre on saving. */
  zip: string;
  /** Id of the ZIP field, to notice the host changing it. */
  zipField: string;
  /** Why the pin was refused, when it was. */
  error: string | null;
  tiles: MapTiles;
  cssHref: string;
}

const button =
  "rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm font-semibold hover:bg-stone-50";

const fixed = (x: number) => x.toFixed(6);

/**
 * The kitchen's pin on a small map in the location section. Without
 * JavaScript the section saves the address alone and the pin is the ZIP's
 * centre (or, for an unchanged ZIP, where it was). With it, the host drags
 * the pin, clicks the map, or focuses the pin and nudges it with the arrow
 * keys; hidden fields then post it. Changing the ZIP drops them, so the
 * new ZIP's centre is used and the host fine-tunes from there.
 */
function PinPicker(props: PinPickerProps) {
  const box = useRef<HTMLDivElement>(null);
  const ready = useSignal(false);
  const pin = useSignal(props.pin);
  const zipChanged = useSignal(false);
  const said = useSignal("");

  useEffect(() => {
    const field = document.getElementById(props.zipField) as
      | HTMLInputElement
      | null;
    const onZip = () => {
      zipChanged.value = (field?.value.trim().slice(0, 5) ?? "") !== props.zip;
    };
    field?.addEventListener("input", onZip);
    // A form sent back with an error may show a ZIP other than the saved one.
    onZip();
    let remove = () => {};
    if (props.pin) {
      import("../lib/place/map_client.ts").then((m) => {
        if (!box.current || !props.pin) return;
        const map = m.mountPinMap(box.current, {
          pin: props.pin,
          tiles: props.tiles,
          onMove: (p, how) => {
            pin.value = p;
            said.value = `Pin ${how}: ${fixed(p.lat)}, ${fixed(p.lng)}.`;
            // Its fields are hidden, so nothing else tells the form it
            // changed (islands/UnsavedGuard.tsx listens for this).
            box.current?.closest("form")?.dispatchEvent(
              new Event("input", { bubbles: true }),
            );
          },
        });
        remove = map.remove;
        ready.value = true;
      }).catch((err) => {
        console.error("[PinPicker] the map could not load:", err);
        said.value = "The map could not load; the pin stays where it was.";
      });
    }
    return () => {
      field?.removeEventListener("input", onZip);
      remove();
    };
  }, []);

  const posting = ready.value && !zipChanged.value && pin.value;
  return (
    <fieldset class="mt-4 space-y-2" data-testid="pin-picker">
      <legend class="text-sm font-semibold">Pin on the map</legend>
      <link rel="stylesheet" href={props.cssHref} />
      {!props.pin
        ? (
          <p class="text-sm text-stone-700">
            Save the address first: the pin starts at the centre of its ZIP
            code, and you can move it here.
          </p>
        )
        : (
          <>
            <p class="text-sm text-stone-700">
              {ready.value
                ? "Drag the pin to the kitchen's door, click the map there, or focus the pin and use the arrow keys (Shift moves it further). Renters see only a circle around it until a booking is confirmed."
                : "The pin is where the kitchen was saved, or the centre of its ZIP code. With JavaScript on, you can move it on a map."}
            </p>
            <div
              ref={box}
              class="h-64 w-full overflow-hidden rounded-lg border border-stone-300 bg-stone-100"
              data-testid="pin-map"
            />
            {posting && (
              <>
                <input
                  type="hidden"
                  name="pinLat"
                  value={fixed(pin.value!.lat)}
                />
                <input
                  type="hidden"
                  name="pinLng"
                  value={fixed(pin.value!.lng)}
                />
              </>
            )}
            {ready.value && (
              <button
                type="button"
                class={button}
                onClick={() => {
                  box.current
                    ?.querySelector<HTMLElement>(".leaflet-marker-icon")
                    ?.focus();
                }}
              >
                Move the pin with the keyboard
              </button>
            )}
          </>
        )}
      {props.error && (
        <p id="pin-error" class="text-sm font-medium text-red-700">
          {props.error}
        </p>
      )}
      <p role="status" class="text-sm font-medium text-stone-800">
        {zipChanged.value
          ? "You changed the ZIP code: saving puts the pin at its centre, and you can move it from there."
          : said.value}
      </p>
    </fieldset>
  );
}

export default defineIsland("PinPicker", PinPicker);
