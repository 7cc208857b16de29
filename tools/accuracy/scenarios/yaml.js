// yaml: parse errors built deep in the composer, user callbacks (custom tags, reviver,
// getters) called from deep inside the parser and the stringifier.
import YAML from 'yaml';
import { runCases } from './harness.js';

function parseConfig(text) {
  const config = YAML.parse(text);
  return normalizeConfig(config);
}

function normalizeConfig(config) {
  return { ...config, loaded: true };
}

class ConfigLoader {
  constructor(tags) {
    this.tags = tags;
  }

  load(text) {
    const options = { customTags: this.tags };
    return YAML.parse(text, options);
  }
}

const envTag = {
  tag: '!env',
  resolve(value) {
    if (!/^[A-Z_]+$/.test(value)) {
      throw new Error(`bad environment variable name: ${value}`);
    }
    return `$${value}`;
  },
};

const revive = (key, value) => {
  if (key === 'port' && typeof value !== 'number') {
    throw new TypeError(`port must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
};

function readServers(text) {
  const doc = YAML.parse(text, revive);
  return doc.servers.map((server) => server.host);
}

function dumpState(state) {
  return YAML.stringify({ version: 2, state });
}

const secretive = {
  name: 'db',
  get password() {
    throw new Error('password is write-only');
  },
};

async function loadAll(sources) {
  const results = [];
  for (const source of sources) {
    await Promise.resolve();
    results.push(YAML.parse(source, { uniqueKeys: true }));
  }
  return results;
}

runCases('yaml', [
  ['unterminated-flow', () => parseConfig('name: demo\nitems: [1, 2\nother: 3\n')],
  ['custom-tag', () => new ConfigLoader([envTag]).load('home: !env HOME\npath: !env my-path\n')],
  ['reviver', () => readServers('servers:\n  - host: a\n    port: 80\n  - host: b\n    port: eighty\n')],
  ['stringify-getter', () => dumpState({ connections: [secretive] })],
  ['duplicate-key-async', () => loadAll(['a: 1\n', 'a: 1\nb: 2\na: 3\n'])],
]);
