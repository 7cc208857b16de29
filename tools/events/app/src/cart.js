import { toCents } from './money.js';

const lineTotal = (line) => {
  if (!(line.quantity > 0)) {
    throw new RangeError(`bad quantity ${line.quantity} for ${line.sku}`);
  }
  return toCents(line.unitPrice) * line.quantity;
};

export class Cart {
  constructor(currency) {
    this.currency = currency;
    this.lines = [];
  }

  add(sku, unitPrice, quantity) {
    this.lines.push({ sku, unitPrice, quantity });
    return this;
  }

  subtotal() {
    let cents = 0;
    for (const line of this.lines) {
      cents += lineTotal(line);
    }
    return cents;
  }
}
