import { useState } from 'react';
import { useAccount } from '../account.js';
import { ApiError } from '../api.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';

interface SavedAddress {
  id: string;
  first_name: string | null;
  last_name: string | null;
  address_1: string;
  city: string;
  postal_code: string | null;
  country_code: string;
  phone: string | null;
  is_default: boolean;
}
type Draft = Pick<
  SavedAddress,
  'first_name' | 'last_name' | 'address_1' | 'city' | 'postal_code' | 'country_code' | 'phone'
>;

const FIELDS = [
  ['first_name', 'address.firstName'],
  ['last_name', 'address.lastName'],
  ['address_1', 'address.street'],
  ['postal_code', 'address.postalCode'],
  ['city', 'address.city'],
  ['phone', 'address.phone'],
] as const;

/** The address book: add, edit and delete, through /store/customers/me/addresses. */
export function AddressesPage() {
  const t = useT();
  const { locale, region } = useShop();
  const { call } = useAccount();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useLoad(`addresses|${version}`, () =>
    call<{ data: SavedAddress[] }>('/store/customers/me/addresses'),
  );
  const countries = region?.countries.length ? region.countries : ['us'];
  const countryName = (code: string) =>
    new Intl.DisplayNames([locale], { type: 'region' }).of(code.toUpperCase()) ?? code;

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      setEditing(null);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.load'));
    }
  }
  const blank = (): Draft => ({
    first_name: '',
    last_name: '',
    address_1: '',
    city: '',
    postal_code: '',
    country_code: countries[0]!,
    phone: '',
  });
  // Empty optional fields are sent as null (cleared), never as empty strings.
  const body = (d: Draft) =>
    Object.fromEntries(
      Object.entries(d).map(([k, v]) => [k, typeof v === 'string' && v.trim() === '' ? null : v]),
    );

  return (
    <>
      <h1>{t('account.addresses')}</h1>
      {list.state === 'error' && <p role="alert">{t('error.load')}</p>}
      {list.data && list.data.data.length === 0 && <p>{t('addresses.empty')}</p>}
      <ul className="addresses">
        {list.data?.data.map((a) => (
          <li key={a.id} className="addresses__item" data-testid="address">
            <address>
              {a.first_name} {a.last_name}
              <br />
              {a.address_1}
              <br />
              {a.postal_code} {a.city}, {countryName(a.country_code)}
            </address>
            {a.is_default && <small>{t('addresses.default')}</small>}
            <button
              type="button"
              className="link"
              onClick={() =>
                setEditing({
                  id: a.id,
                  draft: {
                    first_name: a.first_name ?? '',
                    last_name: a.last_name ?? '',
                    address_1: a.address_1,
                    city: a.city,
                    postal_code: a.postal_code ?? '',
                    country_code: a.country_code,
                    phone: a.phone ?? '',
                  },
                })
              }
            >
              {t('addresses.edit')}
            </button>{' '}
            <button
              type="button"
              className="link"
              onClick={() => run(() => call(`/store/customers/me/addresses/${a.id}`, { method: 'DELETE' }))}
            >
              {t('addresses.delete')}
            </button>
          </li>
        ))}
      </ul>
      {editing ? (
        <form
          className="address-form"
          data-testid="address-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(() =>
              editing.id
                ? call(`/store/customers/me/addresses/${editing.id}`, {
                    method: 'PATCH',
                    body: body(editing.draft),
                  })
                : call('/store/customers/me/addresses', { method: 'POST', body: body(editing.draft) }),
            );
          }}
        >
          {FIELDS.map(([name, label]) => (
            <label key={name}>
              {t(label)}
              <input
                name={name}
                type={name === 'phone' ? 'tel' : 'text'}
                required={name === 'address_1' || name === 'city'}
                value={editing.draft[name] ?? ''}
                onChange={(e) =>
                  setEditing({ ...editing, draft: { ...editing.draft, [name]: e.target.value } })
                }
              />
            </label>
          ))}
          <label>
            {t('address.country')}
            <select
              value={editing.draft.country_code}
              onChange={(e) =>
                setEditing({ ...editing, draft: { ...editing.draft, country_code: e.target.value } })
              }
            >
              {[...new Set([...countries, editing.draft.country_code])].map((code) => (
                <option key={code} value={code}>
                  {countryName(code)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button button--primary">
            {t('addresses.save')}
          </button>{' '}
          <button type="button" className="link" onClick={() => setEditing(null)}>
            {t('addresses.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" className="button" onClick={() => setEditing({ id: null, draft: blank() })}>
          {t('addresses.add')}
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}
