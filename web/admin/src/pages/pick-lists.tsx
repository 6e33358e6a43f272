import { useRef, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { PickList, printOnly } from '../components/pick-list.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useSession } from '../session.js';

/** The warehouse's view: open pick lists of one stock location (or all), each printable on its own. */
export default function PickLists() {
  const t = useT();
  const { can } = useSession();
  const sheets = useRef<HTMLDivElement>(null);
  const locations = useLoad(
    async () => (can('inventory:read') ? must(await api.GET('/admin/stock-locations')).data : []),
    [],
  );
  const [chosen, setChosen] = useState('');
  const shown = (locations.data ?? []).filter((l) => l.active && (!chosen || l.id === chosen));
  return (
    <section>
      <header className="page-header">
        <h1>{t('pickList.title')}</h1>
        <button
          type="button"
          className="secondary no-print"
          onClick={() => printOnly(sheets.current)}
          disabled={shown.length === 0}
        >
          {t('pickList.printAll')}
        </button>
      </header>
      <p className="no-print">{t('pickList.intro')}</p>
      <ErrorMessage error={locations.error} />
      {!can('inventory:read') && <p>{t('pickList.needsInventory')}</p>}
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('pickList.locationFilter')}
          <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">{t('pickList.allLocations')}</option>
            {locations.data?.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.code})
              </option>
            ))}
          </select>
        </label>
      </form>
      <div ref={sheets}>
        {shown.map((location) => (
          <article key={location.id} className="panel">
            <PickList location={location} />
          </article>
        ))}
      </div>
    </section>
  );
}
