import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useAccount } from '../account.js';
import { ApiError, api } from '../api.js';
import { type Cart, lineItem, tracked, useCart } from '../cart.js';
import { Totals } from '../components/cart-view.js';
import { formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';
import { track } from '../tracking.js';
import { confirmCard, mountCard, stripeConfig } from './stripe.js';

interface Address {
  first_name: string;
  last_name: string;
  address_1: string;
  city: string;
  postal_code: string;
  country_code: string;
  phone?: string;
}
interface ShippingOption {
  id: string;
  name: string;
  /** For this cart: free-above and weight brackets already applied by the server. */
  price: number;
}
interface Order {
  id: string;
  display_number: string;
  email: string;
  currency_code: string;
  total: number;
}

type Step = 'details' | 'shipping' | 'payment' | 'review';
const STEPS: Step[] = ['details', 'shipping', 'payment', 'review'];
const emptyAddress = (country: string): Address => ({
  first_name: '',
  last_name: '',
  address_1: '',
  city: '',
  postal_code: '',
  country_code: country,
});

/**
 * One key per cart for "Place order": a retry, a double click or a second tab sends the same key,
 * so the server completes the cart once and answers every attempt with the same order.
 */
function idempotencyKey(cartId: string): string {
  const name = `stratus.checkout.${cartId}`;
  let key = sessionStorage.getItem(name);
  if (!key) {
    key = crypto.randomUUID();
    sessionStorage.setItem(name, key);
  }
  return key;
}

export function CheckoutPage() {
  const t = useT();
  const { locale, region } = useShop();
  const cart = useCart();
  const [, navigate] = useLocation();
  const [step, setStep] = useState<Step>('details');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const c = cart.cart;
  const country = region?.countries[0] ?? 'us';
  const { customer, call } = useAccount();
  const [email, setEmail] = useState(c?.email ?? customer?.email ?? '');
  // A signed-in customer's orders go to their account email unless they type another.
  useEffect(() => {
    if (customer) setEmail((current) => current || customer.email);
  }, [customer]);
  const [address, setAddress] = useState<Address>(() => emptyAddress(country));
  // A signed-in customer starts from their default saved address (or the first one) in this region.
  useEffect(() => {
    if (!customer || !region) return;
    let live = true;
    call<{ data: Array<Record<string, string | boolean | null>> }>('/store/customers/me/addresses')
      .then(({ data }) => {
        const usable = data.filter((a) => region.countries.includes(String(a.country_code)));
        const saved = usable.find((a) => a.is_default) ?? usable[0];
        if (!live || !saved) return;
        const text = (key: string) => (typeof saved[key] === 'string' ? (saved[key] as string) : '');
        setAddress((current) =>
          current.address_1
            ? current
            : {
                first_name: text('first_name'),
                last_name: text('last_name'),
                address_1: text('address_1'),
                city: text('city'),
                postal_code: text('postal_code'),
                country_code: text('country_code'),
                ...(text('phone') ? { phone: text('phone') } : {}),
              },
        );
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [customer, region, call]);
  const [billingSame, setBillingSame] = useState(true);
  const [billing, setBilling] = useState<Address>(() => emptyAddress(country));
  const [optionId, setOptionId] = useState<string>('');
  const [provider, setProvider] = useState<'manual' | 'stripe'>('manual');
  const placing = useRef(false);
  /** Checkout events carry the cart's lines and value; purchase itself is recorded by the server. */
  const checkoutEvent = (name: string, extra: Record<string, unknown> = {}) => {
    if (c)
      track(name, {
        ...tracked(
          c,
          c.items.map((line) => lineItem(c, line)),
        ),
        ...extra,
      });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per checkout visit with a cart
  useEffect(() => {
    if (c && c.items.length > 0) checkoutEvent('begin_checkout');
  }, [Boolean(c && c.items.length > 0)]);
  // The region list arrives after the first render: default the address to the region's first country.
  useEffect(() => {
    if (!region || region.countries.length === 0) return;
    const fix = (a: Address) =>
      region.countries.includes(a.country_code) ? a : { ...a, country_code: country };
    setAddress(fix);
    setBilling(fix);
  }, [region, country]);

  const options = useLoad(c && step === 'shipping' ? `${c.id}|${c.total}` : null, () =>
    api<{ data: ShippingOption[] }>(`/store/carts/${c!.id}/shipping-options`),
  );
  useEffect(() => {
    const first = options.data?.data[0];
    if (first && !optionId) setOptionId(first.id);
  }, [options.data, optionId]);

  if (!c || c.items.length === 0)
    return (
      <main>
        <h1>{t('checkout.title')}</h1>
        <p>{t('cart.empty')}</p>
        <Link href="/">{t('common.home')}</Link>
      </main>
    );
  const money = (amount: number) => formatMoney(amount, c.currency_code, locale);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.load'));
    } finally {
      setBusy(false);
    }
  }
  const patch = async (body: Record<string, unknown>) =>
    cart.replace(await api<Cart>(`/store/carts/${c.id}`, { method: 'PATCH', body }));

  async function placeOrder() {
    // A second click while the first is in flight does nothing; the idempotency key covers the rest.
    if (placing.current) return;
    placing.current = true;
    setBusy(true);
    setError(null);
    try {
      const key = idempotencyKey(c!.id);
      if (provider === 'stripe') {
        const session = await api<{ client_data: { client_secret?: string } }>(
          `/store/carts/${c!.id}/payment-sessions`,
          { method: 'POST', headers: { 'idempotency-key': `${key}:session` }, body: { provider: 'stripe' } },
        );
        if (!session.client_data.client_secret) throw new Error(t('payment.cardUnavailable'));
        await confirmCard(session.client_data.client_secret);
      }
      const { order } = await api<{ order: Order }>(`/store/carts/${c!.id}/complete`, {
        method: 'POST',
        headers: { 'idempotency-key': key },
        body: { payment: provider === 'manual' ? { provider, method: 'bank_transfer' } : { provider } },
      });
      sessionStorage.setItem(`stratus.order.${order.id}`, JSON.stringify(order));
      cart.forget();
      navigate(`/orders/${order.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : t('error.load'));
      placing.current = false;
      setBusy(false);
    }
  }

  const field = (
    value: Address,
    set: (a: Address) => void,
    name: keyof Address,
    label: string,
    type = 'text',
  ) => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={value[name] ?? ''}
        required={name !== 'phone'}
        onChange={(e) => set({ ...value, [name]: e.target.value })}
      />
    </label>
  );
  const addressFields = (value: Address, set: (a: Address) => void) => (
    <>
      {field(value, set, 'first_name', t('address.firstName'))}
      {field(value, set, 'last_name', t('address.lastName'))}
      {field(value, set, 'address_1', t('address.street'))}
      {field(value, set, 'postal_code', t('address.postalCode'))}
      {field(value, set, 'city', t('address.city'))}
      <label>
        {t('address.country')}
        <select value={value.country_code} onChange={(e) => set({ ...value, country_code: e.target.value })}>
          {(region?.countries ?? [value.country_code]).map((code) => (
            <option key={code} value={code}>
              {new Intl.DisplayNames([locale], { type: 'region' }).of(code.toUpperCase()) ?? code}
            </option>
          ))}
        </select>
      </label>
      {field(value, set, 'phone', t('address.phone'), 'tel')}
    </>
  );

  return (
    <main className="checkout-page">
      <h1>{t('checkout.title')}</h1>
      <ol className="steps">
        {STEPS.map((s) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            {t(`checkout.step.${s}`)}
          </li>
        ))}
      </ol>
      <div className="checkout">
        <section>
          {step === 'details' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                run(async () => {
                  await patch({
                    email,
                    shipping_address: address,
                    billing_address: billingSame ? address : billing,
                  });
                  setStep('shipping');
                });
              }}
            >
              <fieldset>
                <legend>{t('checkout.contact')}</legend>
                <label>
                  {t('checkout.email')}
                  <input
                    type="email"
                    name="email"
                    required
                    value={email}
                    onChange={(e) => setEmail(e.target.value)}
                  />
                </label>
              </fieldset>
              <fieldset>
                <legend>{t('checkout.shippingAddress')}</legend>
                {addressFields(address, setAddress)}
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={billingSame}
                    onChange={(e) => setBillingSame(e.target.checked)}
                  />
                  {t('checkout.billingSame')}
                </label>
              </fieldset>
              {!billingSame && (
                <fieldset>
                  <legend>{t('checkout.billingAddress')}</legend>
                  {addressFields(billing, setBilling)}
                </fieldset>
              )}
              <button type="submit" className="button button--primary" disabled={busy}>
                {t('checkout.continue')}
              </button>
            </form>
          )}
          {step === 'shipping' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                run(async () => {
                  await patch({ shipping_option_id: optionId });
                  const option = options.data?.data.find((o) => o.id === optionId);
                  checkoutEvent('add_shipping_info', { shipping_tier: option?.name });
                  setStep('payment');
                });
              }}
            >
              <fieldset>
                <legend>{t('checkout.shippingMethod')}</legend>
                {options.state === 'loading' && <p>{t('common.loading')}</p>}
                {options.state === 'ready' && options.data.data.length === 0 && (
                  <p>{t('checkout.noShipping')}</p>
                )}
                {options.data?.data.map((option) => (
                  <label key={option.id} className="inline">
                    <input
                      type="radio"
                      name="shipping"
                      value={option.id}
                      checked={optionId === option.id}
                      onChange={() => setOptionId(option.id)}
                    />
                    {option.name} — {money(option.price)}
                  </label>
                ))}
              </fieldset>
              <button type="button" className="link" onClick={() => setStep('details')}>
                {t('checkout.back')}
              </button>{' '}
              <button type="submit" className="button button--primary" disabled={busy || !optionId}>
                {t('checkout.continue')}
              </button>
            </form>
          )}
          {/* Stays mounted (hidden) through the review: Stripe confirms with the card element, which must
              still be mounted when "Place order" is clicked. */}
          {(step === 'payment' || step === 'review') && (
            <div hidden={step === 'review'}>
              <PaymentStep
                provider={provider}
                setProvider={setProvider}
                busy={busy}
                onBack={() => setStep('shipping')}
                onContinue={() => {
                  checkoutEvent('add_payment_info', { payment_type: provider });
                  setStep('review');
                }}
              />
            </div>
          )}
          {step === 'review' && (
            <div className="review">
              <h2>{t('checkout.review')}</h2>
              <p>
                {c.email} · {address.first_name} {address.last_name}, {address.address_1},{' '}
                {address.postal_code} {address.city}
              </p>
              <p>{t(provider === 'stripe' ? 'payment.card' : 'payment.manual')}</p>
              <button type="button" className="link" onClick={() => setStep('payment')}>
                {t('checkout.back')}
              </button>{' '}
              <button
                type="button"
                className="button button--primary"
                disabled={busy}
                onClick={placeOrder}
                data-testid="place-order"
              >
                {busy ? t('checkout.placing') : t('checkout.placeOrder')}
              </button>
            </div>
          )}
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </section>
        <aside aria-label={t('checkout.summary')}>
          <ul className="cart__lines">
            {c.items.map((line) => (
              <li key={line.id} className="cart__line">
                <span>
                  {line.quantity} × {line.product_title}
                  {line.title && line.title !== line.product_title ? ` · ${line.title}` : ''}
                </span>
                <span />
                <span>{money(line.total)}</span>
              </li>
            ))}
          </ul>
          <Totals cart={c} />
        </aside>
      </div>
    </main>
  );
}

/** Manual payment always; the Stripe card form only when a publishable key is configured and Stripe.js loads. */
function PaymentStep(props: {
  provider: 'manual' | 'stripe';
  setProvider(p: 'manual' | 'stripe'): void;
  busy: boolean;
  onBack(): void;
  onContinue(): void;
}) {
  const t = useT();
  const stripe = stripeConfig();
  const [stripeState, setStripeState] = useState<'idle' | 'loading' | 'ready' | 'unavailable'>('idle');
  const cardHost = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.provider !== 'stripe' || !stripe || stripeState !== 'idle') return;
    setStripeState('loading');
    mountCard(stripe.publishableKey, cardHost.current!).then(
      () => setStripeState('ready'),
      () => {
        setStripeState('unavailable');
        props.setProvider('manual');
      },
    );
  }, [props.provider, stripe, stripeState, props.setProvider]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onContinue();
      }}
    >
      <fieldset>
        <legend>{t('checkout.payment')}</legend>
        <label className="inline">
          <input
            type="radio"
            name="provider"
            checked={props.provider === 'manual'}
            onChange={() => props.setProvider('manual')}
          />
          {t('payment.manual')}
        </label>
        <small>{t('payment.manualNote')}</small>
        {stripe && stripeState !== 'unavailable' && (
          <label className="inline">
            <input
              type="radio"
              name="provider"
              checked={props.provider === 'stripe'}
              onChange={() => props.setProvider('stripe')}
            />
            {t('payment.card')}
          </label>
        )}
        {stripe && props.provider === 'stripe' && <div ref={cardHost} className="card-element" />}
        {stripeState === 'loading' && <p>{t('common.loading')}</p>}
        {stripeState === 'unavailable' && (
          <p role="status" data-testid="stripe-unavailable">
            {t('payment.cardUnavailable')}
          </p>
        )}
      </fieldset>
      <button type="button" className="link" onClick={props.onBack}>
        {t('checkout.back')}
      </button>{' '}
      <button
        type="submit"
        className="button button--primary"
        disabled={props.busy || (props.provider === 'stripe' && stripeState !== 'ready')}
      >
        {t('checkout.continue')}
      </button>
    </form>
  );
}

export function ConfirmationPage({ id }: { id: string }) {
  const t = useT();
  const { locale } = useShop();
  const stored = sessionStorage.getItem(`stratus.order.${id}`);
  const order = stored ? (JSON.parse(stored) as Order) : null;
  return (
    <main className="confirmation" data-testid="confirmation">
      <h1>{t('confirmation.title')}</h1>
      <p>{t('confirmation.number', { id: order?.display_number ?? id })}</p>
      {order && (
        <>
          <p>{t('confirmation.email', { email: order.email })}</p>
          <p>
            {t('totals.total')}:{' '}
            <strong data-testid="order-total">{formatMoney(order.total, order.currency_code, locale)}</strong>
          </p>
        </>
      )}
      <Link href="/" className="button">
        {t('confirmation.continue')}
      </Link>
    </main>
  );
}
