import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, type Category, type Facet, type ProductPage, type ProductSummary } from '../api.js';
import { ProductGrid } from '../components/product-card.js';
import { useLoad } from '../hooks.js';
import { type MessageKey, useT } from '../i18n.js';
import { useShop } from '../store.js';
import { track } from '../tracking.js';

const SORTS = ['newest', 'best_selling', 'price_asc', 'price_desc'] as const;
const PAGE_SIZE = 24;

interface Scope {
  kind: 'search' | 'category' | 'collection';
  handle?: string;
}

/** Category, collection and search results: facet filters, sort, and keyset "load more". */
export function ListingPage({ scope }: { scope: Scope }) {
  const t = useT();
  const { locale, regionParam } = useShop();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const q = params.get('q') ?? '';
  const sort = (SORTS as readonly string[]).includes(params.get('sort') ?? '')
    ? params.get('sort')!
    : 'newest';
  const options = params.getAll('option');
  const tags = params.getAll('tag');
  const inStock = params.get('in_stock') === 'true';
  const baseQuery = {
    q: q || undefined,
    sort,
    option: options,
    tag: tags,
    in_stock: inStock || undefined,
    category_id: scope.kind === 'category' && scope.handle ? [scope.handle] : undefined,
    collection_id: scope.kind === 'collection' && scope.handle ? [scope.handle] : undefined,
    region_id: regionParam,
    locale,
    limit: PAGE_SIZE,
  };
  const key = JSON.stringify(baseQuery);
  const first = useLoad(key, () =>
    api<ProductPage>('/store/products', { query: { ...baseQuery, facets: true } }),
  );
  // A search results page reports the term and how many products it found on the first page.
  const searched = useRef('');
  useEffect(() => {
    if (scope.kind !== 'search' || !q || first.state !== 'ready' || searched.current === q) return;
    searched.current = q;
    track('search', { search_term: q, search_results: first.data.data.length });
  }, [scope.kind, q, first.state, first.data]);
  const [more, setMore] = useState<{ key: string; items: ProductSummary[]; cursor: string | null }>();
  const [loadingMore, setLoadingMore] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter key drops the loaded-more pages
  useEffect(() => setMore(undefined), [key]);

  const categories = useLoad(locale, () =>
    api<{ data: Category[] }>('/store/categories', { query: { locale } }),
  );
  const category = categories.data?.data.find((c) => c.handle === scope.handle || c.id === scope.handle);
  const collections = useLoad(scope.kind === 'collection' ? locale : null, () =>
    api<{ data: Array<{ id: string; title: string; description: string }> }>('/store/collections', {
      query: { locale },
    }),
  );
  const collection = collections.data?.data.find((c) => c.id === scope.handle);
  const title =
    scope.kind === 'search'
      ? q
        ? t('search.resultsFor', { q })
        : t('search.title')
      : scope.kind === 'category'
        ? (category?.name ?? '')
        : (collection?.title ?? t('listing.collection'));

  const items = [...(first.data?.data ?? []), ...(more?.key === key ? more.items : [])];
  const cursor = more?.key === key ? more.cursor : (first.data?.next_cursor ?? null);

  function setParam(mutate: (p: URLSearchParams) => void) {
    const next = new URLSearchParams(search);
    mutate(next);
    const text = next.toString();
    navigate(`${location}${text ? `?${text}` : ''}`, { replace: true });
  }
  function toggle(name: 'option' | 'tag', value: string) {
    setParam((p) => {
      const values = p.getAll(name);
      p.delete(name);
      for (const v of values.includes(value) ? values.filter((x) => x !== value) : [...values, value])
        p.append(name, v);
    });
  }
  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api<ProductPage>('/store/products', { query: { ...baseQuery, cursor } });
      setMore((previous) => ({
        key,
        items: [...(previous?.key === key ? previous.items : []), ...page.data],
        cursor: page.next_cursor,
      }));
    } finally {
      setLoadingMore(false);
    }
  }

  const facets = first.data?.facets ?? [];
  const optionGroups = groupOptions(facets, options);
  const tagFacets = facets.filter((f) => f.facet === 'tag');
  // Category facets narrow by moving to the sub-category's own page (its URL is crawlable too).
  const byId = new Map((categories.data?.data ?? []).map((c) => [c.id, c]));
  const categoryFacets = facets
    .filter((f) => f.facet === 'category' && byId.has(f.value) && byId.get(f.value)!.id !== category?.id)
    .filter((f) =>
      category ? byId.get(f.value)!.parent_id === category.id : byId.get(f.value)!.parent_id === null,
    )
    .map((f) => ({ ...f, category: byId.get(f.value)! }));
  return (
    <main className="listing">
      <h1>{title}</h1>
      {(category?.description || collection?.description) && (
        <p>{category?.description || collection?.description}</p>
      )}
      <div className="listing__layout">
        <aside className="facets" aria-label={t('listing.filters')}>
          {categoryFacets.length > 0 && (
            <nav className="facet" aria-label={t('listing.categories')}>
              <strong>{t('listing.categories')}</strong>
              <ul className="facet__links">
                {categoryFacets.map((f) => (
                  <li key={f.value}>
                    <Link href={`/categories/${f.category.handle}${search ? `?${search}` : ''}`}>
                      {f.category.name} <small>({f.count})</small>
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <label className="facet__check">
            <input
              type="checkbox"
              checked={inStock}
              onChange={() => setParam((p) => (inStock ? p.delete('in_stock') : p.set('in_stock', 'true')))}
            />
            {t('listing.inStockOnly')}
          </label>
          {[...optionGroups].map(([name, values]) => (
            <fieldset key={name} className="facet">
              <legend>{name}</legend>
              {values.map((f) => (
                <label key={f.value} className="facet__check">
                  <input
                    type="checkbox"
                    checked={options.includes(`${name}:${f.value}`)}
                    onChange={() => toggle('option', `${name}:${f.value}`)}
                  />
                  {f.value} <small>({f.count})</small>
                </label>
              ))}
            </fieldset>
          ))}
          {tagFacets.length > 0 && (
            <fieldset className="facet">
              <legend>{t('listing.tags')}</legend>
              {tagFacets.slice(0, 20).map((f) => (
                <label key={f.value} className="facet__check">
                  <input
                    type="checkbox"
                    checked={tags.includes(f.value)}
                    onChange={() => toggle('tag', f.value)}
                  />
                  {f.value} <small>({f.count})</small>
                </label>
              ))}
            </fieldset>
          )}
        </aside>
        <section className="listing__results">
          <div className="listing__bar">
            <label>
              {t('listing.sort')}{' '}
              <select
                value={sort}
                onChange={(event) => setParam((p) => p.set('sort', event.target.value))}
                data-testid="sort-select"
              >
                {SORTS.map((s) => (
                  <option key={s} value={s}>
                    {t(`sort.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {first.state === 'error' && <p role="alert">{t('error.load')}</p>}
          {first.state === 'ready' && items.length === 0 && <p>{t('listing.empty')}</p>}
          <ProductGrid
            products={items}
            list={`${scope.kind}:${scope.kind === 'search' ? q : scope.handle}`}
          />
          {cursor && (
            <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? t('common.loading') : t('listing.loadMore')}
            </button>
          )}
        </section>
      </div>
    </main>
  );
}

/** Option facets by option name; a chosen value stays visible even when its count drops to zero. */
function groupOptions(facets: Facet[], chosen: string[]): Map<string, Facet[]> {
  const groups = new Map<string, Facet[]>();
  for (const f of facets)
    if (f.facet === 'option' && f.name) groups.set(f.name, [...(groups.get(f.name) ?? []), f]);
  for (const item of chosen) {
    const at = item.indexOf(':');
    const name = item.slice(0, at);
    const value = item.slice(at + 1);
    const list = groups.get(name) ?? [];
    if (!list.some((f) => f.value === value))
      groups.set(name, [...list, { facet: 'option', name, value, count: 0 }]);
  }
  return groups;
}
