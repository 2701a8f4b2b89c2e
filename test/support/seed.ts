/**
 * One seed for every fast-check run of the suite (imported for its effect by the property
 * tests): the same inputs on every run, so a failure is the code's and not the dice's, and it
 * replays as it was. `FC_SEED=n npm test` explores other inputs; `npm run fuzz` explores at length.
 */
import fc from "fast-check";

export const FC_SEED = Number(process.env["FC_SEED"] ?? 20_261_201);
if (!Number.isSafeInteger(FC_SEED)) throw new Error(`FC_SEED must be an integer, not ${FC_SEED}`);
fc.configureGlobal({ seed: FC_SEED });
