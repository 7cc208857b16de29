// Shared by tools/capture and tools/events: the flags every Chromium these tools start gets.
// Flags for Chromium as root in a container: --no-sandbox (the sandbox refuses to run as root),
// --disable-gpu (no GPU), and every flag that keeps Chromium from reaching out to the network on
// its own (only 127.0.0.1 is reachable here, and nothing but the page should talk at all).
// (`--headless` is added by whoever starts Chromium: puppeteer's `headless: true`, or the
// command line.)
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-breakpad',
  '--disable-extensions',
  '--no-proxy-server',
  '--no-pings',
  '--metrics-recording-only',
];
