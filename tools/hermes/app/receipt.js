'use strict';

function formatPrice(cents) {
  if (typeof cents !== 'number') {
    throw new TypeError('price missing: ' + cents);
  }
  return (cents / 100).toFixed(2);
}

const formatters = {
  line(item) {
    return item.sku + ' x' + item.qty + ' ' + formatPrice(item.price);
  },
};

function formatReceipt(cart) {
  return cart.map(item => formatters.line(item)).join('\n');
}

module.exports = {formatReceipt};
