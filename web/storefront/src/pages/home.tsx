import { Link } from 'wouter';
import { api, type Category, type ProductPage } from '../api.js';
import { ProductGrid } from '../components/product-card.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';

interface Collection {
  id: string;
  handle: string;
  title: string;
}

export function HomePage() {
  const t = useT();
  const { locale, regionParam } = useShop();
  const featured = useLoad(`${regionParam}|${locale}`, () =>
    api<ProductPage>('/store/products', {
      query: { sort: 'best_selling', limit: 8, region_id: regionParam, locale },
    }),
  );
  const categories = useLoad(locale, () =>
    api<{ data: Category[] }>('/store/categories', { query: { locale } }),
  );
  const collections = useLoad(locale, () =>
    api<{ data: Collection[] }>('/store/collections', { query: { locale } }),
  );
  const topCategories = (categories.data?.data ?? []).filter((c) => c.parent_id === null);
  return (
    <main className="home">
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p>{t('home.subtitle')}</p>
      </section>
      {(collections.data?.data.length ?? 0) > 0 && (
        <section aria-labelledby="collections">
          <h2 id="collections">{t('home.collections')}</h2>
          <ul className="chips">
            {collections.data?.data.map((c) => (
              <li key={c.id}>
                <Link href={`/collections/${c.id}`}>{c.title}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="categories">
        <h2 id="categories">{t('home.categories')}</h2>
        <ul className="chips" data-testid="home-categories">
          {topCategories.map((c) => (
            <li key={c.id}>
              <Link href={`/categories/${c.handle}`}>{c.name}</Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="featured">
        <h2 id="featured">{t('home.featured')}</h2>
        {featured.state === 'error' && <p role="alert">{t('error.load')}</p>}
        <ProductGrid products={featured.data?.data ?? []} list="home_best_sellers" />
      </section>
      {/* Filled by the recommendations module when it lands; empty until then. */}
      <section className="slot" data-slot="recommendations" aria-label={t('home.recommendations')} />
    </main>
  );
}
