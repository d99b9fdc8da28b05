import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type uPlot from 'uplot';
import { alignedColumns, type ChartData, type ValueKind } from './chart-data';
import { ChartLegend } from './chart-legend';
import { chartOptions } from './chart-options';
import { cssColour, useColourScheme } from './colour-scheme';
import './charts.css';

// The dashboard's one chart: a time series drawn by uPlot on a canvas, sized
// to its container, redrawn when its data or the colour scheme changes. The
// canvas is hidden from assistive technology: every chart has the same
// numbers in a table next to it, named by `describedBy`.
//
// uPlot is loaded here, on first use, so it never weighs on the first page
// whichever page shows a chart.

let loading: Promise<typeof uPlot> | undefined;
function loadUPlot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
    ([module]) => module.default,
  );
  return loading;
}

/** False where there is no 2D canvas (old browsers, test DOMs): the table then stands alone. */
export function canDrawCharts(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export interface TimeChartProps {
  /** What the chart shows, as its caption. */
  title: ReactNode;
  data: ChartData;
  /** How the y axis reads. */
  value: ValueKind;
  yMin?: number;
  yMax?: number;
  /** CSS pixels; the width follows the container. */
  height?: number;
  /** The id of the table (or text) with the same numbers. */
  describedBy?: string;
  /** Said under the chart, e.g. why a condition has no line. */
  note?: ReactNode;
}

export function TimeChart({
  title,
  data,
  value,
  yMin,
  yMax,
  height = 200,
  describedBy,
  note,
}: TimeChartProps) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const scheme = useColourScheme();
  const [canvas] = useState(canDrawCharts);
  const empty = data.series.every((series) => series.values.every((value) => value === null));
  const drawable = canvas && !empty;
  const [failure, setFailure] = useState<string | undefined>();
  // Redraw when the numbers change, not on every render of the page above.
  const dataKey = JSON.stringify(data);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const element = box.current;
    if (!drawable || !element) return;
    let plot: uPlot | undefined;
    let resize: ResizeObserver | undefined;
    let cancelled = false;
    loadUPlot().then(
      (UPlot) => {
        if (cancelled) return;
        const chart = latest.current;
        plot = new UPlot(
          chartOptions(UPlot, {
            data: chart,
            value,
            ...(yMin !== undefined ? { yMin } : {}),
            ...(yMax !== undefined ? { yMax } : {}),
            width: Math.max(element.clientWidth, 200),
            height,
            colour: (name) => cssColour(element, name),
          }),
          alignedColumns(chart),
          element,
        );
        setFailure(undefined);
        if (typeof ResizeObserver !== 'undefined') {
          resize = new ResizeObserver(() => {
            if (element.clientWidth > 0) plot?.setSize({ width: element.clientWidth, height });
          });
          resize.observe(element);
        }
      },
      (error: unknown) => {
        if (!cancelled) setFailure(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      cancelled = true;
      resize?.disconnect();
      plot?.destroy();
    };
  }, [drawable, dataKey, scheme, value, yMin, yMax, height]);

  return (
    <figure className="time-chart" aria-labelledby={titleId} aria-describedby={describedBy}>
      <figcaption id={titleId} className="time-chart-title">
        {title}
      </figcaption>
      {drawable && (
        <div ref={box} className="time-chart-plot" style={{ minHeight: height }} aria-hidden="true" />
      )}
      {empty && <p className="muted small">No value to draw in this range.</p>}
      {!canvas && !empty && (
        <p className="muted small">This browser cannot draw charts; the table has every value.</p>
      )}
      {failure && (
        <p className="notice warn small">
          The chart could not be drawn ({failure}); the table has every value.
        </p>
      )}
      <ChartLegend series={data.series} thresholds={data.thresholds ?? []} />
      {note && <p className="muted small">{note}</p>}
    </figure>
  );
}
