import { CITIES } from "../lib/cities.ts";
import { DEFAULT_RADIUS_MILES, RADIUS_CHOICES } from "../lib/kitchens/place.ts";
import { EQUIPMENT, STORAGE } from "../lib/kitchens/vocabulary.ts";

type Raw = Record<string, string | string[] | number | undefined>;

const input = "w-full rounded-lg border border-stone-300 bg-white px-3 py-2";

function value(raw: Raw, key: string): string {
  const v = raw[key];
  return v === undefined ? "" : Array.isArray(v) ? v[0] ?? "" : String(v);
}

/** A list field: the parsed list, or what a refused form echoes, joined by commas. */
function values(raw: Raw, key: string): string[] {
  const v = raw[key];
  return v === undefined
    ? []
    : Array.isArray(v)
    ? v
    : String(v).split(",").filter(Boolean);
}

function FieldError({ id, message }: { id: string; message?: string }) {
  return message
    ? <p id={id} class="mt-1 text-sm font-medium text-red-700">{message}</p>
    : null;
}

function Field(
  { name, label, type, raw, errors, min, step }: {
    name: string;
    label: string;
    type: string;
    raw: Raw;
    errors: Record<string, string>;
    min?: string;
    step?: string;
  },
) {
  const error = errors[name];
  return (
    <div>
      <label for={`f-${name}`} class="block text-sm font-semibold">
        {label}
      </label>
      <input
        id={`f-${name}`}
        name={name}
        type={type}
        value={value(raw, name)}
        min={min}
        step={step}
        class={`${input} ${error ? "border-red-600" : ""}`}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `e-${name}` : undefined}
      />
      <FieldError id={`e-${name}`} message={error} />
    </div>
  );
}

function CheckboxGroup(
  { name, legend, options, chosen, error, scroll }: {
    name: string;
    legend: string;
    options: Record<string, string>;
    chosen: string[];
    error?: string;
    scroll?: boolean;
  },
) {
  return (
    <fieldset>
      <legend class="text-sm font-semibold">{legend}</legend>
      <FieldError id={`e-${name}`} message={error} />
      <div
        class={scroll
          ? "mt-1 max-h-56 space-y-1 overflow-y-auto pr-2"
          : "mt-1 space-y-1"}
      >
        {Object.entries(options).map(([id, label]) => (
          <label key={id} class="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name={name}
              value={id}
              checked={chosen.includes(id)}
            />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * Where to search: a ZIP or a city and state, how far around it, and the
 * renter's own location, which only the map can ask the browser for (so the
 * search page itself ships no JavaScript). A point from the map ("Search
 * this area", "Near me") travels on as hidden fields; a place typed here
 * wins over it.
 */
function PlaceFields(
  { raw, errors, locateHref }: {
    raw: Raw;
    errors: Record<string, string>;
    locateHref: string;
  },
) {
  const radius = Number(value(raw, "radius")) || DEFAULT_RADIUS_MILES;
  const choices = [...new Set([...RADIUS_CHOICES, radius])].sort((a, b) =>
    a - b
  );
  const point = !value(raw, "near") && value(raw, "lat") !== "";
  return (
    <div class="space-y-2">
      <Field
        name="near"
        label="Near (ZIP code, or city and state)"
        type="text"
        raw={raw}
        errors={errors}
      />
      <div>
        <label for="f-radius" class="block text-sm font-semibold">Within</label>
        <select id="f-radius" name="radius" class={input}>
          {choices.map((r) => (
            <option value={String(r)} selected={r === radius}>
              {r === 1 ? "1 mile" : `${r} miles`}
            </option>
          ))}
        </select>
        <FieldError id="e-radius" message={errors.radius} />
      </div>
      {point && (
        <>
          <input type="hidden" name="lat" value={value(raw, "lat")} />
          <input type="hidden" name="lng" value={value(raw, "lng")} />
          <input type="hidden" name="from" value={value(raw, "from")} />
          <p class="text-sm text-stone-700">
            Searching around a point on the map.{" "}
            <a href="/search" class="text-emerald-800 underline">Clear it</a>
          </p>
        </>
      )}
      <FieldError id="e-lat" message={errors.lat ?? errors.lng} />
      <a
        href={locateHref}
        class="inline-block text-sm font-semibold text-emerald-800 underline"
      >
        Use my location (opens the map)
      </a>
    </div>
  );
}

/** The full filter form; a plain GET form, so it works without JavaScript. */
export function SearchForm(
  { raw, errors, locateHref = "/search?view=map&locate=1" }: {
    raw: Raw;
    errors: Record<string, string>;
    /** This search around the renter's location, on the map. */
    locateHref?: string;
  },
) {
  const city = value(raw, "city");
  return (
    <form
      action="/search"
      method="get"
      class="space-y-4 rounded-xl border border-stone-200 bg-white p-4"
      aria-label="Search filters"
    >
      <div>
        <label for="f-city" class="block text-sm font-semibold">City</label>
        <select id="f-city" name="city" class={input}>
          <option value="">All cities</option>
          {CITIES.map((c) => (
            <option value={c.slug} selected={c.slug === city}>{c.name}</option>
          ))}
        </select>
      </div>
      <PlaceFields raw={raw} errors={errors} locateHref={locateHref} />
      {value(raw, "view") === "map" && (
        <input type="hidden" name="view" value="map" />
      )}
      <Field name="date" label="Date" type="date" raw={raw} errors={errors} />
      <div class="grid grid-cols-2 gap-2">
        <Field
          name="start"
          label="From"
          type="time"
          step="1800"
          raw={raw}
          errors={errors}
        />
        <Field
          name="end"
          label="Until"
          type="time"
          step="1800"
          raw={raw}
          errors={errors}
        />
      </div>
      <Field
        name="hours"
        label="Or for how many hours"
        type="number"
        min="1"
        raw={raw}
        errors={errors}
      />
      <div class="grid grid-cols-2 gap-2">
        <Field
          name="minPrice"
          label="Min $/hour"
          type="number"
          min="0"
          raw={raw}
          errors={errors}
        />
        <Field
          name="maxPrice"
          label="Max $/hour"
          type="number"
          min="0"
          raw={raw}
          errors={errors}
        />
      </div>
      <CheckboxGroup
        name="equipment"
        legend="Equipment"
        options={EQUIPMENT}
        chosen={values(raw, "equipment")}
        error={errors.equipment}
        scroll
      />
      <CheckboxGroup
        name="storage"
        legend="Storage"
        options={STORAGE}
        chosen={values(raw, "storage")}
        error={errors.storage}
      />
      <div>
        <label for="f-sort" class="block text-sm font-semibold">Sort by</label>
        <select id="f-sort" name="sort" class={input}>
          <option value="price" selected={value(raw, "sort") === "price"}>
            Lowest price
          </option>
          <option value="newest" selected={value(raw, "sort") === "newest"}>
            Newest
          </option>
          <option value="soonest" selected={value(raw, "sort") === "soonest"}>
            Soonest available
          </option>
          <option value="rating" selected={value(raw, "sort") === "rating"}>
            Highest rated
          </option>
          <option
            value="distance"
            selected={value(raw, "sort") === "distance"}
          >
            Nearest first
          </option>
        </select>
        <FieldError id="e-sort" message={errors.sort} />
      </div>
      <button
        type="submit"
        class="w-full rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
      >
        Show kitchens
      </button>
    </form>
  );
}
