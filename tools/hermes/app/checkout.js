'use strict';
const {priceCart} = require('./pricing');

function Checkout(cart) {
  this.cart = cart;
}

Checkout.prototype.total = function total(coupon) {
  return priceCart(this.cart, coupon);
};

function checkout(cart, coupon) {
  const session = new Checkout(cart);
  const total = session.total(coupon);
  return {total, items: cart.length};
}

module.exports = {checkout};
