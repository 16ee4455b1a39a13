import fs from 'node:fs';
import { z } from 'zod';
import { builtinPrices, type Price } from '../../core/model/prices.ts';

const PriceFile = z.record(
  z.string(),
  z.object({ input: z.number().min(0), cachedInput: z.number().min(0), output: z.number().min(0) }),
);

/** The built-in price table, extended (and overridden) by PATCHWRIGHT_PRICES_FILE. */
export function loadPrices(file: string | undefined): Record<string, Price> {
  if (!file) return builtinPrices;
  const parsed = PriceFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...builtinPrices, ...parsed.data };
}
