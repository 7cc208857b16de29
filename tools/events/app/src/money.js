// Money helpers: prices are integer cents, never floats.

export const toCents = (amount) => Math.round(Number(amount) * 100);

export function formatPrice(cents, currency) {
  if (!Number.isInteger(cents)) {
    throw new TypeError(`price must be whole cents, got ${cents}`);
  }
  const units = (cents / 100).toFixed(2);
  return `${units} ${currency}`;
}
