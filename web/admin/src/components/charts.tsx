// ECharts, trimmed to the parts the dashboard draws (line, bar, funnel on canvas): one lazy chunk.
import { BarChart, FunnelChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  LineChart,
  BarChart,
  FunnelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  CanvasRenderer,
]);

type Option = echarts.EChartsCoreOption;

/**
 * One chart; `label` names it for screen readers. `onRendered` fires when a frame with the data has been
 * drawn (ECharts' `rendered`), not when the entry animation ends (`finished`, about a second later).
 */
export function EChart({
  option,
  label,
  testId,
  onRendered,
}: {
  option: Option;
  label: string;
  testId?: string;
  onRendered?: () => void;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = () => instance.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    if (onRendered) instance.on('rendered', onRendered);
    instance.setOption(option, true);
    return () => {
      if (onRendered) instance.off('rendered', onRendered);
    };
  }, [option, onRendered]);
  return <div ref={element} className="chart" role="img" aria-label={label} data-testid={testId} />;
}

export function seriesOption(points: { bucket: string; value: number | null }[], name: string): Option {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: points.map((p) => p.bucket.slice(0, 10)) },
    yAxis: { type: 'value' },
    series: [
      {
        name,
        type: 'line',
        smooth: true,
        showSymbol: false,
        data: points.map((p) => p.value),
        areaStyle: {},
      },
    ],
  };
}

export function funnelOption(steps: { name: string; value: number }[]): Option {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: steps,
      },
    ],
  };
}

export function barOption(minutes: { minute: string; events: number }[]): Option {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 8, top: 8, bottom: 24 },
    xAxis: { type: 'category', data: minutes.map((m) => m.minute.slice(11, 16)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: minutes.map((m) => m.events) }],
  };
}

export default EChart;
