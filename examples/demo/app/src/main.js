// Demo entry point: a happy-path checkout, then one with an expired coupon.
// The second checkout rejects and nothing catches it, so the process
// reports the error with its stack trace.

import { Cart } from "./cart.js";
import { checkout } from "./checkout.js";

function buildCart(customer) {
  return new Cart(customer, "de")
    .addItem("tea-sencha-100g", 1250, 2)
    .addItem("mug-stoneware", 1899)
    .addItem("honey-wildflower", 799, 3);
}

async function main() {
  const first = await checkout(buildCart("Ada"), "WELCOME10");
  console.log(first.receipt);
  console.log();

  const second = await checkout(buildCart("Grace"), "SPRING");
  console.log(second.receipt);
}

main();
