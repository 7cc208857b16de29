// Calls through methods that hold another function at run time (see lib/tasks.js): a
// method reassigned in a constructor, an alias in a table, a bound replacement, a memoised
// dispatch table, a method aliased to another, and callbacks through lodash's memoize.
// Nothing here is inlined by hand; whatever a minifier inlines is in the reference run too
// only if the runtime printed it.
import { memoize } from 'lodash-es';
import { TaskParser, validators, transport, goOffline, handlerFor, Pipeline } from './lib/tasks.js';
import { runCases } from './harness.js';

function loadTask(text) {
  const parser = new TaskParser({});
  return parser.run(text);
}

function admit(value) {
  return validators.validate(value);
}

function notify(message) {
  goOffline();
  return transport.send(message);
}

function render(record) {
  const fn = handlerFor('strict');
  return fn(record);
}

const describe = memoize((record) => {
  if (!record.name) throw new TypeError('cannot describe a record without a name');
  return record.name;
});

function summary(record) {
  return describe(record);
}

class StrictPipeline extends Pipeline {
  constructor(steps) {
    super(steps);
    this.execute = this.process;
  }
}

function shout(value) {
  if (value.length > 3) throw new RangeError(`too long to shout: ${value}`);
  return value.toUpperCase();
}

function runPipeline(input) {
  return new StrictPipeline([(v) => v.trim(), shout]).execute(input);
}

runCases('dispatch', [
  ['reassigned-method', () => loadTask('job: build')],
  ['aliased-table', () => admit(42)],
  ['bound-replacement', () => notify('hello')],
  ['memoised-table', () => render({ name: 'x' })],
  ['lodash-memoize', () => summary({ id: 1 })],
  ['aliased-method', () => runPipeline('  hello  ')],
]);
