import { AppError } from '../../platform/http/errors.js';
import { assertAmount, currencyCode } from '../../platform/money/index.js';
import { CatalogErrors } from './catalog.errors.js';
import type { ProductCreate, ProductUpdate, VariantInput } from './catalog.schemas.js';

export interface FieldProblem {
  field: string;
  message: string;
}

type ProductShape = Pick<ProductCreate, 'options' | 'media' | 'attributes'> & ProductUpdate;

/** Pure checks of the rules a JSON schema cannot say; returns every problem, not just the first. */
export function productProblems(
  product: ProductShape,
  variants: VariantInput[],
  prefix = 'body',
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const options = product.options ?? [];
  const names = new Set<string>();
  options.forEach((option, i) => {
    if (names.has(option.name))
      problems.push({ field: `${prefix}.options[${i}].name`, message: 'is repeated' });
    names.add(option.name);
    if (new Set(option.values).size !== option.values.length)
      problems.push({ field: `${prefix}.options[${i}].values`, message: 'has repeated values' });
  });
  if (options.length === 0 && variants.length > 1)
    problems.push({
      field: `${prefix}.options`,
      message: 'are required when a product has more than one variant',
    });
  const combos = new Set<string>();
  const skus = new Set<string>();
  variants.forEach((variant, i) => {
    const field = `${prefix}.variants[${i}]`;
    problems.push(...variantOptionProblems(options, variant.options ?? {}, `${field}.options`));
    const combo = JSON.stringify(options.map((o) => variant.options?.[o.name] ?? ''));
    if (combos.has(combo))
      problems.push({ field: `${field}.options`, message: 'repeat another variant’s options' });
    combos.add(combo);
    if (variant.sku) {
      if (skus.has(variant.sku))
        problems.push({ field: `${field}.sku`, message: 'is repeated in this product' });
      skus.add(variant.sku);
    }
  });
  (product.media ?? []).forEach((media, i) => {
    const field = `${prefix}.media[${i}]`;
    if (media.kind === 'model') {
      if (!media.format)
        problems.push({
          field: `${field}.format`,
          message: 'is required for a 3D/AR model (gltf, glb or usdz)',
        });
      else if (!new URL(media.url).pathname.toLowerCase().endsWith(`.${media.format}`))
        problems.push({ field: `${field}.url`, message: `must point to a .${media.format} file` });
    } else if (media.format) {
      problems.push({ field: `${field}.format`, message: 'applies to models only' });
    }
  });
  const keys = new Set<string>();
  (product.attributes ?? []).forEach((attribute, i) => {
    const field = `${prefix}.attributes[${i}]`;
    if (keys.has(attribute.key)) problems.push({ field: `${field}.key`, message: 'is repeated' });
    keys.add(attribute.key);
    const { type, value } = attribute;
    const ok =
      (type === 'text' && typeof value === 'string' && value.length <= 2000) ||
      (type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
      (type === 'boolean' && typeof value === 'boolean') ||
      (type === 'date' &&
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(value)));
    if (!ok)
      problems.push({
        field: `${field}.value`,
        message: `must be a ${type === 'date' ? 'YYYY-MM-DD date' : type}`,
      });
  });
  return problems;
}

export function variantOptionProblems(
  options: Array<{ name: string; values: string[] }>,
  values: Record<string, string>,
  field: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const option of options) {
    const value = values[option.name];
    if (value === undefined) problems.push({ field, message: `lacks a value for option "${option.name}"` });
    else if (!option.values.includes(value))
      problems.push({ field, message: `"${value}" is not a value of option "${option.name}"` });
  }
  for (const name of Object.keys(values)) {
    if (!options.some((o) => o.name === name))
      problems.push({ field, message: `"${name}" is not an option of this product` });
  }
  return problems;
}

/** Canonical prices; throws UNKNOWN_CURRENCY / INVALID_AMOUNT (400) naming the field. */
export function normalisePrices(
  prices: Array<{ currency_code: string; amount: number }>,
  field: string,
): Array<{ currency_code: string; amount: number }> {
  const seen = new Set<string>();
  return prices.map((price, i) => {
    const code = currencyCode(price.currency_code);
    assertAmount(price.amount, { field: `${field}[${i}].amount` });
    if (seen.has(code))
      throw new AppError(CatalogErrors.INVALID_PRODUCT, `Currency ${code} is given twice`, [
        { field: `${field}[${i}].currency_code`, message: 'is repeated' },
      ]);
    seen.add(code);
    return { currency_code: code, amount: price.amount };
  });
}

export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[łŁ]/g, 'l')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 180) || 'product'
  );
}

export function defaultVariantTitle(options: Record<string, string>, order: Array<{ name: string }>): string {
  const parts = order.map((o) => options[o.name]).filter(Boolean);
  return parts.length > 0 ? parts.join(' / ') : 'Default';
}
