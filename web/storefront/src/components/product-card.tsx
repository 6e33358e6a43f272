import { useEffect } from 'react';
import { Link } from 'wouter';
import type { ProductSummary } from '../api.js';
import { useT } from '../i18n.js';
import { track } from '../tracking.js';
import { PriceTag } from './price.js';

const asItem = (product: ProductSummary, index: number) => ({
  item_id: product.id,
  item_name: product.title,
  index,
  ...(product.price ? { price: product.price.amount, currency: product.price.currency_code } : {}),
});

export function ProductCard({ product, onSelect }: { product: ProductSummary; onSelect?: () => void }) {
  const t = useT();
  return (
    <li className="card" data-testid="product-card">
      <Link href={`/products/${product.handle}`} className="card__link" onClick={onSelect}>
        <div className="card__media">
          {product.thumbnail ? (
            <img src={product.thumbnail} alt="" loading="lazy" width={320} height={320} />
          ) : (
            <span className="card__placeholder" aria-hidden="true">
              {product.title.slice(0, 1)}
            </span>
          )}
        </div>
        <h3 className="card__title">{product.title}</h3>
      </Link>
      <div className="card__meta">
        {product.variant_count > 1 && product.price && <small>{t('price.from')} </small>}
        <PriceTag price={product.price} />
        {!product.in_stock && <span className="badge badge--out">{t('stock.out')}</span>}
      </div>
    </li>
  );
}

/**
 * A grid of products. With a `list` name it reports `view_item_list` for each batch of products
 * shown (a first page, then each "load more") and `select_item` when one is opened.
 */
export function ProductGrid({ products, list }: { products: ProductSummary[]; list?: string }) {
  const ids = products.map((p) => p.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ids name the products shown
  useEffect(() => {
    if (!list || products.length === 0) return;
    const seen = shown.get(list) ?? new Set<string>();
    const fresh = products.map(asItem).filter((item) => !seen.has(item.item_id));
    shown.set(list, new Set([...seen, ...fresh.map((i) => i.item_id)]));
    // The tracker takes at most 200 items an event; a listing page shows 24 at a time.
    if (fresh.length > 0) track('view_item_list', { item_list_id: list, items: fresh.slice(0, 200) });
  }, [list, ids]);
  // Leaving the list forgets it: coming back is a new view.
  useEffect(
    () => () => {
      if (list) shown.delete(list);
    },
    [list],
  );
  return (
    <ul className="grid">
      {products.map((product, index) => (
        <ProductCard
          key={product.id}
          product={product}
          onSelect={
            list
              ? () => track('select_item', { item_list_id: list, items: [asItem(product, index)] })
              : undefined
          }
        />
      ))}
    </ul>
  );
}

/** Products of a list already reported, so "load more" reports only the new ones. */
const shown = new Map<string, Set<string>>();
