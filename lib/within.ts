/**
 * `promise`'s value, or undefined if `ms` pass first. The timer goes with
 * the wait, so nothing keeps the process (or a test) alive after it.
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((late) => {
        timer = setTimeout(() => late(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
