/**
 * A catch-up that runs one round at a time, for islands that refetch on
 * live events (islands/LiveThread.tsx, islands/LiveInbox.tsx). Pure, and
 * shipped to the browser: no imports.
 */

/**
 * `round` run one at a time: a call while a round runs asks for one more
 * after it, however many calls came, so a page catches up once, not once a
 * call. A round that returns false ends it (nothing to do, or the page went
 * another way); one that throws ends it too: offline for a moment, the next
 * event or reconnect tries again.
 */
export function oneAtATime(
  round: () => Promise<boolean>,
): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      let go: boolean;
      do {
        again = false;
        go = await round();
      } while (go && again);
    } catch {
      // See above: the next event or reconnect tries again.
    } finally {
      running = false;
    }
  };
}
