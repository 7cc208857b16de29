// Builds a real three-step chain with source maps, and composes it with
// @ampproject/remapping, the JavaScript reference:
//
//   1. tsc 5.9 compiles the TypeScript sources of four @jridgewell packages (their
//      published src/*.ts, copied from node_modules) to out/**/*.js + .js.map;
//   2. esbuild bundles out/index.js into dist/bundle.js + .map (the tsc maps' comments
//      are removed first, or esbuild would compose them itself);
//   3. terser minifies dist/bundle.js into dist/bundle.min.js + .map.
//
// Then remapping composes dist/bundle.min.js.map through the other maps into
// dist/remapping.map, and a summary goes to dist/chain.json.
//
// Usage: node build-chain.mjs WORK_DIR      (WORK_DIR is emptied first)

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import remapping from "@ampproject/remapping";
import * as esbuild from "esbuild";
import { minify } from "terser";

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.resolve(process.argv[2] ?? "");
if (!process.argv[2]) {
  console.error("usage: node build-chain.mjs WORK_DIR");
  process.exit(2);
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const packages = ["sourcemap-codec", "gen-mapping", "trace-mapping", "source-map"];
for (const name of packages) {
  const from = path.join(here, "node_modules", "@jridgewell", name, "src");
  fs.cpSync(from, path.join(work, "src", name), { recursive: true });
}
// The one file of ours: an entry point over the four packages.
fs.writeFileSync(
  path.join(work, "src", "index.ts"),
  packages.map((name) => `export * as ${name.replace(/-./g, (m) => m[1].toUpperCase())} from "./${name}/${name}";`).join("\n") + "\n",
);
const aliases = Object.fromEntries(packages.map((name) => [`@jridgewell/${name}`, `./src/${name}/${name}.ts`]));
fs.writeFileSync(
  path.join(work, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      rootDir: "src",
      outDir: "out",
      sourceMap: true,
      inlineSources: true,
      target: "es2020",
      module: "esnext",
      moduleResolution: "bundler",
      skipLibCheck: true,
      strict: false,
      noEmitOnError: false,
      types: [],
      paths: Object.fromEntries(Object.entries(aliases).map(([k, v]) => [k, [v]])),
    },
    include: ["src"],
  }, null, 2),
);

// 1. tsc. Type errors (the packages' own dependencies' types are absent) do not stop it
//    emitting; a missing output does.
try {
  execFileSync(path.join(here, "node_modules", ".bin", "tsc"), ["-p", work], { stdio: "pipe" });
} catch (error) {
  if (!fs.existsSync(path.join(work, "out", "index.js"))) {
    throw error;
  }
}
const tscMaps = [];
for (const file of fs.readdirSync(path.join(work, "out"), { recursive: true })) {
  if (!file.endsWith(".js")) continue;
  const full = path.join(work, "out", file);
  fs.writeFileSync(full, fs.readFileSync(full, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"));
  tscMaps.push(file + ".map");
}

// 2. esbuild.
await esbuild.build({
  absWorkingDir: work,
  entryPoints: ["out/index.js"],
  bundle: true,
  format: "esm",
  outfile: "dist/bundle.js",
  sourcemap: "external",
  external: ["@jridgewell/resolve-uri"],
  alias: Object.fromEntries(packages.map((name) => [`@jridgewell/${name}`, `./out/${name}/${name}.js`])),
  logLevel: "error",
});

// 3. terser.
const bundle = fs.readFileSync(path.join(work, "dist", "bundle.js"), "utf8");
const minified = await minify({ "bundle.js": bundle }, {
  module: true,
  compress: { passes: 2 },
  mangle: true,
  sourceMap: { filename: "bundle.min.js", url: "bundle.min.js.map" },
});
fs.writeFileSync(path.join(work, "dist", "bundle.min.js"), minified.code);
fs.writeFileSync(path.join(work, "dist", "bundle.min.js.map"), minified.map);

// The reference composition. Source names reach the loader resolved against the file
// of the map that lists them, relative to dist/.
const loaded = [];
const composed = remapping(minified.map, (file) => {
  const mapFile = path.join(work, "dist", file) + ".map";
  if (!fs.existsSync(mapFile)) return null;
  loaded.push(file);
  return fs.readFileSync(mapFile, "utf8");
});
fs.writeFileSync(path.join(work, "dist", "remapping.map"), composed.toString());

const versions = Object.fromEntries(
  ["typescript", "esbuild", "terser", "@ampproject/remapping"].map((name) => [
    name,
    JSON.parse(fs.readFileSync(path.join(here, "node_modules", name, "package.json"), "utf8")).version,
  ]),
);
fs.writeFileSync(
  path.join(work, "dist", "chain.json"),
  JSON.stringify({ versions, tsc_maps: tscMaps.length, remapping_loaded: loaded }, null, 2),
);
console.log(`chain: ${tscMaps.length} tsc maps -> dist/bundle.js.map -> dist/bundle.min.js.map; remapping loaded ${loaded.length} maps`);
