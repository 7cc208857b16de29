// A shopping cart holding line items priced in integer cents.

export class LineItem {
  constructor(sku, unitPrice, quantity) {
    if (!Number.isInteger(unitPrice) || unitPrice < 0) {
      throw new TypeError("unit price must be a non-negative integer of cents");
    }
    this.sku = sku;
    this.unitPrice = unitPrice;
    this.quantity = quantity;
  }

  get lineTotal() {
    return this.unitPrice * this.quantity;
  }
}

export class Cart {
  constructor(customer, region) {
    this.customer = customer;
    this.region = region;
    this.items = new Map();
  }

  addItem(sku, unitPrice, quantity = 1) {
    const existing = this.items.get(sku);
    if (existing) {
      existing.quantity += quantity;
    } else {
      this.items.set(sku, new LineItem(sku, unitPrice, quantity));
    }
    return this;
  }

  removeItem(sku) {
    this.items.delete(sku);
    return this;
  }

  get itemCount() {
    let count = 0;
    for (const item of this.items.values()) count += item.quantity;
    return count;
  }

  total() {
    let sum = 0;
    for (const item of this.items.values()) sum += item.lineTotal;
    return sum;
  }
}
