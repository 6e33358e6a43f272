import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, type ProductPage } from '../api.js';
import { useDebounced, useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';
import { PriceTag } from './price.js';

/** Search as you type: suggestions after a short pause; Enter opens the full results page. */
export function SearchBox() {
  const t = useT();
  const { locale, regionParam } = useShop();
  const [, navigate] = useLocation();
  const [text, setText] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [open, setOpen] = useState(false);
  const query = useDebounced(text.trim(), 180);
  const suggestions = useLoad(query.length >= 2 ? `${query}|${regionParam}|${locale}` : null, () =>
    api<ProductPage>('/store/products', { query: { q: query, limit: 6, region_id: regionParam, locale } }),
  );
  const items = query.length >= 2 ? (suggestions.data?.data ?? []) : [];
  return (
    <form
      className="search"
      onSubmit={(event) => {
        event.preventDefault();
        setOpen(false);
        navigate(`/search?q=${encodeURIComponent(text.trim())}`);
      }}
    >
      <input
        type="search"
        name="q"
        value={text}
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        autoComplete="off"
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {open && items.length > 0 && (
        <ul className="search__suggestions" data-testid="search-suggestions">
          {items.map((item) => (
            <li key={item.id}>
              <Link href={`/products/${item.handle}`} onClick={() => setOpen(false)}>
                <span>{item.title}</span> <PriceTag price={item.price} />
              </Link>
            </li>
          ))}
        </ul>
      )}
      {open && query.length >= 2 && suggestions.state === 'ready' && items.length === 0 && (
        <p className="search__empty">{t('search.noSuggestions')}</p>
      )}
    </form>
  );
}
