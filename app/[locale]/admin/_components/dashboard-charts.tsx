'use client';

import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes } from '@/lib/admin/format';
import type { DashboardSeries } from '@/lib/admin/series';

export type ChartLabels = {
  memory: string;
  used: string;
  peak: string;
  max: string;
  hitRate: string;
  overall: string;
  churn: string;
  evicted: string;
  expired: string;
  ops: string;
  opsUnit: string;
  empty: string;
  memoryNote: string;
  hitRateNote: string;
  churnNote: string;
  opsNote: string;
  categories: Record<string, string>;
};

type Props = {
  locale: string;
  intlLocale: string;
  rtl: boolean;
  rangeMs: number;
  series: Pick<DashboardSeries, 'memory' | 'hitRate' | 'churn' | 'ops'>;
  categories: string[];
  labels: ChartLabels;
};

const COLORS = ['#1f5f8b', '#2e7d32', '#b26a00', '#6a3d9a', '#c2185b', '#00796b', '#5d4037'];
const ACCENT = '#8a3b12';
const HEIGHT = 240;

/**
 * Time runs along the reading direction: on RTL pages the x axis is reversed (and the value axis moves to
 * the right) while the SVG itself stays LTR so recharts places tick text correctly.
 */
function Figure(props: { id: string; title: string; note: string; points: number; empty: string; summary: string; children: ReactElement }) {
  return (
    <figure data-chart={props.id} data-points={props.points} className="admin-chart">
      <figcaption>
        <strong>{props.title}</strong>
        <span className="muted small"> — {props.note}</span>
      </figcaption>
      {props.points === 0 ? (
        <p className="chart-empty muted">{props.empty}</p>
      ) : (
        <>
          {/* The drawing is hidden from assistive technology; this line says what it shows. */}
          <p className="visually-hidden">{props.summary}</p>
          <div className="chart" dir="ltr" aria-hidden="true">
            <ResponsiveContainer width="100%" height={HEIGHT}>
              {props.children}
            </ResponsiveContainer>
          </div>
        </>
      )}
    </figure>
  );
}

