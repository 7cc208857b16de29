// lodash-es: user customizers and iteratees called from deep inside lodash's recursive
// helpers, and lodash's own argument checks.
import { cloneDeepWith, mergeWith, flow, memoize, template, sortBy, groupBy } from 'lodash-es';
import { runCases } from './harness.js';

function snapshot(state) {
  return cloneDeepWith(state, (value) => {
    if (value instanceof Date && Number.isNaN(value.getTime())) {
      throw new RangeError('cannot snapshot an invalid date');
    }
    return undefined;
  });
}

function mergeSettings(defaults, overrides) {
  return mergeWith({}, defaults, overrides, function customizer(objValue, srcValue, key) {
    if (key === 'timeout' && srcValue < 0) {
      throw new RangeError(`timeout must be positive, got ${srcValue}`);
    }
    return undefined;
  });
}

const parsePrice = (text) => Number.parseFloat(text);
const checkPrice = (price) => {
  if (Number.isNaN(price)) throw new TypeError('price is not a number');
  return price;
};
const toPrice = flow([parsePrice, checkPrice]);

class Catalog {
  constructor(items) {
    this.items = items;
  }

  ranked() {
    return sortBy(this.items, [(item) => toPrice(item.price)]);
  }

  byCategory() {
    return groupBy(this.items, (item) => item.category.name);
  }
}

function cachedLookup(fn) {
  return memoize(fn);
}

async function renderGreeting(data) {
  await Promise.resolve();
  const compiled = template('Hello <%= user.name %>!');
  return compiled(data);
}

runCases('lodash', [
  ['clone-customizer', () => snapshot({ a: { b: [{ c: new Date(NaN) }] } })],
  ['merge-customizer', () => mergeSettings({ net: { timeout: 10 } }, { net: { timeout: -1 } })],
  ['flow-iteratee', () => new Catalog([{ price: '1.0' }, { price: 'n/a' }]).ranked()],
  ['group-iteratee', () => new Catalog([{ category: { name: 'x' } }, { category: null }]).byCategory()],
  ['memoize-arg', () => cachedLookup('not a function')],
  ['template-data', () => renderGreeting({})],
]);
