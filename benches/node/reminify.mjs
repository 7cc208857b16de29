// Derives the outer step of the compose benchmark: esbuild minifies a published bundle
// again (as a pipeline that post-processes vendor code would), writing OUT.js and
// OUT.js.map whose one source is the bundle's file name, so that composing it with the
// bundle's own map gives a map from OUT.js back to the bundle's original sources.
//
// Usage: node reminify.mjs BUNDLE.js OUT.js

import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

import { transformSync } from "esbuild";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node reminify.mjs BUNDLE.js OUT.js");
  process.exit(2);
}
const result = transformSync(readFileSync(input, "utf8"), {
  minify: true,
  sourcemap: "external",
  sourcefile: basename(input),
  sourcesContent: false,
  format: input.endsWith(".mjs") ? "esm" : undefined,
  logLevel: "error",
});
writeFileSync(output, result.code);
writeFileSync(`${output}.map`, result.map);
