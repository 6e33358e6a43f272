import { type ReactNode, useEffect, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { useAccount } from '../account.js';
import { formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { type MessageKey, useT } from '../i18n.js';
import { useShop } from '../store.js';
import { AddressesPage } from './account-addresses.js';
import { LoginPage, RegisterPage, ResetPasswordPage, VerifyEmailPage } from './account-auth.js';
import { PrivacyPage } from './account-privacy.js';

export interface OrderLine {
  id: string;
  product_id: string;
  title: string;
  sku: string | null;
  quantity: number;
  unit_price: number;
  total: number;
}
export interface CustomerOrder {
  id: string;
  display_number: string;
  status: string;
  currency_code: string;
  email: string;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  tax_total: number;
  total: number;
  tax_inclusive: boolean;
  shipping_address: Record<string, string | undefined>;
  created_at: string;
  items: OrderLine[];
}

/** Everything under /account: the sign-in pages, and the signed-in pages behind them. */
export function AccountRoutes() {
  return (
    <Switch>
      <Route path="/account/login">{() => <LoginPage />}</Route>
      <Route path="/account/register">{() => <RegisterPage />}</Route>
      <Route path="/account/reset-password">{() => <ResetPasswordPage />}</Route>
      <Route path="/account/verify">{() => <VerifyEmailPage />}</Route>
      <Route path="/account">{() => <SignedIn page={<Overview />} />}</Route>
      <Route path="/account/orders">{() => <SignedIn page={<OrdersPage />} />}</Route>
      <Route path="/account/orders/:id">
        {(params) => <SignedIn page={<OrderDetail key={params.id} id={params.id} />} />}
      </Route>
      <Route path="/account/addresses">{() => <SignedIn page={<AddressesPage />} />}</Route>
      <Route path="/account/privacy">{() => <SignedIn page={<PrivacyPage />} />}</Route>
    </Switch>
  );
}

/** The account pages with their navigation; a shopper who is not signed in goes to the sign-in page. */
function SignedIn({ page }: { page: ReactNode }) {
  const t = useT();
  const { customer, logout } = useAccount();
  const [location, navigate] = useLocation();
  if (customer === undefined) return <main aria-busy="true" />;
  if (customer === null) return <Redirect to={`/account/login?next=${encodeURIComponent(location)}`} />;
  const links: Array<[string, MessageKey]> = [
    ['/account', 'account.overview'],
    ['/account/orders', 'account.orders'],
    ['/account/addresses', 'account.addresses'],
    ['/account/privacy', 'account.privacy'],
  ];
  return (
    <main className="account">
      <nav className="account__nav" aria-label={t('account.title')}>
        <ul>
          {links.map(([href, key]) => (
            <li key={href}>
              <Link href={href} aria-current={location === href ? 'page' : undefined}>
                {t(key)}
              </Link>
            </li>
          ))}
          <li>
            <button
              type="button"
              className="link"
              onClick={() => logout().then(() => navigate('/'))}
              data-testid="sign-out"
            >
              {t('account.signOut')}
            </button>
          </li>
        </ul>
      </nav>
      <section className="account__page">{page}</section>
    </main>
  );
}

function Overview() {
  const t = useT();
  const { customer } = useAccount();
  useEffect(() => {
    document.title = `${t('account.title')} | Stratus`;
  });
  if (!customer) return null;
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ') || customer.email;
  return (
    <>
      <h1>{t('account.hello', { name })}</h1>
      <p data-testid="account-email">{customer.email}</p>
      {!customer.email_verified && <p className="note">{t('account.emailUnverified')}</p>}
      <h2>{t('account.recentOrders')}</h2>
      <OrderList limit={3} />
    </>
  );
}

function OrdersPage() {
  const t = useT();
  return (
    <>
      <h1>{t('account.orders')}</h1>
      <OrderList limit={20} more />
    </>
  );
}

function OrderList({ limit, more = false }: { limit: number; more?: boolean }) {
  const t = useT();
  const { locale } = useShop();
  const { call } = useAccount();
  const [pages, setPages] = useState<{ loaded: boolean; items: CustomerOrder[]; cursor: string | null }>({
    loaded: false,
    items: [],
    cursor: null,
  });
  const first = useLoad(`orders|${limit}`, () =>
    call<{ data: CustomerOrder[]; next_cursor: string | null }>('/store/customers/me/orders', {
      query: { limit },
    }),
  );
  if (first.state === 'loading') return <p>{t('common.loading')}</p>;
  if (first.state === 'error') return <p role="alert">{t('error.load')}</p>;
  const orders = [...first.data.data, ...pages.items];
  const cursor = pages.loaded ? pages.cursor : first.data.next_cursor;
  if (orders.length === 0) return <p>{t('orders.empty')}</p>;
  return (
    <>
      <ul className="orders" data-testid="order-list">
        {orders.map((order) => (
          <li key={order.id} className="orders__row" data-testid="order-row">
            <Link href={`/account/orders/${order.id}`}>
              {t('orders.number', { number: order.display_number })}
            </Link>
            <span>{new Date(order.created_at).toLocaleDateString(locale)}</span>
            <span>{t(`status.${order.status}` as MessageKey)}</span>
            <strong>{formatMoney(order.total, order.currency_code, locale)}</strong>
          </li>
        ))}
      </ul>
      {more && cursor && (
        <button
          type="button"
          className="button"
          onClick={() =>
            call<{ data: CustomerOrder[]; next_cursor: string | null }>('/store/customers/me/orders', {
              query: { limit, cursor },
            }).then((page) =>
              setPages((p) => ({
                loaded: true,
                items: [...p.items, ...page.data],
                cursor: page.next_cursor,
              })),
            )
          }
        >
          {t('listing.loadMore')}
        </button>
      )}
    </>
  );
}

function OrderDetail({ id }: { id: string }) {
  const t = useT();
  const { locale } = useShop();
  const { call } = useAccount();
  const order = useLoad(id, () =>
    call<CustomerOrder>(`/store/customers/me/orders/${encodeURIComponent(id)}`),
  );
  if (order.state === 'loading') return <p>{t('common.loading')}</p>;
  if (order.state === 'error')
    return (
      <>
        <h1>{t('orders.notFound')}</h1>
        <Link href="/account/orders">{t('orders.back')}</Link>
      </>
    );
  const o = order.data;
  const money = (amount: number) => formatMoney(amount, o.currency_code, locale);
  const a = o.shipping_address;
  return (
    <article data-testid="order-detail">
      <Link href="/account/orders">← {t('orders.back')}</Link>
      <h1>{t('orders.number', { number: o.display_number })}</h1>
      <p>
        {t('orders.placed', { date: new Date(o.created_at).toLocaleString(locale) })} ·{' '}
        <span data-testid="order-status">{t(`status.${o.status}` as MessageKey)}</span>
      </p>
      <table className="order-lines">
        <thead>
          <tr>
            <th>{t('orders.items')}</th>
            <th>{t('cart.quantity')}</th>
            <th>{t('totals.total')}</th>
          </tr>
        </thead>
        <tbody>
          {o.items.map((line) => (
            <tr key={line.id} data-testid="order-line">
              <td>
                <Link href={`/products/${line.product_id}`}>{line.title}</Link>
              </td>
              <td>{line.quantity}</td>
              <td>{money(line.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="totals">
        <div>
          <dt>{t('totals.subtotal')}</dt>
          <dd>{money(o.subtotal)}</dd>
        </div>
        {o.discount_total > 0 && (
          <div>
            <dt>{t('totals.discount')}</dt>
            <dd>−{money(o.discount_total)}</dd>
          </div>
        )}
        <div>
          <dt>{t('totals.shipping')}</dt>
          <dd>{money(o.shipping_total)}</dd>
        </div>
        <div>
          <dt>{o.tax_inclusive ? t('totals.taxIncluded') : t('totals.tax')}</dt>
          <dd>{money(o.tax_total)}</dd>
        </div>
        <div className="totals__grand">
          <dt>{t('totals.total')}</dt>
          <dd data-testid="order-detail-total" data-amount={o.total}>
            {money(o.total)}
          </dd>
        </div>
      </dl>
      <h2>{t('checkout.shippingAddress')}</h2>
      <address>
        {a.first_name} {a.last_name}
        <br />
        {a.address_1}
        <br />
        {a.postal_code} {a.city}, {a.country_code?.toUpperCase()}
      </address>
    </article>
  );
}
