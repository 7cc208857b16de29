// Shared by every scenario: runs each case in order and reports what it threw through the
// capture harness (tools/capture/harness/*), then says it is done.
//
// V8 keeps only 10 frames by default; the library stacks here are deeper than that, and a
// truncated reference trace cannot be aligned with a minified one whose inlined frames let
// deeper frames in. Many applications raise the limit the same way.
Error.stackTraceLimit = 64;

export async function runCases(scenario, cases) {
  for (const [label, fn] of cases) {
    let threw = false;
    try {
      await fn();
    } catch (err) {
      threw = true;
      globalThis.__report(err, `${scenario}/${label}`);
    }
    if (!threw) {
      globalThis.__report(new Error(`case did not throw: ${scenario}/${label}`), `${scenario}/${label}/NO-THROW`);
    }
  }
  globalThis.__done();
}
