import { useMemo, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { dateTime } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';

/** The append-only audit log, newest first, with filters and a check of its hash chain. */
export default function AuditLog() {
  const t = useT();
  const { locale } = useLocale();
  const [filters, setFilters] = useState({ action: '', actor_id: '', target_id: '', outcome: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const query = useMemo(() => {
    const q: Record<string, string | number> = { limit: 50 };
    for (const [key, value] of Object.entries(filters)) if (value.trim()) q[key] = value.trim();
    if (cursors.length) q.cursor = cursors[cursors.length - 1]!;
    return q;
  }, [filters, cursors]);
  const entries = useLoad(
    async () => must(await api.GET('/admin/audit-log', { params: { query } })),
    [query],
  );
  const verify = useAction();
  const [verdict, setVerdict] = useState<{ ok: boolean; entries: number } | null>(null);
  const set = (key: keyof typeof filters) => (event: { target: { value: string } }) => {
    setCursors([]);
    setFilters({ ...filters, [key]: event.target.value });
  };
  return (
    <section>
      <header className="page-header">
        <h1>{t('audit.title')}</h1>
        <button
          type="button"
          className="secondary"
          disabled={verify.busy}
          onClick={() =>
            void verify.run(async () => setVerdict(must(await api.POST('/admin/audit-log/verify'))))
          }
        >
          {t('audit.verify')}
        </button>
      </header>
      {verdict && (
        <p role="status">
          {verdict.ok ? t('audit.chainOk', { entries: verdict.entries }) : t('audit.chainBroken')}
        </p>
      )}
      <ErrorMessage error={verify.error ?? entries.error} />
      <search>
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            {t('audit.action')}
            <input value={filters.action} onChange={set('action')} placeholder="staff.login" />
          </label>
          <label>
            {t('audit.actor')}
            <input value={filters.actor_id} onChange={set('actor_id')} />
          </label>
          <label>
            {t('audit.target')}
            <input value={filters.target_id} onChange={set('target_id')} />
          </label>
          <label>
            {t('audit.outcome')}
            <select value={filters.outcome} onChange={set('outcome')}>
              <option value="">{t('common.any')}</option>
              <option value="success">{t('audit.success')}</option>
              <option value="failure">{t('audit.failure')}</option>
            </select>
          </label>
        </form>
      </search>
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.data?.data.map((entry) => (
            <tr key={entry.id}>
              <td>{dateTime(entry.at, locale)}</td>
              <td>{entry.action}</td>
              <td>
                {entry.actor_kind} {entry.actor_id ?? ''}
              </td>
              <td>
                {entry.target_type ?? ''} {entry.target_id ?? ''}
              </td>
              <td>{entry.outcome === 'success' ? t('audit.success') : t('audit.failure')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={entries.data?.next_cursor} />
    </section>
  );
}