export function DashboardCharts({ locale, intlLocale, rtl, rangeMs, series, categories, labels }: Props) {
  const long = rangeMs > 26 * 3_600_000;
  const timeFmt = new Intl.DateTimeFormat(intlLocale, long ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit', ...(rangeMs <= 3_600_000 ? { second: '2-digit' } : {}) });
  const tick = (t: number) => timeFmt.format(new Date(t));
  const nf = new Intl.NumberFormat(intlLocale, { maximumFractionDigits: 1 });
  const pf = new Intl.NumberFormat(intlLocale, { style: 'percent', maximumFractionDigits: 0 });
  const pf1 = new Intl.NumberFormat(intlLocale, { style: 'percent', maximumFractionDigits: 1 });
  const bytes = (v: number) => formatBytes(locale, v);
  const x = <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} reversed={rtl} tickFormatter={tick} tick={{ fontSize: 11 }} minTickGap={40} />;
  const grid = <CartesianGrid strokeDasharray="3 3" vertical={false} />;
  const margin = { top: 8, right: 12, bottom: 4, left: 12 };
  const yOrientation = rtl ? 'right' : 'left';
  const tooltipLabel = (t: unknown) => new Date(Number(t)).toLocaleString(intlLocale);
  const hasMax = series.memory.some((p) => p.max !== null);
  const lastMem = series.memory.at(-1);
  const lastHit = series.hitRate.findLast((p) => p.overall !== null);
  const lastOps = series.ops.at(-1);
  const churnTotals = series.churn.reduce((a, c) => ({ evicted: a.evicted + c.evicted, expired: a.expired + c.expired }), { evicted: 0, expired: 0 });
  const summaries = {
    memory: lastMem ? `${labels.used} ${bytes(lastMem.used)}, ${labels.peak} ${bytes(lastMem.peak)}${lastMem.max !== null ? `, ${labels.max} ${bytes(lastMem.max)}` : ''}` : '',
    hitRate: lastHit?.overall != null ? `${labels.overall} ${pf1.format(lastHit.overall)}` : '',
    churn: `${labels.evicted} ${nf.format(churnTotals.evicted)}, ${labels.expired} ${nf.format(churnTotals.expired)}`,
    ops: lastOps ? `${nf.format(lastOps.ops)} ${labels.opsUnit}` : '',
  };

  return (
    <div className="chart-grid">
      <Figure id="memory" title={labels.memory} note={labels.memoryNote} points={series.memory.length} empty={labels.empty} summary={summaries.memory}>
        <LineChart data={series.memory} margin={margin} accessibilityLayer={false}>
          {grid}
          {x}
          <YAxis orientation={yOrientation} tickFormatter={bytes} width={72} tick={{ fontSize: 11 }} domain={[0, 'auto']} />
          <Tooltip labelFormatter={tooltipLabel} formatter={(v) => bytes(Number(v))} />
          <Legend />
          <Line type="monotone" dataKey="used" name={labels.used} stroke={ACCENT} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="peak" name={labels.peak} stroke={COLORS[0]} strokeDasharray="5 3" dot={false} isAnimationActive={false} />
          {hasMax ? <Line type="stepAfter" dataKey="max" name={labels.max} stroke={COLORS[4]} strokeWidth={1.5} dot={false} isAnimationActive={false} /> : null}
        </LineChart>
      </Figure>

      <Figure id="hit-rate" title={labels.hitRate} note={labels.hitRateNote} points={series.hitRate.length} empty={labels.empty} summary={summaries.hitRate}>
        <LineChart data={series.hitRate} margin={margin} accessibilityLayer={false}>
          {grid}
          {x}
          <YAxis orientation={yOrientation} domain={[0, 1]} tickFormatter={(v: number) => pf.format(v)} width={48} tick={{ fontSize: 11 }} />
          <Tooltip labelFormatter={tooltipLabel} formatter={(v) => (v === null || v === undefined ? '—' : pf1.format(Number(v)))} />
          <Legend />
          <Line type="monotone" dataKey="overall" name={labels.overall} stroke="#1f2328" strokeWidth={3} dot={false} connectNulls isAnimationActive={false} />
          {categories.map((c, i) => (
            <Line key={c} type="monotone" dataKey={c} name={labels.categories[c] ?? c} stroke={COLORS[i % COLORS.length]} strokeWidth={1.5} dot={false} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </Figure>

      <Figure id="churn" title={labels.churn} note={labels.churnNote} points={series.churn.length} empty={labels.empty} summary={summaries.churn}>
        <BarChart data={series.churn} margin={margin} accessibilityLayer={false}>
          {grid}
          {x}
          <YAxis orientation={yOrientation} allowDecimals={false} tickFormatter={(v: number) => nf.format(v)} width={48} tick={{ fontSize: 11 }} />
          <Tooltip labelFormatter={tooltipLabel} formatter={(v) => nf.format(Number(v))} />
          <Legend />
          <Bar dataKey="evicted" name={labels.evicted} fill={COLORS[4]} isAnimationActive={false} />
          <Bar dataKey="expired" name={labels.expired} fill={COLORS[0]} isAnimationActive={false} />
        </BarChart>
      </Figure>

      <Figure id="ops" title={labels.ops} note={labels.opsNote} points={series.ops.length} empty={labels.empty} summary={summaries.ops}>
        <LineChart data={series.ops} margin={margin} accessibilityLayer={false}>
          {grid}
          {x}
          <YAxis orientation={yOrientation} tickFormatter={(v: number) => nf.format(v)} width={56} tick={{ fontSize: 11 }} domain={[0, 'auto']} />
          <Tooltip labelFormatter={tooltipLabel} formatter={(v) => `${nf.format(Number(v))} ${labels.opsUnit}`} />
          <Line type="monotone" dataKey="ops" name={labels.ops} stroke={COLORS[1]} strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </Figure>
    </div>
  );
}
