import { useState } from 'react';
import { ApiError, api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { dateTime, money } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Operating the store: health, the outbox and its dead letters, backups, and the cost per order. */
export default function System() {
  const t = useT();
  return (
    <section>
      <header className="page-header">
        <h1>{t('system.title')}</h1>
        <a href="/metrics" className="button secondary">
          {t('system.metrics')}
        </a>
      </header>
      <div className="grid-2">
        <Health />
        <Costs />
      </div>
      <Outbox />
      <Backups />
    </section>
  );
}

function Health() {
  const t = useT();
  const health = useLoad(async () => {
    const response = await fetch('/health/ready');
    return (await response.json()) as {
      status: string;
      checks?: Record<string, { status: string; error?: string }>;
    };
  }, []);
  return (
    <article className="panel" data-testid="health">
      <h2>{t('system.health')}</h2>
      <ErrorMessage error={health.error} />
      {health.data && (
        <>
          <p className={health.data.status === 'ok' ? 'up' : 'down'}>{health.data.status}</p>
          <ul>
            {Object.entries(health.data.checks ?? {}).map(([name, check]) => (
              <li key={name}>
                {name}: {check.status} {check.error ?? ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

function Costs() {
  const t = useT();
  const { locale } = useLocale();
  const costs = useLoad(async () => must(await api.GET('/admin/costs')), []);
  const c = costs.data;
  return (
    <article className="panel" data-testid="costs">
      <h2>{t('system.costs')}</h2>
      <ErrorMessage error={costs.error} />
      {c && (
        <dl className="totals">
          <dt>{t('system.costToday')}</dt>
          <dd>{money(c.total, c.currency_code, locale)}</dd>
          <dt>{t('system.perOrder')}</dt>
          <dd>{money(c.per_order, c.currency_code, locale)}</dd>
          <dt>{t('system.per1000Sessions')}</dt>
          <dd>{money(c.per_1000_sessions, c.currency_code, locale)}</dd>
          {c.alert && (
            <>
              <dt>{t('system.alert')}</dt>
              <dd className="down">{money(c.alert_threshold, c.currency_code, locale)}</dd>
            </>
          )}
        </dl>
      )}
    </article>
  );
}

function Outbox() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const outbox = useLoad(async () => must(await api.GET('/admin/system/outbox')), []);
  const action = useAction();
  const [replayed, setReplayed] = useState<number | null>(null);
  const replay = (ids?: string[]) =>
    action.run(async () => {
      const answer = must(await api.POST('/admin/system/outbox/replay', { body: ids ? { ids } : {} }));
      setReplayed(answer.replayed);
      outbox.reload();
    });
  const dead = outbox.data?.dead_letters ?? [];
  return (
    <article className="panel" data-testid="outbox">
      <header className="panel-header">
        <h2>{t('system.outbox')}</h2>
        {can('system:write') && dead.length > 0 && (
          <button type="button" disabled={action.busy} onClick={() => void replay()}>
            {t('system.replayAll')}
          </button>
        )}
      </header>
      <ErrorMessage error={outbox.error ?? action.error} />
      {replayed !== null && <p role="status">{t('system.replayed', { count: replayed })}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('system.subscriber')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('system.count')}</th>
            <th scope="col">{t('system.oldest')}</th>
          </tr>
        </thead>
        <tbody>
          {outbox.data?.backlog.length === 0 && (
            <tr>
              <td colSpan={4}>{t('system.outboxEmpty')}</td>
            </tr>
          )}
          {outbox.data?.backlog.map((row) => (
            <tr key={`${row.subscriber}:${row.status}`}>
              <td>{row.subscriber}</td>
              <td>{row.status}</td>
              <td>{row.count}</td>
              <td>{row.oldest ? dateTime(row.oldest, locale) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('system.deadLetters')}</h3>
      <table data-testid="dead-letters">
        <thead>
          <tr>
            <th scope="col">{t('system.topic')}</th>
            <th scope="col">{t('system.subscriber')}</th>
            <th scope="col">{t('system.attempts')}</th>
            <th scope="col">{t('system.lastError')}</th>
            {can('system:write') && (
              <th scope="col">
                <span className="sr-only">{t('orders.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {dead.length === 0 && (
            <tr>
              <td colSpan={5}>{t('common.none')}</td>
            </tr>
          )}
          {dead.map((letter) => (
            <tr key={letter.id}>
              <td>{letter.topic}</td>
              <td>{letter.subscriber}</td>
              <td>{letter.attempts}</td>
              <td>{letter.last_error ?? ''}</td>
              {can('system:write') && (
                <td>
                  <button type="button" disabled={action.busy} onClick={() => void replay([letter.id])}>
                    {t('system.replay')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

function Backups() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const list = useLoad(async () => must(await api.GET('/admin/system/backups')), []);
  const run = useAction();
  const verify = useAction();
  const [verified, setVerified] = useState<{ name: string; ok: boolean } | null>(null);
  const notConfigured = list.error instanceof ApiError && list.error.code === 'BACKUPS_NOT_CONFIGURED';
  return (
    <article className="panel" data-testid="backups">
      <header className="panel-header">
        <h2>{t('system.backups')}</h2>
        {can('system:write') && !notConfigured && (
          <button
            type="button"
            disabled={run.busy}
            onClick={() =>
              void run.run(async () => {
                must(await api.POST('/admin/system/backups'));
                list.reload();
              })
            }
          >
            {run.busy ? t('system.backingUp') : t('system.backupNow')}
          </button>
        )}
      </header>
      {(run.busy || verify.busy) && <progress aria-label={t('system.working')} />}
      {notConfigured ? <p>{t('system.backupsNotConfigured')}</p> : <ErrorMessage error={list.error} />}
      <ErrorMessage error={run.error ?? verify.error} />
      {verified && (
        <p role="status" className={verified.ok ? 'up' : 'down'}>
          {verified.ok
            ? t('system.verifiedOk', { name: verified.name })
            : t('system.verifiedBad', { name: verified.name })}
        </p>
      )}
      {list.data && <p className="muted">{list.data.target}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('system.backup')}</th>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('system.rows')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data?.data.length === 0 && (
            <tr>
              <td colSpan={4}>{t('common.none')}</td>
            </tr>
          )}
          {list.data?.data.map((backup) => (
            <tr key={backup.name}>
              <td>{backup.name}</td>
              <td>{dateTime(backup.created_at, locale)}</td>
              <td>{backup.rows}</td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  disabled={verify.busy}
                  onClick={() =>
                    void verify.run(async () => {
                      const report = must(
                        await api.POST('/admin/system/backups/{name}/verify', {
                          params: { path: { name: backup.name } },
                        }),
                      );
                      setVerified({ name: report.name, ok: report.ok });
                    })
                  }
                >
                  {t('system.verify')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
