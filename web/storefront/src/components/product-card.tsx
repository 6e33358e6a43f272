import { Link } from 'wouter';
import type { ProductSummary } from '../api.js';
import { useT } from '../i18n.js';
import { PriceTag } from './price.js';

export function ProductCard({ product }: { product: ProductSummary }) {
  const t = useT();
  return (
    <li className="card" data-testid="product-card">
      <Link href={`/products/${product.handle}`} className="card__link">
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

export function ProductGrid({ products }: { products: ProductSummary[] }) {
  return (
    <ul className="grid">
      {products.map((product) => (
        <ProductCard key={product.id} product={product} />
      ))}
    </ul>
  );
}
