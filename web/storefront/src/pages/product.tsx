import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { api, CSRF_KEY, type Product, type Variant } from '../api.js';
import { useCart } from '../cart.js';
import { PriceTag } from '../components/price.js';
import { embedded as embeddedData } from '../embedded.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';
import { track } from '../tracking.js';

const ModelViewer = lazy(() =>
  import('../components/model-viewer.js').then((m) => ({ default: m.ModelViewer })),
);

/** What the server embedded for this URL (see src/modules/storefront-web), so the first paint needs no fetch. */
function embedded(handle: string): { key: string; data: Product } | undefined {
  const seed = embeddedData<{
    handle: string;
    region_param: string | null;
    locale: string;
    product: Product;
  }>('stratus-product');
  if (!seed || seed.handle !== handle) return undefined;
  return { key: `${handle}|${seed.region_param ?? undefined}|${seed.locale}`, data: seed.product };
}

const purchasable = (v: Variant) => Boolean(v.price && v.availability?.in_stock);
const matches = (v: Variant, selection: Record<string, string>) =>
  Object.entries(selection).every(([name, value]) => v.options[name] === value);

export function ProductPage({ handle }: { handle: string }) {
  const t = useT();
  const { locale, regionParam } = useShop();
  // The embedded product carries guest prices; a signed-in shopper may have member prices (their
  // customer group's price list), so their page asks the API, which prices it for them.
  const [seed] = useState(() => (localStorage.getItem(CSRF_KEY) ? undefined : embedded(handle)));
  const product = useLoad(
    `${handle}|${regionParam}|${locale}`,
    () =>
      api<Product>(`/store/products/${encodeURIComponent(handle)}`, {
        query: { region_id: regionParam, locale },
      }),
    seed,
  );
  if (product.state === 'error')
    return (
      <main className="product">
        <h1>{t('product.notFound')}</h1>
      </main>
    );
  if (!product.data) return <main className="product" aria-busy="true" />;
  return <ProductView product={product.data} />;
}

