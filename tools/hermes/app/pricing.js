'use strict';

const applyCoupon = (amount, coupon) => {
  if (coupon === 'BROKEN') {
    throw new Error('coupon ' + coupon + ' cannot be applied');
  }
  return amount;
};

function priceCart(cart, coupon) {
  const subtotal = cart.reduce((sum, line) => sum + line.price * line.qty, 0);
  return applyCoupon(subtotal, coupon);
}

module.exports = {priceCart};
