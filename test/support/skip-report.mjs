// A node:test reporter for the end of `npm test`: lists every skipped test with its reason,
// so a skip (the OpenSSL vectors or PostgreSQL missing, say) is seen in the last lines of the
// run rather than somewhere in thousands above. Plain JavaScript: the runner loads reporters
// itself, without tsx.
import { relative } from "node:path";

/** The test file a bundle was made from (run.mjs bundles test/X.ts as .tmp/tests-…/NN-X.mjs). */
const sourceOf = (file) => {
  const bundled = /[\\/]\.tmp[\\/]tests-[^\\/]+[\\/]\d+-([^\\/]+)\.mjs$/.exec(file);
  return bundled ? `test/${bundled[1]}.ts` : relative(process.cwd(), file);
};

export default async function* skipReport(source) {
  const skipped = [];
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const why = typeof skip === "string" && !name.includes(skip) ? ` (${skip})` : "";
    skipped.push(`  ${file ? `${sourceOf(file)}: ` : ""}${name}${why}\n`);
  }
  if (skipped.length > 0) yield `\n# ${skipped.length} test(s) SKIPPED:\n${skipped.join("")}`;
}
