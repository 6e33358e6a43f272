import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { type Cart, lineItem, tracked, useCart } from '../cart.js';
import { formatMoney } from '../format.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';
import { track } from '../tracking.js';

/** Reports `view_cart` once each time the cart is shown (page or drawer) with lines in it. */
function useViewCart(shown: boolean) {
  const { cart } = useCart();
  const ready = shown && Boolean(cart && cart.items.length > 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one event per showing, not per change
  useEffect(() => {
    if (ready && cart)
      track(
        'view_cart',
        tracked(
          cart,
          cart.items.map((line) => lineItem(cart, line)),
        ),
      );
  }, [ready]);
}

/** Lines, quantities, discount code and the server's totals: shared by the drawer and the cart page. */
export function CartView({ compact = false }: { compact?: boolean }) {
  const t = useT();
  const { locale } = useShop();
  const cart = useCart();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const money = (amount: number) => formatMoney(amount, cart.cart?.currency_code ?? 'usd', locale);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!cart.cart || cart.cart.items.length === 0) return <p data-testid="cart-empty">{t('cart.empty')}</p>;
  const c = cart.cart;
  return (
    <div className="cart" aria-busy={busy}>
      <ul className="cart__lines">
        {c.items.map((line) => (
          <li key={line.id} className="cart__line" data-testid="cart-line">
            <div>
              <Link
                href={`/products/${line.product_id}`}
                onClick={cart.closeDrawer}
                data-testid="line-product"
              >
                <strong>{line.product_title}</strong>
              </Link>
              {line.title && line.title !== line.product_title && <small> · {line.title}</small>}
              <div>{money(line.unit_price)}</div>
            </div>
            <div className="cart__qty">
              <button
                type="button"
                aria-label={t('cart.decrease')}
                disabled={busy}
                onClick={() =>
                  run(() =>
                    line.quantity > 1 ? cart.setQuantity(line.id, line.quantity - 1) : cart.remove(line.id),
                  )
                }
              >
                −
              </button>
              <span data-testid="line-quantity">{line.quantity}</span>
              <button
                type="button"
                aria-label={t('cart.increase')}
                disabled={busy}
                onClick={() => run(() => cart.setQuantity(line.id, line.quantity + 1))}
              >
                +
              </button>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => run(() => cart.remove(line.id))}
              >
                {t('cart.remove')}
              </button>
            </div>
            <span className="cart__line-total">{money(line.total)}</span>
          </li>
        ))}
      </ul>
      {!compact && <DiscountForm cart={c} run={run} busy={busy} />}
      {error && <p role="alert">{error}</p>}
      <Totals cart={c} />
    </div>
  );
}

function DiscountForm({
  cart,
  run,
  busy,
}: {
  cart: Cart;
  run: (a: () => Promise<void>) => Promise<void>;
  busy: boolean;
}) {
  const t = useT();
  const { applyCode, removeCode } = useCart();
  const [code, setCode] = useState('');
  return (
    <div className="discount">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (code.trim()) run(() => applyCode(code.trim()).then(() => setCode('')));
        }}
      >
        <input
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder={t('cart.discountCode')}
          aria-label={t('cart.discountCode')}
        />
        <button type="submit" className="button" disabled={busy || !code.trim()}>
          {t('cart.apply')}
        </button>
      </form>
      {cart.discount_codes.map((applied) => (
        <span key={applied} className="chip" data-testid="applied-code">
          {applied}{' '}
          <button
            type="button"
            className="link"
            aria-label={t('cart.removeCode', { code: applied })}
            onClick={() => run(() => removeCode(applied))}
          >
            ×
          </button>
        </span>
      ))}
    </div>
  );
}

export function Totals({ cart }: { cart: Cart }) {
  const t = useT();
  const { locale } = useShop();
  const money = (amount: number) => formatMoney(amount, cart.currency_code, locale);
  return (
    <dl className="totals" data-testid="totals">
      <div>
        <dt>{t('totals.subtotal')}</dt>
        <dd>{money(cart.subtotal)}</dd>
      </div>
      {cart.discount_total > 0 && (
        <div>
          <dt>{t('totals.discount')}</dt>
          <dd data-testid="discount-total">−{money(cart.discount_total)}</dd>
        </div>
      )}
      <div>
        <dt>{t('totals.shipping')}</dt>
        <dd>{money(cart.shipping_total)}</dd>
      </div>
      <div>
        <dt>{cart.tax_inclusive ? t('totals.taxIncluded') : t('totals.tax')}</dt>
        <dd>{money(cart.tax_total)}</dd>
      </div>
      <div className="totals__grand">
        <dt>{t('totals.total')}</dt>
        <dd data-testid="grand-total" data-amount={cart.total}>
          {money(cart.total)}
        </dd>
      </div>
    </dl>
  );
}

export function CartDrawer() {
  const t = useT();
  const cart = useCart();
  useViewCart(cart.drawerOpen);
  if (!cart.drawerOpen) return null;
  return (
    <div
      className="drawer"
      role="dialog"
      aria-modal="true"
      aria-label={t('cart.title')}
      data-testid="cart-drawer"
    >
      <button
        type="button"
        className="drawer__backdrop"
        aria-label={t('common.close')}
        onClick={cart.closeDrawer}
      />
      <aside className="drawer__panel">
        <header className="drawer__header">
          <h2>{t('cart.title')}</h2>
          <button type="button" className="link" onClick={cart.closeDrawer}>
            {t('common.close')}
          </button>
        </header>
        <CartView compact />
        {cart.count > 0 && (
          <div className="drawer__actions">
            <Link href="/cart" className="button" onClick={cart.closeDrawer}>
              {t('cart.view')}
            </Link>
            <Link href="/checkout" className="button button--primary" onClick={cart.closeDrawer}>
              {t('cart.checkout')}
            </Link>
          </div>
        )}
      </aside>
    </div>
  );
}

export function CartButton() {
  const t = useT();
  const cart = useCart();
  return (
    <button type="button" className="header__cart" onClick={cart.openDrawer} data-testid="cart-button">
      {t('cart.title')} <span className="badge">{cart.count}</span>
    </button>
  );
}

export function CartPage() {
  const t = useT();
  const cart = useCart();
  useViewCart(true);
  return (
    <main className="cart-page">
      <h1>{t('cart.title')}</h1>
      <CartView />
      {cart.count > 0 && (
        <Link href="/checkout" className="button button--primary">
          {t('cart.checkout')}
        </Link>
      )}
    </main>
  );
}
