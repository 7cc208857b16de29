// The inspector pages in a real browser (Debian's headless chromium, driven by the pinned
// puppeteer-core): `make test-inspect` runs tests/inspect/run.sh, which writes the pages
// into DIR and then runs this.
//
// usage: node browser.mjs DIR ARTIFACTS
//
// Every page must load with no console error, no page error and no request but the
// file:// page itself (every other request is aborted and fails the test).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const [dir, artifacts] = process.argv.slice(2).map((p) => resolve(p));
const repo = fileURLToPath(new URL("../..", import.meta.url));
const failures = [];
let checks = 0;
function check(condition, what) {
  checks++;
  if (!condition) failures.push(what);
  console.log(`${condition ? "ok  " : "FAIL"} ${what}`);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
});

// Opens a page, fails the test on any console error, page error or request, and waits
// for the inspector to say it has drawn.
async function open(name, viewport = { width: 1400, height: 800 }) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const url = pathToFileURL(join(dir, name)).href;
  const problems = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() === url) return request.continue();
    problems.push(`request ${request.url()}`);
    return request.abort();
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url, { waitUntil: "load", timeout: 60000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  const firstRender = await page.evaluate(() => window.mapbackFirstRender);
  console.log(`     ${name}: first render ${firstRender.toFixed(0)} ms`);
  return { page, problems, name };
}
function clean(context) {
  check(context.problems.length === 0, `${context.name}: no console error, page error or request (${context.problems.join("; ")})`);
}
const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const attributes = (page, selector) =>
  page.$$eval(selector, (list) => list.map((e) => ({ line: +e.dataset.l, column: +e.dataset.c })));

// The generated span covering (line, column) among those drawn: the one starting last at
// or before the column.
async function generatedSpan(page, line, column) {
  const spans = await attributes(page, `#generated-pane .m[data-l="${line}"]`);
  const start = Math.max(...spans.map((s) => s.column).filter((c) => c <= column));
  return page.$(`#generated-pane .m[data-l="${line}"][data-c="${start}"]`);
}