function ProductView({ product }: { product: Product }) {
  const t = useT();
  const cart = useCart();
  const initial = product.variants.find(purchasable) ?? product.variants[0];
  const [selection, setSelection] = useState<Record<string, string>>(() => ({ ...(initial?.options ?? {}) }));
  const [quantity, setQuantity] = useState(1);
  const [message, setMessage] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    document.title = `${product.title} | Stratus`;
  }, [product.title]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one view per product shown, not per re-price
  useEffect(() => {
    const price = initial?.price;
    track('view_item', {
      currency: product.currency_code,
      value: price?.amount ?? 0,
      region_id: product.region_id,
      items: [
        {
          item_id: product.id,
          item_name: product.title,
          ...(initial ? { item_variant: initial.id } : {}),
          ...(price ? { price: price.amount, currency: price.currency_code } : {}),
          quantity: 1,
        },
      ],
    });
  }, [product.id]);

  const variant = product.variants.find((v) =>
    product.options.every((o) => v.options[o.name] === selection[o.name]),
  );
  /** A value is offered when some variant with it (and the other chosen values) exists and can be bought. */
  const selectable = useMemo(
    () => (name: string, value: string) =>
      product.variants.some((v) => purchasable(v) && matches(v, { ...selection, [name]: value })),
    [product.variants, selection],
  );
  const exists = (name: string, value: string) =>
    product.variants.some((v) => matches(v, { ...selection, [name]: value }));

  const images = product.media.filter((m) => m.kind === 'image');
  const [shown, setShown] = useState(0);
  const model = product.media.find((m) => m.kind === 'model' && m.format !== 'usdz');
  const iosModel = product.media.find((m) => m.kind === 'model' && m.format === 'usdz');
  const stock = variant?.availability;
  const canBuy = Boolean(variant && purchasable(variant));

  async function add() {
    if (!variant || !canBuy) return;
    setAdding(true);
    setMessage(null);
    try {
      await cart.add(variant.id, quantity);
      cart.openDrawer();
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setAdding(false);
    }
  }

  return (
    <main className="product" data-product-id={product.id}>
      <div className="product__gallery">
        {images.length > 0 ? (
          <>
            <img
              className="product__image"
              src={images[shown]?.url}
              alt={images[shown]?.alt ?? product.title}
              width={640}
              height={640}
              fetchPriority="high"
            />
            {images.length > 1 && (
              <ul className="product__thumbs">
                {images.map((image, index) => (
                  <li key={image.url}>
                    <button
                      type="button"
                      onClick={() => setShown(index)}
                      aria-label={t('product.showImage', { n: index + 1 })}
                      aria-pressed={index === shown}
                    >
                      <img src={image.url} alt="" width={72} height={72} loading="lazy" />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : (
          <div className="product__placeholder" aria-hidden="true">
            {product.title.slice(0, 1)}
          </div>
        )}
        {model && (
          <Suspense fallback={null}>
            <ModelViewer model={model} iosModel={iosModel} poster={images[0]?.url} alt={product.title} />
          </Suspense>
        )}
      </div>
      <div className="product__info">
        <h1 className="product__title">{product.title}</h1>
        {product.subtitle && <p className="product__subtitle">{product.subtitle}</p>}
        <PriceTag price={variant?.price ?? null} taxNote />
        {product.options.map((option) => (
          <fieldset key={option.name} className="picker">
            <legend>{option.name}</legend>
            {option.values.map((value) => {
              const chosen = selection[option.name] === value;
              const offered = selectable(option.name, value);
              return (
                <button
                  key={value}
                  type="button"
                  className={chosen ? 'picker__value picker__value--chosen' : 'picker__value'}
                  aria-pressed={chosen}
                  disabled={!offered}
                  title={
                    offered
                      ? undefined
                      : exists(option.name, value)
                        ? t('stock.out')
                        : t('product.combinationUnavailable')
                  }
                  onClick={() => setSelection(pickValue(product, selection, option.name, value))}
                >
                  {value}
                </button>
              );
            })}
          </fieldset>
        ))}
        <p className="stock" data-testid="stock-state">
          {!variant
            ? t('product.chooseOptions')
            : !stock
              ? t('stock.unknown')
              : stock.in_stock
                ? stock.tracked && stock.available > 0 && stock.available <= 5
                  ? t('stock.low', { count: stock.available })
                  : stock.available <= 0 && stock.preorder
                    ? t('stock.preorder')
                    : stock.available <= 0 && stock.backorder
                      ? t('stock.backorder')
                      : t('stock.in')
                : t('stock.out')}
        </p>
        <div className="product__buy">
          <label>
            <span className="sr-only">{t('cart.quantity')}</span>
            <input
              type="number"
              min={1}
              max={99}
              value={quantity}
              aria-label={t('cart.quantity')}
              onChange={(event) => setQuantity(Math.max(1, Math.min(99, Number(event.target.value) || 1)))}
            />
          </label>
          <button
            type="button"
            className="button button--primary"
            disabled={!canBuy || adding}
            onClick={add}
            data-testid="add-to-cart"
          >
            {canBuy ? t('product.addToCart') : t('stock.out')}
          </button>
        </div>
        {message && <p role="alert">{message}</p>}
        {product.description && <div className="product__description">{product.description}</div>}
        {product.attributes.length > 0 && (
          <dl className="product__attributes">
            {product.attributes.map((a) => (
              <div key={a.key}>
                <dt>{a.key.replace(/_/g, ' ')}</dt>
                <dd>{String(a.value)}</dd>
              </div>
            ))}
          </dl>
        )}
        {/* Filled by the reviews and recommendations modules when they land. */}
        <section className="slot" data-slot="reviews" aria-label={t('product.reviews')} />
        <section className="slot" data-slot="recommendations" aria-label={t('home.recommendations')} />
      </div>
    </main>
  );
}

/** Choosing a value keeps the other choices when that combination exists; otherwise it moves to one that does. */
function pickValue(product: Product, selection: Record<string, string>, name: string, value: string) {
  const next = { ...selection, [name]: value };
  if (product.variants.some((v) => purchasable(v) && matches(v, next))) return next;
  const fallback = product.variants.find((v) => purchasable(v) && v.options[name] === value);
  return fallback ? { ...fallback.options } : next;
}
