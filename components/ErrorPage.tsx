const TITLES: Record<number, string> = {
  400: "Something in that request doesn't look right",
  403: "You don't have access to this page",
  404: "We couldn't find that page",
  409: "That changed while you were looking",
  413: "That was more than we can take",
  429: "Slow down a little",
  500: "Something went wrong on our side",
  503: "That isn't working right now",
};

export function errorTitle(status: number): string {
  return TITLES[status] ?? TITLES[500];
}

export function ErrorPage(
  { status, message }: { status: number; message: string },
) {
  return (
    <section class="mx-auto max-w-xl py-16 text-center">
      <p class="text-sm font-semibold uppercase tracking-wide text-emerald-700">
        Error {status}
      </p>
      <h1 class="mt-2 text-3xl font-extrabold">{errorTitle(status)}</h1>
      <p class="mt-4 text-stone-700">{message}</p>
      <p class="mt-8 flex justify-center gap-4">
        <a
          href="/"
          class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white"
        >
          Go to the home page
        </a>
        <a
          href="/search"
          class="rounded-lg border border-stone-300 px-4 py-2 font-semibold"
        >
          Search kitchens
        </a>
      </p>
    </section>
  );
}