// ---- the demo: both directions of highlighting, the trace, screenshots -------------------
{
  const demo = await open("demo.html");
  const { page } = demo;
  // generated 0:1035 (0-based) is app/src/pricing.js 36:10, trace-node.txt's top frame.
  await (await generatedSpan(page, 0, 1035)).hover();
  check((await text(page, "#original-title")).startsWith("app/src/pricing.js"), "demo: hovering a generated span shows its source");
  const lit = await attributes(page, "#original-pane .m.hl");
  check(lit.length === 1 && lit[0].line === 36 && lit[0].column === 10, `demo: its original span 36:10 is highlighted (${JSON.stringify(lit)})`);
  check((await text(page, "#mapping-info")).includes("app/src/pricing.js 37:11"), "demo: the mapping is described (1-based)");
  await page.screenshot({ path: join(artifacts, "demo-panes.png") });

  // The other direction: checkout.js 7:21 (the call of applyCoupon) is generated 0:1610.
  const checkout = await page.$$eval("#source-picker option", (list) =>
    list.find((o) => o.textContent.includes("app/src/checkout.js")).value);
  await page.select("#source-picker", checkout);
  check((await text(page, "#original-title")).startsWith("app/src/checkout.js"), "demo: the source picker switches sources");
  await page.hover('#original-pane .m[data-l="7"][data-c="21"]');
  const back = await attributes(page, "#generated-pane .m.hl");
  check(back.length >= 1 && back.every((s) => s.line === 0 && s.column <= 1610 && s.column > 1500),
    `demo: hovering an original span highlights its generated span (${JSON.stringify(back)})`);

  // Paste the real Node trace: every frame resolves to the demo's ground truth.
  await page.click('#tabs button[data-tab="trace"]');
  await page.focus("#trace-input");
  await page.keyboard.sendCharacter(readFileSync(join(repo, "examples/demo/trace-node.txt"), "utf8"));
  const frames = await page.$$eval("#trace-table tr.frame", (rows) =>
    rows.map((r) => [".original", ".function", ".callee"].map((c) => r.querySelector(c).textContent)));
  const expected = [
    ["app/src/pricing.js:37:11", "applyCoupon", "applyCoupon"],
    ["app/src/checkout.js:8:22", "priceCart", "priceCart"],
    ["app/src/checkout.js:33:18", "checkout", "—"],
    ["app/src/main.js:20:18", "main", "—"],
  ];
  check(JSON.stringify(frames) === JSON.stringify(expected), `demo: the pasted trace resolves (${JSON.stringify(frames)})`);
  await page.screenshot({ path: join(artifacts, "demo-trace.png") });
  await page.click("#trace-table tr.frame:nth-of-type(4)");
  check(await page.$eval("#tab-code", (e) => e.classList.contains("active")), "demo: clicking a frame shows the mappings");
  const marked = await attributes(page, "#generated-pane .m.mark");
  check(marked.length === 1 && marked[0].line === 1, `demo: the frame's generated position is marked (${JSON.stringify(marked)})`);
  // The same frames as Firefox and Safari print them (function@url:line:column).
  await page.click('#tabs button[data-tab="trace"]');
  await page.$eval("#trace-input", (t) => { t.value = ""; t.focus(); });
  await page.keyboard.sendCharacter("l@https://example.com/bundle.min.js:1:1036\nasync*E@https://example.com/bundle.min.js:2:412\n");
  const gecko = await page.$$eval("#trace-table tr.frame .original", (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(gecko) === JSON.stringify(["app/src/pricing.js:37:11", "app/src/main.js:20:18"]),
    `demo: a Firefox/Safari trace resolves too (${JSON.stringify(gecko)})`);

  await page.click('#tabs button[data-tab="size"]');
  const tiles = await page.$$eval("#treemap .tile", (list) => list.map((t) => t.title.split("\n")[0]));
  check(tiles.includes("[unmapped]") && tiles.includes("app/src/pricing.js"), `demo: the treemap has the files and the unmapped bytes (${tiles})`);
  await page.screenshot({ path: join(artifacts, "demo-treemap.png") });
  clean(demo);
  await page.close();
}

// ---- a map with problems: clicking a diagnostic moves the view to it ----------------------
{
  const broken = await open("broken.html", { width: 900, height: 500 });
  const { page } = broken;
  check((await text(page, "#diag-count")).includes("2 errors"), "broken: both errors are listed");
  await page.click('#tabs button[data-tab="diagnostics"]');
  // A problem at a byte of the map: the click selects it; its excerpt of the map is the place.
  const atByte = await page.$$eval(".diag", (list) => list.findIndex((d) => d.textContent.includes("source-index-out-of-bounds")));
  await (await page.$$(".diag"))[atByte].click();
  const selected = await page.$eval(".diag.selected", (d) => d.querySelector(".excerpt").textContent);
  check(atByte >= 0 && selected.includes("⟨here⟩") && await page.$eval("#tab-diagnostics", (e) => e.classList.contains("active")),
    "broken: a problem at a byte of the map shows the map's text there");
  const before = await page.$eval("#generated-pane", (e) => e.scrollTop);
  const items = await page.$$(".diag");
  let clicked = false;
  for (const item of items) {
    if ((await item.evaluate((e) => e.textContent)).includes("column-past-line-end")) {
      await item.click();
      clicked = true;
      break;
    }
  }
  check(clicked, "broken: the column-past-line-end diagnostic is there");
  const after = await page.$eval("#generated-pane", (e) => e.scrollTop);
  check(await page.$eval("#tab-code", (e) => e.classList.contains("active")), "broken: the click shows the mappings");
  check(after > before, `broken: the generated pane scrolled (${before} -> ${after})`);
  const marked = await page.$$eval("#generated-pane .mark", (list) => list.map((e) => {
    const box = e.getBoundingClientRect(), pane = e.closest(".pane").getBoundingClientRect();
    return { line: +e.dataset.l, visible: box.top >= pane.top && box.bottom <= pane.bottom };
  }));
  check(marked.length === 1 && marked[0].line === 1 && marked[0].visible, `broken: the problem's position is marked and on screen (${JSON.stringify(marked)})`);
  clean(broken);
  await page.close();
}

// ---- a real Rollup bundle: debug ID, ignore list, packages, a diagnostic to a source -----
{
  const vendor = await open("vendor.html");
  const { page } = vendor;
  await page.click('#tabs button[data-tab="facts"]');
  const facts = await text(page, "#facts");
  check(facts.includes("01b18968-99d9-46cc-8202-8fec926aa261"), "vendor: the debug ID is shown");
  check(/x_google_ignoreList/.test(facts), "vendor: the ignore-list field is named");
  await page.click('#tabs button[data-tab="size"]');
  await page.click('input[name="size-mode"][value="packages"]');
  const packages = await page.$$eval("#size-table tbody tr td:first-child", (cells) => cells.map((c) => c.textContent));
  check(packages.includes("@sentry/core") && packages.includes("[unmapped]"), `vendor: bytes per node_modules package (${packages.slice(0, 6)})`);
  await page.click('#tabs button[data-tab="diagnostics"]');
  const target = await page.$$eval(".diag", (list) => list.findIndex((d) => d.textContent.includes("sources[5]")));
  check(target >= 0, "vendor: a diagnostic names sources[5]");
  await (await page.$$(".diag"))[target].click();
  check((await page.$eval("#source-picker", (s) => s.value)) === "5", "vendor: clicking it selects that source");
  clean(vendor);
  await page.close();
}

// ---- a real bench map (pdf.js, 2.2 MB map): hover, sort, treemap ---------------------------
{
  const pdf = await open("pdfjs.html");
  const { page } = pdf;
  const span = await page.$("#generated-pane .m:not(.u)");
  await span.hover();
  check((await page.$$("#original-pane .m.hl")).length === 1, "pdfjs: hovering a generated span highlights one original span");
  await page.screenshot({ path: join(artifacts, "pdfjs-panes.png") });
  await page.click('#tabs button[data-tab="size"]');
  const tiles = await page.$$("#treemap .tile");
  check(tiles.length >= 50, `pdfjs: the treemap has a tile per file (${tiles.length})`);
  await page.screenshot({ path: join(artifacts, "pdfjs-treemap.png") });
  const firstBytes = await page.$$eval("#size-table tbody tr td:nth-child(2)", (c) => c.map((x) => +x.textContent));
  check(firstBytes.every((b, i) => i === 0 || firstBytes[i - 1] >= b), "pdfjs: the table starts sorted by bytes, largest first");
  await page.click("#size-table th:first-child");
  const names = await page.$$eval("#size-table tbody tr td:first-child", (c) => c.map((x) => x.textContent));
  check(names.every((n, i) => i === 0 || names[i - 1].localeCompare(n) <= 0), "pdfjs: clicking a header sorts by it");
  clean(pdf);
  await page.close();
}

await browser.close();
console.log(`${checks - failures.length}/${checks} browser checks passed`);
if (failures.length) {
  console.log(`failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
