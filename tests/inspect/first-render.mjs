// Time to first render of inspector pages in Debian's headless chromium (make bench, via
// benches/inspect_page.py): each page is loaded LOADS times in a fresh tab; a load's time
// is the page's own `mapbackFirstRender` (ms from navigation start until the first frame
// with both panes drawn is on screen). Prints one JSON document:
// {"pages": [{"page", "loads_ms": [...], "median_ms", "wall_ms": [...]}]}. With
// --screenshots DIR, the last load of each page is photographed there: NAME-panes.png
// (a span hovered) and NAME-treemap.png (bytes per package).
//
// usage: node first-render.mjs LOADS [--screenshots DIR] PAGE...
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const args = process.argv.slice(2);
const loads = args.shift();
const shots = args[0] === "--screenshots" ? (args.shift(), args.shift()) : null;
const pages = args;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = [];
for (const file of pages) {
  const url = pathToFileURL(resolve(file)).href;
  const times = [], walls = [];
  for (let i = 0; i < Number(loads); i++) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 800 });
    await page.setRequestInterception(true);
    page.on("request", (request) => (request.url() === url ? request.continue() : request.abort()));
    const started = Date.now();
    await page.goto(url, { waitUntil: "load", timeout: 120000 });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
    walls.push(Date.now() - started);
    times.push(await page.evaluate(() => window.mapbackFirstRender));
    if (shots && i === Number(loads) - 1) {
      const name = join(shots, basename(file, ".html"));
      const spans = await page.$$("#generated-pane .m:not(.u)");
      if (spans.length) await spans[Math.min(40, spans.length - 1)].hover();
      await page.screenshot({ path: `${name}-panes.png` });
      await page.click('#tabs button[data-tab="size"]');
      await page.click('input[name="size-mode"][value="packages"]');
      await page.screenshot({ path: `${name}-treemap.png` });
    }
    await page.close();
  }
  results.push({ page: file, loads_ms: times.map((t) => Math.round(t)), median_ms: Math.round(median(times)), wall_ms: walls });
}
await browser.close();
console.log(JSON.stringify({ pages: results }));
