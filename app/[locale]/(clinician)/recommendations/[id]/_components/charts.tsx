'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export type ChartPoint = { label: string; count: number; mean: number | null };
type Common = { data: ChartPoint[]; intlLocale: string; rtl: boolean; countLabel: string; meanLabel: string };

const ACCENT = '#8a3b12';
const SECOND = '#1f5f8b';

/**
 * Charts are pictures of the figure's text summary (its figcaption), so they are hidden from assistive
 * technology and kept out of the tab order (accessibilityLayer off) rather than announced twice.
 * The SVG is laid out left-to-right even on RTL pages (recharts anchors tick text by `direction`), and
 * the category axis is reversed instead, so the first bucket sits on the reader's starting side.
 */
function Frame({ children }: { children: React.ReactElement }) {
  return (
    <div className="chart" dir="ltr" aria-hidden="true">
      <ResponsiveContainer width="100%" height={240}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}

/** Vertical bars; `horizontal` lays bars sideways so long category names (mizaj types) stay readable. */
export function CountBarChart({ data, intlLocale, rtl, countLabel, meanLabel, horizontal = false }: Common & { horizontal?: boolean }) {
  const nf = new Intl.NumberFormat(intlLocale);
  const df = new Intl.NumberFormat(intlLocale, { maximumFractionDigits: 2 });
  if (horizontal) {
    return (
      <Frame>
        <BarChart data={data} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" reversed={rtl} allowDecimals={false} tickFormatter={(v: number) => nf.format(v)} />
          <YAxis type="category" dataKey="label" orientation={rtl ? 'right' : 'left'} width={96} tick={{ fontSize: 12 }} />
          <Tooltip
            formatter={(value, name) => [name === 'mean' ? df.format(Number(value)) : nf.format(Number(value)), name === 'mean' ? meanLabel : countLabel]}
          />
          <Bar dataKey="count" name="count" fill={ACCENT} isAnimationActive={false} />
        </BarChart>
      </Frame>
    );
  }
  return (
    <Frame>
      <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" reversed={rtl} interval={0} tick={{ fontSize: 12 }} />
        <YAxis orientation={rtl ? 'right' : 'left'} allowDecimals={false} tickFormatter={(v: number) => nf.format(v)} width={40} />
        <Tooltip
          formatter={(value, name) => [name === 'mean' ? df.format(Number(value)) : nf.format(Number(value)), name === 'mean' ? meanLabel : countLabel]}
        />
        <Bar dataKey="count" name="count" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function TrendLineChart({ data, intlLocale, rtl, countLabel, meanLabel }: Common) {
  const nf = new Intl.NumberFormat(intlLocale);
  const df = new Intl.NumberFormat(intlLocale, { maximumFractionDigits: 2 });
  return (
    <Frame>
      <LineChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" reversed={rtl} tick={{ fontSize: 11 }} />
        <YAxis yAxisId="count" orientation={rtl ? 'right' : 'left'} allowDecimals={false} tickFormatter={(v: number) => nf.format(v)} width={40} />
        <YAxis yAxisId="mean" orientation={rtl ? 'left' : 'right'} domain={[1, 5]} tickFormatter={(v: number) => nf.format(v)} width={30} />
        <Tooltip
          formatter={(value, name) => [name === 'mean' ? df.format(Number(value)) : nf.format(Number(value)), name === 'mean' ? meanLabel : countLabel]}
        />
        <Legend formatter={(name) => (name === 'mean' ? meanLabel : countLabel)} />
        <Line yAxisId="count" type="monotone" dataKey="count" name="count" stroke={ACCENT} strokeWidth={2} isAnimationActive={false} />
        <Line yAxisId="mean" type="monotone" dataKey="mean" name="mean" stroke={SECOND} strokeWidth={2} strokeDasharray="5 3" connectNulls isAnimationActive={false} />
      </LineChart>
    </Frame>
  );
}
