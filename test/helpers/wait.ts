/** Waiting in tests: a fixed pause, and polling until something holds. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until `ok` holds for its value (by default: until it is truthy)
 * and returns that value; fails after `ms`, naming `what` and the last value seen.
 */
export async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean = Boolean,
  ms = 3_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(20);
    last = await probe();
  }
  return last;
}
