// zod: ZodErrors from schema validation, and user refinements/transforms that throw from
// deep inside zod's parse pipeline (sync and async).
import { z } from 'zod';
import { runCases } from './harness.js';

const Address = z.object({
  street: z.string(),
  zip: z.string().regex(/^\d{5}$/),
});

const User = z.object({
  name: z.string().min(1),
  age: z.number().int().nonnegative(),
  addresses: z.array(Address),
});

function validateUser(input) {
  const user = User.parse(input);
  return user.name;
}

function importUsers(rows) {
  return rows.map((row) => validateUser(row));
}

const Slug = z.string().refine((value) => {
  if (value.includes(' ')) throw new Error(`slug has spaces: "${value}"`);
  return true;
});

const Money = z.string().transform(function toCents(text) {
  const [whole, cents = '0'] = text.split('.');
  if (cents.length > 2) throw new RangeError(`too many decimals in ${text}`);
  return Number(whole) * 100 + Number(cents);
});

class OrderService {
  constructor() {
    this.schema = z.object({ id: Slug, total: Money });
  }

  submit(order) {
    return this.schema.parse(order);
  }
}

const Username = z.string().refine(async (name) => {
  await Promise.resolve();
  if (name === 'root') throw new Error('reserved username: root');
  return true;
});

async function registerAccount(name) {
  const checked = await Username.parseAsync(name);
  return { name: checked };
}

runCases('zod', [
  ['nested-invalid', () => importUsers([{ name: 'ada', age: 36, addresses: [{ street: 'Main', zip: 'abc' }] }])],
  ['refine-throws', () => new OrderService().submit({ id: 'big order', total: '1.50' })],
  ['transform-throws', () => new OrderService().submit({ id: 'order-1', total: '1.505' })],
  ['async-refine', () => registerAccount('root')],
  ['wrong-type', () => Address.parse(42)],
]);
