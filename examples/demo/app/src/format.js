// Money formatting helpers for the demo shop.

const CURRENCY_SYMBOLS = {
  EUR: "\u20ac",
  GBP: "\u00a3",
  USD: "$",
};

export const moneyFormatter = {
  currency: "EUR",

  symbol() {
    return CURRENCY_SYMBOLS[this.currency] || this.currency + " ";
  },

  formatMoney(cents) {
    const sign = cents < 0 ? "-" : "";
    const abs = Math.abs(cents);
    const whole = Math.floor(abs / 100);
    const fraction = String(abs % 100).padStart(2, "0");
    return `${sign}${this.symbol()}${whole}.${fraction}`;
  },
};

export function formatLine(label, cents, width = 28) {
  const amount = moneyFormatter.formatMoney(cents);
  const dots = ".".repeat(Math.max(2, width - label.length - amount.length));
  return `${label}${dots}${amount}`;
}
