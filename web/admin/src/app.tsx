import { type ComponentType, lazy, Suspense, useState } from 'react';
import { Redirect, Route, Router, Switch } from 'wouter';
import { Layout } from './components/layout.js';
import { type Locale, LocaleContext, pickLocale, storeLocale, useT } from './i18n.js';
import { LoginPage } from './pages/login.js';
import { SessionProvider, useSession } from './session.js';

export const BASE = '/admin/app';

/**
 * A code-split screen that renders without suspending once its chunk is in: React.lazy alone suspends
 * on its first render even when the chunk is already loaded, and React throttles that reveal by 300 ms.
 */
interface Screen<P extends object> {
  Lazy: ComponentType<P>;
  ready: ComponentType<P> | null;
  preload: () => Promise<void>;
}

function screen<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): Screen<P> {
  const entry: Screen<P> = {
    Lazy: lazy(load),
    ready: null,
    preload: () =>
      load().then((module) => {
        entry.ready = module.default;
      }),
  };
  return entry;
}

function Show<P extends object>({ screen, props }: { screen: Screen<P>; props: P }) {
  const Component = screen.ready ?? screen.Lazy;
  return <Component {...props} />;
}

// Each screen is its own chunk: the first load carries only the shell, the login and the router.
const Dashboard = screen(() => import('./pages/dashboard.js'));
const Orders = screen(() => import('./pages/orders.js'));
const OrderDetail = screen(() => import('./pages/order-detail.js'));
const Account = screen(() => import('./pages/account.js'));
const Products = screen(() => import('./pages/products.js'));
const ProductNew = screen(() => import('./pages/product-new.js'));
const ProductEdit = screen(() => import('./pages/product-edit.js'));
const Taxonomy = screen(() => import('./pages/taxonomy.js'));
const PriceLists = screen(() => import('./pages/price-lists.js'));
const PriceListEdit = screen<{ id?: string }>(async () => ({
  default: (await import('./pages/price-lists.js')).PriceListEdit,
}));
const Inventory = screen(() => import('./pages/inventory.js'));
const Customers = screen(() => import('./pages/customers.js'));
const CustomerDetail = screen(() => import('./pages/customer-detail.js'));
const AuditLog = screen(() => import('./pages/audit-log.js'));
const System = screen(() => import('./pages/system.js'));
const Staff = screen(() => import('./pages/staff.js'));
const ApiKeys = screen(() => import('./pages/api-keys.js'));
const Discounts = screen(() => import('./pages/discounts.js'));
const DiscountEdit = screen(() => import('./pages/discount-edit.js'));
const Regions = screen(() => import('./pages/regions.js'));
const Shipping = screen(() => import('./pages/shipping.js'));
const PaymentProviders = screen(() => import('./pages/payment-providers.js'));
const PickLists = screen(() => import('./pages/pick-lists.js'));

/** Screens and the permission each needs; a screen the user lacks is neither linked nor reachable. */
export const SCREENS = [
  { path: '/dashboard', permission: 'analytics:read', label: 'nav.dashboard' },
  { path: '/orders', permission: 'orders:read', label: 'nav.orders' },
  { path: '/products', permission: 'catalog:read', label: 'nav.products' },
  { path: '/categories', permission: 'catalog:read', label: 'nav.categories' },
  { path: '/collections', permission: 'catalog:read', label: 'nav.collections' },
  { path: '/price-lists', permission: 'pricing:read', label: 'nav.priceLists' },
  { path: '/inventory', permission: 'inventory:read', label: 'nav.inventory' },
  { path: '/customers', permission: 'customers:read', label: 'nav.customers' },
  { path: '/audit-log', permission: 'audit:read', label: 'nav.audit' },
  { path: '/staff', permission: 'staff:read', label: 'nav.staff' },
  { path: '/discounts', permission: 'discounts:read', label: 'nav.discounts' },
  { path: '/regions', permission: 'regions:read', label: 'nav.regions' },
  { path: '/shipping', permission: 'shipping:read', label: 'nav.shipping' },
  { path: '/payment-providers', permission: 'payments:read', label: 'nav.payments' },
  { path: '/api-keys', permission: 'settings:read', label: 'nav.apiKeys' },
  { path: '/system', permission: 'system:read', label: 'nav.system' },
  { path: '/pick-lists', permission: 'orders:read', label: 'nav.pickLists' },
] as const;

