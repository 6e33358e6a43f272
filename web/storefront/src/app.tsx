import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { AccountProvider, useAccount } from './account.js';
import { CartProvider } from './cart.js';
import { CartButton, CartDrawer, CartPage } from './components/cart-view.js';
import { ConsentBanner, openConsentBanner } from './components/consent-banner.js';
import { Header } from './components/header.js';
import { useT } from './i18n.js';
import { HomePage } from './pages/home.js';
import { ListingPage } from './pages/listing.js';
import { ProductPage } from './pages/product.js';
import { ShopProvider } from './store.js';
import { loadTracker, track } from './tracking.js';

// Checkout and the account are their own chunks: the product page never pays for them.
const CheckoutPage = lazy(() => import('./pages/checkout.js').then((m) => ({ default: m.CheckoutPage })));
const ConfirmationPage = lazy(() =>
  import('./pages/checkout.js').then((m) => ({ default: m.ConfirmationPage })),
);
const AccountRoutes = lazy(() => import('./pages/account.js').then((m) => ({ default: m.AccountRoutes })));

function NotFound() {
  const t = useT();
  return (
    <main>
      <h1>{t('error.notFound')}</h1>
      <Link href="/">{t('common.home')}</Link>
    </main>
  );
}

/** The tracker sends the landing page_view itself; client-side navigations send theirs here. */
function PageViews() {
  const [location] = useLocation();
  const first = useRef(true);
  useEffect(() => loadTracker(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new location is the event
  useEffect(() => {
    if (first.current) first.current = false;
    else track('page_view');
  }, [location]);
  return null;
}

export function App() {
  return (
    <ShopProvider>
      <AccountProvider>
        <CartProvider>
          <PageViews />
          <ConsentBanner />
          <Header cartButton={<CartButton />} accountLink={<AccountLink />} />
          <Suspense fallback={<main aria-busy="true" />}>
            <Switch>
              <Route path="/">{() => <HomePage />}</Route>
              <Route path="/search">{() => <ListingPage scope={{ kind: 'search' }} />}</Route>
              <Route path="/categories/:handle">
                {(params) => (
                  <ListingPage key={params.handle} scope={{ kind: 'category', handle: params.handle }} />
                )}
              </Route>
              <Route path="/collections/:handle">
                {(params) => (
                  <ListingPage key={params.handle} scope={{ kind: 'collection', handle: params.handle }} />
                )}
              </Route>
              <Route path="/products/:handle">
                {(params) => <ProductPage key={params.handle} handle={params.handle} />}
              </Route>
              <Route path="/cart">{() => <CartPage />}</Route>
              <Route path="/checkout">{() => <CheckoutPage />}</Route>
              <Route path="/orders/:id">{(params) => <ConfirmationPage id={params.id} />}</Route>
              <Route path="/account">{() => <AccountRoutes />}</Route>
              <Route path="/account/*">{() => <AccountRoutes />}</Route>
              <Route>{() => <NotFound />}</Route>
            </Switch>
          </Suspense>
          <CartDrawer />
          <Footer />
        </CartProvider>
      </AccountProvider>
    </ShopProvider>
  );
}

function AccountLink() {
  const t = useT();
  const { customer } = useAccount();
  return (
    <Link
      href={customer ? '/account' : '/account/login'}
      className="header__account"
      data-testid="account-link"
    >
      {customer ? t('account.title') : t('account.signIn')}
    </Link>
  );
}

function Footer() {
  const t = useT();
  return (
    <footer className="footer">
      <small>{t('footer.note')}</small>{' '}
      <button type="button" className="link" onClick={openConsentBanner} data-testid="privacy-settings">
        {t('consent.settings')}
      </button>
    </footer>
  );
}
