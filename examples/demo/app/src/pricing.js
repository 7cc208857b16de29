// Coupons, tax and rounding rules.

const COUPONS = {
  WELCOME10: { percentOff: 10, validUntil: "2099-12-31" },
  SPRING: { percentOff: 25, validUntil: "2021-05-31" },
  FREESHIP: { percentOff: 0, validUntil: "2099-12-31" },
};

const TAX_RATES = {
  de: 0.19,
  fr: 0.2,
  uk: 0.2,
  us: 0.0725,
};

export function roundCents(value) {
  // Banker's rounding keeps repeated roundings from drifting upwards.
  const floored = Math.floor(value);
  const diff = value - floored;
  if (diff > 0.5) return floored + 1;
  if (diff < 0.5) return floored;
  return floored % 2 === 0 ? floored : floored + 1;
}

function lookupCoupon(code) {
  const coupon = COUPONS[code.toUpperCase()];
  if (!coupon) {
    throw new Error("unknown coupon: " + code);
  }
  return coupon;
}

export function applyCoupon(subtotal, code, today) {
  if (!code) return subtotal;
  const coupon = lookupCoupon(code);
  if (coupon.validUntil < today) {
    throw new Error("coupon expired: " + code);
  }
  const discount = roundCents((subtotal * coupon.percentOff) / 100);
  return subtotal - discount;
}

export const taxFor = (amount, region) => {
  const rate = TAX_RATES[region];
  if (rate === undefined) {
    throw new RangeError(`no tax rate for region "${region}"`);
  }
  return roundCents(amount * rate);
};