/** The chunk of the screen in the address bar loads while `/admin/me` is asked, not after it. */
function preloadInitialScreen(): Promise<unknown> {
  const path = location.pathname.slice(BASE.length);
  // First match wins: detail routes before their lists.
  const routes: Array<[RegExp, { preload: () => Promise<void> }]> = [
    [/^\/dashboard/, Dashboard],
    [/^\/orders\/./, OrderDetail],
    [/^\/orders/, Orders],
    [/^\/account/, Account],
    [/^\/products\/new$/, ProductNew],
    [/^\/products\/./, ProductEdit],
    [/^\/products/, Products],
    [/^\/(categories|collections)/, Taxonomy],
    [/^\/price-lists\/./, PriceListEdit],
    [/^\/price-lists/, PriceLists],
    [/^\/inventory/, Inventory],
    [/^\/customers\/./, CustomerDetail],
    [/^\/customers/, Customers],
    [/^\/audit-log/, AuditLog],
    [/^\/system/, System],
    [/^\/staff/, Staff],
    [/^\/api-keys/, ApiKeys],
    [/^\/discounts\/./, DiscountEdit],
    [/^\/discounts/, Discounts],
    [/^\/regions/, Regions],
    [/^\/shipping/, Shipping],
    [/^\/payment-providers/, PaymentProviders],
    [/^\/pick-lists/, PickLists],
  ];
  const wanted = routes.find(([pattern]) => pattern.test(path))?.[1];
  return wanted ? wanted.preload().catch(() => {}) : Promise.resolve();
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(pickLocale);
  const setLocale = (next: Locale) => {
    storeLocale(next);
    setLocaleState(next);
  };
  return (
    <LocaleContext.Provider value={{ locale, setLocale }}>
      <SessionProvider ready={preloadInitialScreen}>
        <Router base={BASE}>
          <Shell />
        </Router>
      </SessionProvider>
    </LocaleContext.Provider>
  );
}

function Shell() {
  const t = useT();
  const { me, loading, can } = useSession();
  if (loading) return <p className="loading">{t('common.loading')}</p>;
  if (!me) return <LoginPage />;
  const home = SCREENS.find((screen) => can(screen.permission))?.path ?? '/account';
  const guarded = (permission: string, screen: React.ReactNode) => (can(permission) ? screen : <Forbidden />);
  return (
    <Layout>
      <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
        <Switch>
          <Route path="/">
            <Redirect to={home} replace />
          </Route>
          <Route path="/dashboard">{guarded('analytics:read', <Show screen={Dashboard} props={{}} />)}</Route>
          <Route path="/orders">{guarded('orders:read', <Show screen={Orders} props={{}} />)}</Route>
          <Route path="/orders/:id">
            {(params) => guarded('orders:read', <Show screen={OrderDetail} props={{ id: params.id }} />)}
          </Route>
          <Route path="/products">{guarded('catalog:read', <Show screen={Products} props={{}} />)}</Route>
          <Route path="/products/new">
            {guarded('catalog:write', <Show screen={ProductNew} props={{}} />)}
          </Route>
          <Route path="/products/:id">
            {(params) => guarded('catalog:read', <Show screen={ProductEdit} props={{ id: params.id }} />)}
          </Route>
          <Route path="/categories">
            {guarded('catalog:read', <Show screen={Taxonomy} props={{ kind: 'categories' as const }} />)}
          </Route>
          <Route path="/collections">
            {guarded('catalog:read', <Show screen={Taxonomy} props={{ kind: 'collections' as const }} />)}
          </Route>
          <Route path="/price-lists">
            {guarded('pricing:read', <Show screen={PriceLists} props={{}} />)}
          </Route>
          <Route path="/price-lists/new">
            {guarded('pricing:write', <Show screen={PriceListEdit} props={{}} />)}
          </Route>
          <Route path="/price-lists/:id">
            {(params) => guarded('pricing:read', <Show screen={PriceListEdit} props={{ id: params.id }} />)}
          </Route>
          <Route path="/inventory">{guarded('inventory:read', <Show screen={Inventory} props={{}} />)}</Route>
          <Route path="/customers">{guarded('customers:read', <Show screen={Customers} props={{}} />)}</Route>
          <Route path="/customers/:id">
            {(params) =>
              guarded('customers:read', <Show screen={CustomerDetail} props={{ id: params.id }} />)
            }
          </Route>
          <Route path="/audit-log">{guarded('audit:read', <Show screen={AuditLog} props={{}} />)}</Route>
          <Route path="/system">{guarded('system:read', <Show screen={System} props={{}} />)}</Route>
          <Route path="/staff">{guarded('staff:read', <Show screen={Staff} props={{}} />)}</Route>
          <Route path="/api-keys">{guarded('settings:read', <Show screen={ApiKeys} props={{}} />)}</Route>
          <Route path="/discounts">{guarded('discounts:read', <Show screen={Discounts} props={{}} />)}</Route>
          <Route path="/discounts/new">
            {guarded('discounts:write', <Show screen={DiscountEdit} props={{}} />)}
          </Route>
          <Route path="/discounts/:id">
            {(params) => guarded('discounts:read', <Show screen={DiscountEdit} props={{ id: params.id }} />)}
          </Route>
          <Route path="/regions">{guarded('regions:read', <Show screen={Regions} props={{}} />)}</Route>
          <Route path="/shipping">{guarded('shipping:read', <Show screen={Shipping} props={{}} />)}</Route>
          <Route path="/payment-providers">
            {guarded('payments:read', <Show screen={PaymentProviders} props={{}} />)}
          </Route>
          <Route path="/pick-lists">{guarded('orders:read', <Show screen={PickLists} props={{}} />)}</Route>
          <Route path="/account">
            <Show screen={Account} props={{}} />
          </Route>
          <Route>
            <h1>{t('error.notFound')}</h1>
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}

function Forbidden() {
  const t = useT();
  return (
    <section role="alert" data-testid="forbidden">
      <h1>{t('error.forbiddenTitle')}</h1>
      <p>{t('error.forbidden')}</p>
    </section>
  );
}
