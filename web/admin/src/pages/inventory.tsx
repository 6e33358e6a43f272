import { type FormEvent, useState } from 'react';
import { searchVariants } from '../api/catalog-search.js';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { SearchPicker } from '../components/search-picker.js';
import { dateTime } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Stock levels per location, adjustments with a reason, and what runs low. */
export default function Inventory() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const [location, setLocation] = useState('');
  const locations = useLoad(async () => must(await api.GET('/admin/stock-locations')), []);
  const levels = useLoad(
    async () =>
      must(
        await api.GET('/admin/inventory/levels', {
          params: { query: { limit: 100, ...(location ? { location_id: location } : {}) } },
        }),
      ),
    [location],
  );
  const lowStock = useLoad(async () => must(await api.GET('/admin/inventory/low-stock')), [levels.data]);
  const movements = useLoad(
    async () =>
      must(
        await api.GET('/admin/inventory/movements', {
          params: { query: { limit: 25, ...(location ? { location_id: location } : {}) } },
        }),
      ),
    [location, levels.data],
  );
  const names = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));
  const canWrite = can('inventory:write');
  // A variant with no level yet (new stock, a new location) is found by typing, not from the table.
  const [anyVariant, setAnyVariant] = useState<string[]>([]);
  const [anyLocation, setAnyLocation] = useState('');

  return (
    <section>
      <h1>{t('inventory.title')}</h1>
      <div className="filters">
        <label>
          {t('inventory.location')}
          <select value={location} onChange={(e) => setLocation(e.target.value)}>
            <option value="">{t('common.any')}</option>
            {locations.data?.data.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={levels.error} />
      {canWrite && can('catalog:read') && (
        <article className="panel" data-testid="adjust-any">
          <h2>{t('inventory.adjustAny')}</h2>
          <div className="filters">
            <SearchPicker
              label={t('inventory.variant')}
              what={t('inventory.variantPicker')}
              value={anyVariant}
              onChange={setAnyVariant}
              search={searchVariants}
              multiple={false}
            />
            <label>
              {t('inventory.location')}
              <select value={anyLocation} onChange={(e) => setAnyLocation(e.target.value)}>
                <option value="">—</option>
                {locations.data?.data.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {anyVariant[0] && anyLocation && (
            <Adjust variantId={anyVariant[0]} locationId={anyLocation} onDone={levels.reload} />
          )}
        </article>
      )}
      <table data-testid="inventory-table">
        <thead>
          <tr>
            <th scope="col">{t('inventory.variant')}</th>
            <th scope="col">{t('inventory.location')}</th>
            <th scope="col">{t('inventory.onHand')}</th>
            <th scope="col">{t('inventory.reserved')}</th>
            <th scope="col">{t('inventory.available')}</th>
            <th scope="col">{t('inventory.updated')}</th>
            {canWrite && <th scope="col">{t('inventory.adjust')}</th>}
          </tr>
        </thead>
        <tbody>
          {levels.data?.data.length === 0 && (
            <tr>
              <td colSpan={7}>{t('common.none')}</td>
            </tr>
          )}
          {levels.data?.data.map((level) => (
            <tr key={`${level.variant_id}:${level.location_id}`} data-variant={level.variant_id}>
              <td>{level.variant_id}</td>
              <td>{names.get(level.location_id) ?? level.location_id}</td>
              <td data-testid="on-hand">{level.on_hand}</td>
              <td>{level.reserved}</td>
              <td>{level.available}</td>
              <td>{dateTime(level.updated_at, locale)}</td>
              {canWrite && (
                <td>
                  <Adjust
                    variantId={level.variant_id}
                    locationId={level.location_id}
                    onDone={levels.reload}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <article className="panel">
        <h2>{t('inventory.movements')}</h2>
        <table data-testid="movements">
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('inventory.variant')}</th>
              <th scope="col">{t('inventory.location')}</th>
              <th scope="col">{t('inventory.onHand')}</th>
              <th scope="col">{t('inventory.reserved')}</th>
              <th scope="col">{t('inventory.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {movements.data?.data.map((m) => (
              <tr key={m.id}>
                <td>{dateTime(m.created_at, locale)}</td>
                <td>{m.variant_id}</td>
                <td>{names.get(m.location_id) ?? m.location_id}</td>
                <td>{m.on_hand_delta > 0 ? `+${m.on_hand_delta}` : m.on_hand_delta}</td>
                <td>{m.reserved_delta > 0 ? `+${m.reserved_delta}` : m.reserved_delta}</td>
                <td>{m.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </article>
      <article className="panel">
        <h2>{t('inventory.lowStock')}</h2>
        <ul data-testid="low-stock">
          {(lowStock.data?.data ?? []).length === 0 && <li>{t('common.none')}</li>}
          {lowStock.data?.data.map((row) => (
            <li key={`${row.variant_id}:${row.location_id}`}>
              {row.variant_id} · {names.get(row.location_id) ?? row.location_id}: {row.available}
            </li>
          ))}
        </ul>
      </article>
    </section>
  );
}

function Adjust({
  variantId,
  locationId,
  onDone,
}: {
  variantId: string;
  locationId: string;
  onDone: () => void;
}) {
  const t = useT();
  const action = useAction();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(async () =>
        must(
          await api.POST('/admin/inventory/adjustments', {
            body: { variant_id: variantId, location_id: locationId, delta: Number(delta), reason },
          }),
        ),
      )
      .then((done) => {
        if (!done) return;
        setDelta('');
        setReason('');
        onDone();
      });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label>
        {t('inventory.delta')}
        <input
          type="number"
          step={1}
          value={delta}
          onChange={(e) => setDelta(e.target.value)}
          required
          size={5}
        />
      </label>
      <label>
        {t('inventory.reason')}
        <input value={reason} onChange={(e) => setReason(e.target.value)} required />
      </label>
      <button type="submit" disabled={action.busy}>
        {t('inventory.apply')}
      </button>
      <ErrorMessage error={action.error} />
    </form>
  );
}
