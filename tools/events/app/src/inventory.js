// Stock checks against a (simulated) remote service: asynchronous, like a fetch.

const STOCK = { 'tea-green': 12, 'tea-black': 4, 'mug-blue': 0 };

function later(value) {
  return new Promise((resolve) => setTimeout(() => resolve(value), 5));
}

async function lookupStock(sku) {
  const available = await later(STOCK[sku]);
  if (available === undefined) {
    throw new Error(`unknown sku ${sku}`);
  }
  return available;
}

export async function reserveStock(lines) {
  const reserved = [];
  for (const line of lines) {
    const available = await lookupStock(line.sku);
    if (available < line.quantity) {
      throw new Error(`out of stock: ${line.sku} (wanted ${line.quantity}, have ${available})`);
    }
    reserved.push(line.sku);
  }
  return reserved;
}
