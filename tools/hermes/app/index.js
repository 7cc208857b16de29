'use strict';
const {checkout} = require('./checkout');
const {formatReceipt} = require('./receipt');

function main() {
  const cart = [{sku: 'A-1', price: 1200, qty: 2}, {sku: 'B-7', price: 350, qty: 1}];
  try {
    checkout(cart, 'BROKEN');
  } catch (e) {
    print(e.stack);
  }
  try {
    print(formatReceipt(cart.concat([{sku: 'C-3', price: null, qty: 1}])));
  } catch (e) {
    print(e.stack);
  }
}

main();
