// The errors the fixtures capture, one per run; `report` is the SDK's captureException.
import { Cart } from './cart.js';
import { Checkout, CheckoutError } from './checkout.js';

function demoCart() {
  return new Cart('EUR').add('tea-green', '4.50', 2).add('tea-black', '6.20', 1);
}

// Thrown synchronously through a class method, a plain function and an arrow; the app
// catches it and reports it itself (a handled error).
export function thrown(report) {
  const checkout = new Checkout(demoCart());
  try {
    console.log(checkout.summary('SUMMER99'));
  } catch (error) {
    report(error);
  }
}

// An async function rejects after two awaits; nobody handles the promise, so the SDK's
// unhandled-rejection hook reports it.
export function rejected() {
  const cart = demoCart().add('mug-blue', '9.00', 1);
  new Checkout(cart).placeOrder();
}

// Thrown inside a callback that the library-like helper calls, from a timer; uncaught, so
// the SDK's global error hook reports it.
export function callback() {
  const cart = demoCart().add('', '1.00', 1);
  setTimeout(function onValidateTimer() {
    new Checkout(cart).validateLines();
  }, 0);
}

// A RangeError from the cart's arrow, wrapped by the checkout in an error with a `cause`: the
// SDK's linked-errors integration sends both, so the event has two exception values.
export function caused(report) {
  const checkout = new Checkout(demoCart().add('tea-green', '4.50', 0));
  try {
    checkout.summary();
  } catch (error) {
    report(new CheckoutError('cannot price the cart', 'pricing', { cause: error }));
  }
}

export const SCENARIOS = { thrown, rejected, callback, caused };
