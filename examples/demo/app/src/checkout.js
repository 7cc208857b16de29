// Turns a cart into a priced receipt.

import { applyCoupon, taxFor } from "./pricing.js";
import { formatLine } from "./format.js";

function priceCart(cart, coupon, today) {
  const subtotal = cart.total();
  const discounted = applyCoupon(subtotal, coupon, today);
  const tax = taxFor(discounted, cart.region);
  return { subtotal, discounted, tax, grandTotal: discounted + tax };
}

function renderReceipt(cart, prices) {
  const lines = [`Receipt for ${cart.customer} (${cart.itemCount} items)`];
  for (const item of cart.items.values()) {
    lines.push(formatLine(`${item.quantity} x ${item.sku}`, item.lineTotal));
  }
  lines.push(formatLine("Subtotal", prices.subtotal));
  if (prices.discounted !== prices.subtotal) {
    lines.push(formatLine("Discount", prices.discounted - prices.subtotal));
  }
  lines.push(formatLine("Tax", prices.tax));
  lines.push(formatLine("Total", prices.grandTotal));
  return lines.join("\n");
}

export async function checkout(cart, coupon, today = "2024-03-15") {
  if (cart.itemCount === 0) {
    throw new Error("cannot check out an empty cart");
  }
  // Pretend to reserve stock before pricing the order.
  await Promise.resolve();
  const prices = priceCart(cart, coupon, today);
  return { prices, receipt: renderReceipt(cart, prices) };
}
