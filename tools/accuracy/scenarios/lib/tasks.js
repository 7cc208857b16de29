// A small task library whose methods are reassigned, aliased, bound and wrapped at run
// time, as real libraries do (a fast path installed in the constructor, a memoised
// dispatch table, instrumentation that swaps a method for a bound one). The static call
// graph says `run` calls `parse`; at run time the caller's `run(...)` lands in `parse`
// directly. A symbolicator that rebuilds inlined frames from the static graph alone
// invents a `run` frame there. Used by scenarios/dispatch.js.

export class TaskParser {
  constructor(options) {
    this.options = options;
    // Nothing to prepare: calls of run go straight to parse.
    if (!options.prepare) this.run = this.parse;
  }

  run(text) {
    const prepared = this.prepare(text);
    return this.parse(prepared);
  }

  prepare(text) {
    return this.options.prepare(text.trim());
  }

  parse(text) {
    if (!text.startsWith('task ')) {
      throw new SyntaxError(`not a task: ${JSON.stringify(text)}`);
    }
    return { name: text.slice(5) };
  }
}

export function checkLimit(value, limit) {
  if (value > limit) throw new RangeError(`${value} is over the limit ${limit}`);
  return value;
}

export function validate(value) {
  return checkLimit(normalize(value), 100);
}

function normalize(value) {
  return Math.round(Number(value));
}

// The fast table skips normalisation: `validators.validate` holds checkLimit.
export const validators = { validate };
validators.validate = (value) => checkLimit(value, 10);

export function deliver(queue, message) {
  return queue.push(message);
}

export const transport = {
  send(message) {
    return deliver(this.queue, message);
  },
  queue: null,
};

function reject(queue, message) {
  throw new Error(`transport offline, dropped ${message}`);
}

// Instrumentation replaces send with a bound function of another one; V8 and
// SpiderMonkey print no frame for the bound function itself.
export function goOffline() {
  transport.send = reject.bind(null, transport.queue);
}

const handlers = new Map();

export function handlerFor(kind) {
  if (!handlers.has(kind)) {
    handlers.set(kind, kind === 'strict' ? strictFormat : format);
  }
  return handlers.get(kind);
}

export function format(record) {
  return strictFormat(record).trim();
}

function strictFormat(record) {
  if (record.id === undefined) throw new TypeError('record without id');
  return ` #${record.id} `;
}

export class Pipeline {
  constructor(steps) {
    this.steps = steps;
  }

  process(input) {
    return this.steps.reduce((value, step) => step.call(this, value), input);
  }

  execute(input) {
    return this.process(input);
  }
}
