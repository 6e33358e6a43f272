import { lazy, Suspense } from 'react';
import { Link, Route, Switch } from 'wouter';
import { CartProvider } from './cart.js';
import { CartButton, CartDrawer, CartPage } from './components/cart-view.js';
import { Header } from './components/header.js';
import { useT } from './i18n.js';
import { HomePage } from './pages/home.js';
import { ListingPage } from './pages/listing.js';
import { ProductPage } from './pages/product.js';
import { ShopProvider } from './store.js';

// Checkout is its own chunk: the product page never pays for it.
const CheckoutPage = lazy(() => import('./pages/checkout.js').then((m) => ({ default: m.CheckoutPage })));
const ConfirmationPage = lazy(() =>
  import('./pages/checkout.js').then((m) => ({ default: m.ConfirmationPage })),
);

function NotFound() {
  const t = useT();
  return (
    <main>
      <h1>{t('error.notFound')}</h1>
      <Link href="/">{t('common.home')}</Link>
    </main>
  );
}

export function App() {
  return (
    <ShopProvider>
      <CartProvider>
        <Header cartButton={<CartButton />} />
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
            <Route>{() => <NotFound />}</Route>
          </Switch>
        </Suspense>
        <CartDrawer />
        <Footer />
      </CartProvider>
    </ShopProvider>
  );
}

function Footer() {
  const t = useT();
  return (
    <footer className="footer">
      <small>{t('footer.note')}</small>
    </footer>
  );
}
