/**
 * Waiting without wall-clock assertions: a test that waits for something polls with a deadline
 * far beyond what a healthy run needs (a busy machine is slow, never wrong), and says what it
 * was waiting for when the deadline passes.
 */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Deadline {
  /** Give up after this long. Default 15 s. */
  readonly deadlineMs?: number;
  /** Between two probes. Default 50 ms. */
  readonly everyMs?: number;
}

/**
 * Probes until `probe` returns something other than undefined, and returns it; throws naming
 * `what` (and the last value seen by `last`, if given) once the deadline has passed.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  o: Deadline = {},
): Promise<T> {
  const until = Date.now() + (o.deadlineMs ?? 15_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until)
      throw new Error(`still waiting, after ${o.deadlineMs ?? 15_000} ms, for ${what}`);
    await sleep(o.everyMs ?? 50);
  }
}

/**
 * Runs `f` until `settled(result)` holds, at most `attempts` times; for outcomes that depend
 * on where a clock second falls. The first attempt starts at once, each further one just after
 * a second begins.
 */
export async function withinOneSecond<T>(
  what: string,
  f: () => Promise<T>,
  settled: (x: T) => boolean,
  attempts = 10,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(1000 - (Date.now() % 1000) + 5);
    const x = await f();
    if (settled(x)) return x;
  }
  throw new Error(`${what}: not within one clock second in ${attempts} attempts`);
}
