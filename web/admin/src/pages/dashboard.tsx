import { lazy, Suspense, useCallback, useMemo, useRef, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { count, isoDay, money, percent } from '../format.js';
import { useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';

// The chart library loads with the first chart, after the KPI cards have drawn.
const EChart = lazy(() => import('../components/charts.js'));
const chartOptions = () => import('../components/charts.js');

const KPIS = [
  ['revenue', 'money'],
  ['orders', 'count'],
  ['aov', 'money'],
  ['conversion_rate', 'percent'],
  ['cart_abandonment_rate', 'percent'],
  ['sessions', 'count'],
] as const;
const SERIES = ['revenue', 'orders', 'sessions', 'conversion_rate', 'aov', 'cart_abandonment_rate'] as const;
type SeriesMetric = (typeof SERIES)[number];
/** Whole days up to yesterday (today is still incomplete). */
const PRESETS = [7, 30, 90];
const ZONES = ['', 'UTC', 'Europe/Warsaw', 'Europe/London', 'America/New_York', 'America/Los_Angeles'];

interface Range {
  from: string;
  to: string;
  tz: string;
}

/** Marks the first complete render (KPIs plus every chart) for the Performance API; the browser test reads it. */
function useFirstRenderMark(parts: number) {
  const done = useRef(new Set<string>());
  return useCallback(
    (part: string) => {
      done.current.add(part);
      if (done.current.size === parts && performance.getEntriesByName('dashboard-rendered').length === 0)
        performance.mark('dashboard-rendered');
    },
    [parts],
  );
}

export default function Dashboard() {
  const t = useT();
  const { locale } = useLocale();
  const [range, setRange] = useState<Range>({ from: isoDay(-30), to: isoDay(-1), tz: '' });
  const [metric, setMetric] = useState<SeriesMetric>('revenue');
  const query = useMemo(
    () => ({ from: range.from, to: range.to, ...(range.tz ? { tz: range.tz } : {}) }),
    [range],
  );
  const rendered = useFirstRenderMark(2);
  const onSeriesRendered = useCallback(() => rendered('series'), [rendered]);
  const onFunnelRendered = useCallback(() => rendered('funnel'), [rendered]);

  const kpis = useLoad(
    async () => must(await api.GET('/admin/analytics/kpis', { params: { query } })),
    [query],
  );
  const series = useLoad(
    async () =>
      must(
        await api.GET('/admin/analytics/timeseries', {
          params: { query: { ...query, metric, interval: 'day' } },
        }),
      ),
    [query, metric],
  );
  const products = useLoad(
    async () =>
      must(
        await api.GET('/admin/analytics/products', {
          params: { query: { ...query, sort: 'revenue', limit: 5 } },
        }),
      ),
    [query],
  );
  const categories = useLoad(
    async () =>
      must(await api.GET('/admin/analytics/categories', { params: { query: { ...query, limit: 5 } } })),
    [query],
  );
  const searches = useLoad(
    async () =>
      must(await api.GET('/admin/analytics/searches', { params: { query: { ...query, limit: 5 } } })),
    [query],
  );
  const live = useLoad(async () => must(await api.GET('/admin/analytics/realtime')), []);
  const options = useLoad(chartOptions, []);

  const currency = kpis.data?.currency_code ?? 'usd';
  const format = (kind: 'money' | 'count' | 'percent', value: number | null | undefined) =>
    kind === 'money'
      ? money(value, currency, locale)
      : kind === 'percent'
        ? percent(value, locale)
        : count(value, locale);
  const exportHref = `/admin/analytics/export?${new URLSearchParams({ report: 'kpis', ...query })}`;
  const funnelSteps =
    kpis.data?.current.funnel.map((step) => ({
      name: t(`funnel.${step.step}` as MessageKey),
      value: step.sessions,
    })) ?? [];

  return (
    <section>
      <header className="page-header">
        <h1>{t('dashboard.title')}</h1>
        <a className="button" href={exportHref} download data-testid="export-csv">
          {t('dashboard.export')}
        </a>
      </header>
      <fieldset className="filters">
        <legend>{t('dashboard.range')}</legend>
        <label>
          {t('dashboard.preset')}
          <select
            value={PRESETS.find((days) => range.from === isoDay(-days) && range.to === isoDay(-1)) ?? ''}
            onChange={(e) => {
              const days = Number(e.target.value);
              if (days) setRange({ ...range, from: isoDay(-days), to: isoDay(-1) });
            }}
          >
            <option value="">{t('dashboard.custom')}</option>
            {PRESETS.map((days) => (
              <option key={days} value={days}>
                {t('dashboard.lastDays', { days })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('dashboard.from')}
          <input
            type="date"
            value={range.from}
            max={range.to}
            onChange={(e) => setRange({ ...range, from: e.target.value })}
          />
        </label>
        <label>
          {t('dashboard.to')}
          <input
            type="date"
            value={range.to}
            min={range.from}
            onChange={(e) => setRange({ ...range, to: e.target.value })}
          />
        </label>
        <label>
          {t('dashboard.timeZone')}
          <select value={range.tz} onChange={(e) => setRange({ ...range, tz: e.target.value })}>
            {ZONES.map((zone) => (
              <option key={zone} value={zone}>
                {zone || t('dashboard.storeZone')}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <ErrorMessage error={kpis.error} />
      <div className="kpis">
        {KPIS.map(([name, kind]) => {
          const change = kpis.data?.change[name];
          return (
            <article key={name} className="kpi" data-testid={`kpi-${name}`}>
              <h2>{t(`kpi.${name}`)}</h2>
              <p className="value" data-testid="kpi-value">
                {kpis.data ? format(kind, kpis.data.current[name]) : '…'}
              </p>
              <p className="previous">
                {t('dashboard.previous', { value: kpis.data ? format(kind, kpis.data.previous[name]) : '…' })}
                {change !== undefined && change !== null && (
                  <span className={change >= 0 ? 'up' : 'down'}>
                    {' '}
                    {change >= 0 ? '▲' : '▼'} {percent(Math.abs(change), locale)}
                  </span>
                )}
              </p>
            </article>
          );
        })}
      </div>
      <div className="grid-2">
        <article className="panel">
          <header className="panel-header">
            <h2>{t('dashboard.trend')}</h2>
            <label>
              {t('dashboard.metric')}
              <select
                data-testid="metric-select"
                value={metric}
                onChange={(e) => setMetric(e.target.value as SeriesMetric)}
              >
                {SERIES.map((m) => (
                  <option key={m} value={m}>
                    {t(`kpi.${m}`)}
                  </option>
                ))}
              </select>
            </label>
          </header>
          <ErrorMessage error={series.error} />
          <Suspense fallback={<p>{t('common.loading')}</p>}>
            {series.data && options.data && (
              <EChart
                testId="series-chart"
                label={t('dashboard.trend')}
                option={options.data.seriesOption(series.data.data, t(`kpi.${metric}`))}
                onRendered={onSeriesRendered}
              />
            )}
          </Suspense>
          <p className="sr-only" data-testid="series-points">
            {series.data?.data.filter((p) => p.value).length ?? 0}
          </p>
        </article>
        <article className="panel">
          <h2>{t('dashboard.funnel')}</h2>
          <Suspense fallback={<p>{t('common.loading')}</p>}>
            {kpis.data && options.data && (
              <EChart
                testId="funnel-chart"
                label={t('dashboard.funnel')}
                option={options.data.funnelOption(funnelSteps)}
                onRendered={onFunnelRendered}
              />
            )}
          </Suspense>
          <ul className="dropoffs">
            {kpis.data?.current.funnel.map((step) => (
              <li key={step.step}>
                {t(`funnel.${step.step}` as MessageKey)}: {count(step.sessions, locale)}
                {step.drop_off !== null && ` (${t('dashboard.dropOff')} ${percent(step.drop_off, locale)})`}
              </li>
            ))}
          </ul>
        </article>
      </div>
      <div className="grid-3">
        <Table
          title={t('dashboard.topProducts')}
          testId="top-products"
          head={[t('common.product'), t('kpi.orders'), t('kpi.revenue')]}
          rows={(products.data?.data ?? []).map((p) => [
            p.name ?? p.product_id,
            count(p.orders, locale),
            money(p.revenue, currency, locale),
          ])}
        />
        <Table
          title={t('dashboard.topCategories')}
          testId="top-categories"
          head={[t('common.category'), t('kpi.orders'), t('kpi.revenue')]}
          rows={(categories.data?.data ?? []).map((c) => [
            c.category,
            count(c.orders, locale),
            money(c.revenue, currency, locale),
          ])}
        />
        <Table
          title={t('dashboard.topSearches')}
          testId="top-searches"
          head={[t('common.term'), t('dashboard.searches')]}
          rows={(searches.data?.top ?? []).map((s) => [s.term, count(s.searches, locale)])}
        />
        <Table
          title={t('dashboard.zeroResults')}
          testId="zero-results"
          head={[t('common.term'), t('dashboard.searches')]}
          rows={(searches.data?.zero_results ?? []).map((s) => [s.term, count(s.searches, locale)])}
        />
        <article className="panel" data-testid="live-panel">
          <h2>{t('dashboard.live')}</h2>
          {live.data && (
            <dl className="live">
              <dt>{t('live.visitors')}</dt>
              <dd>{count(live.data.active_visitors, locale)}</dd>
              <dt>{t('live.carts')}</dt>
              <dd>{count(live.data.carts_created, locale)}</dd>
              <dt>{t('kpi.orders')}</dt>
              <dd>{count(live.data.orders, locale)}</dd>
              <dt>{t('kpi.revenue')}</dt>
              <dd>{money(live.data.revenue, live.data.currency_code, locale)}</dd>
            </dl>
          )}
          <Suspense fallback={null}>
            {live.data && options.data && live.data.events_per_minute.length > 0 && (
              <EChart
                label={t('dashboard.live')}
                option={options.data.barOption(live.data.events_per_minute)}
              />
            )}
          </Suspense>
        </article>
      </div>
    </section>
  );
}

function Table({
  title,
  head,
  rows,
  testId,
}: {
  title: string;
  head: string[];
  rows: string[][];
  testId: string;
}) {
  const t = useT();
  return (
    <article className="panel">
      <h2>{title}</h2>
      <table data-testid={testId}>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={head.length}>{t('common.none')}</td>
            </tr>
          ) : (
            rows.map((row, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are a ranked list redrawn whole
              <tr key={index}>
                {row.map((cell, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </article>
  );
}
