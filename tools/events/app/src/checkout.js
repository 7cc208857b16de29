import { formatPrice } from './money.js';
import { reserveStock } from './inventory.js';
import { eachInBatches } from './lib/batch.js';

const COUPONS = { WELCOME10: 10, SPRING25: 25 };

export class CheckoutError extends Error {
  constructor(message, step, options) {
    super(message, options);
    this.name = 'CheckoutError';
    this.step = step;
  }
}

function discountFor(code) {
  const percent = COUPONS[code];
  if (percent === undefined) {
    throw new CheckoutError(`coupon ${code} is not valid`, 'coupon');
  }
  return percent;
}

export class Checkout {
  constructor(cart) {
    this.cart = cart;
  }

  applyCoupon(cents, code) {
    const percent = discountFor(code);
    return cents - Math.floor((cents * percent) / 100);
  }

  summary(code) {
    const subtotal = this.cart.subtotal();
    const total = code ? this.applyCoupon(subtotal, code) : subtotal;
    return formatPrice(total, this.cart.currency);
  }

  async placeOrder() {
    const reserved = await reserveStock(this.cart.lines);
    return { reserved, total: this.summary() };
  }

  validateLines() {
    let checked = 0;
    eachInBatches(this.cart.lines, 2, (line, index) => {
      if (typeof line.sku !== 'string' || line.sku.length === 0) {
        throw new TypeError(`line ${index} has no sku`);
      }
      checked += 1;
    });
    return checked;
  }
}
