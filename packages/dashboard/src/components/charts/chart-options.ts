import type uPlot from 'uplot';
import {
  formatValue,
  thinTicks,
  TIME_INCREMENTS,
  timeTicks,
  xRange,
  yRange,
  type ChartData,
  type ChartSeries,
  type PointShape,
  type ValueKind,
} from './chart-data';

// ChartData → uPlot options. uPlot draws the axes, the lines and the cursor;
// the marks of `points` series (one shape per series) and the threshold lines
// are drawn here in its draw hook, on its canvas, in canvas pixels.

export interface ChartOptionsInput {
  data: ChartData;
  value: ValueKind;
  yMin?: number;
  yMax?: number;
  width: number;
  height: number;
  /** Resolves a ChartColour (or another variable name) to a colour for the canvas. */
  colour: (name: string) => string;
}

const UTC = 'Etc/UTC';
const SIZE = 5; // CSS px: half the width of a mark

export function chartOptions(UPlot: typeof uPlot, input: ChartOptionsInput): uPlot.Options {
  const { data, value, colour } = input;
  const text = colour('fg-muted');
  const rule = colour('border');
  const axis: uPlot.Axis = {
    stroke: text,
    grid: { stroke: rule, width: 1 },
    ticks: { stroke: rule, width: 1 },
  };
  const thresholds = data.thresholds ?? [];
  return {
    width: input.width,
    height: input.height,
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    // Times read in UTC, as everywhere else in the dashboard.
    tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), UTC),
    scales: {
      x: { time: true, range: (_plot, min, max) => xRange(min, max) },
      y: {
        range: (_plot, min, max) =>
          yRange(min, max, {
            thresholds: thresholds.map((line) => line.value),
            ...(input.yMin !== undefined ? { min: input.yMin } : {}),
            ...(input.yMax !== undefined ? { max: input.yMax } : {}),
          }),
      },
    },
    axes: [
      {
        ...axis,
        space: 80,
        incrs: TIME_INCREMENTS,
        values: (_plot, splits, _axis, _space, increment) => timeTicks(splits, increment),
        ...(data.xTicks === 'data'
          ? { splits: (plot) => thinTicks(data.x, plot.bbox.width / UPlot.pxRatio, 80) }
          : {}),
      },
      {
        ...axis,
        size: 64,
        values: (_plot, splits) => splits.map((split) => formatValue(value, split)),
      },
    ],
    series: [{}, ...data.series.map((series) => seriesOptions(UPlot, series, colour))],
    hooks: {
      draw: [
        (plot) => {
          const ctx = plot.ctx;
          const { left, top, width, height } = plot.bbox;
          // Marks on the plot's edge (a value of 0, the first measurement) stay whole.
          const margin = SIZE * UPlot.pxRatio + 2;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left - margin, top - margin, width + 2 * margin, height + 2 * margin);
          ctx.clip();
          for (const line of thresholds) {
            const y = plot.valToPos(line.value, 'y', true);
            ctx.strokeStyle = colour(line.colour);
            ctx.lineWidth = 2 * UPlot.pxRatio;
            ctx.setLineDash([6 * UPlot.pxRatio, 4 * UPlot.pxRatio]);
            if (y < top || y > top + height) continue;
            ctx.beginPath();
            ctx.moveTo(left, y);
            ctx.lineTo(left + width, y);
            ctx.stroke();
          }
          ctx.setLineDash([]);
          data.series.forEach((series, index) => {
            if (series.style !== 'points') return;
            ctx.fillStyle = colour(series.colour);
            ctx.strokeStyle = colour(series.colour);
            series.values.forEach((y, at) => {
              const x = data.x[at];
              if (y === null || x === undefined || !plot.series[index + 1]?.show) return;
              drawMark(
                ctx,
                series.shape ?? 'circle',
                plot.valToPos(x, 'x', true),
                plot.valToPos(y, 'y', true),
                SIZE * UPlot.pxRatio,
              );
            });
          });
          ctx.restore();
        },
      ],
    },
  };
}

function seriesOptions(
  UPlot: typeof uPlot,
  series: ChartSeries,
  colour: (name: string) => string,
): uPlot.Series {
  const stroke = colour(series.colour);
  switch (series.style) {
    case 'line':
      return {
        label: series.label,
        stroke,
        width: 2,
        points: { show: true, size: 6, fill: stroke, stroke },
      };
    case 'step':
      return {
        label: series.label,
        stroke,
        width: 2,
        paths: UPlot.paths.stepped?.({ align: 1 }),
        points: { show: false },
      };
    case 'points':
      // No line: the marks are drawn by the draw hook, each series with its shape.
      return { label: series.label, stroke, width: 0, paths: () => null, points: { show: false } };
  }
}

/** One mark centred on (x, y), `r` being half its width, in canvas pixels. */
export function drawMark(ctx: CanvasRenderingContext2D, shape: PointShape, x: number, y: number, r: number) {
  ctx.beginPath();
  switch (shape) {
    case 'circle':
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      return;
    case 'square':
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      ctx.fill();
      return;
    case 'triangle':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      ctx.closePath();
      ctx.fill();
      return;
    case 'diamond':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.fill();
      return;
    case 'cross':
      ctx.lineWidth = r * 0.55;
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      ctx.stroke();
      return;
  }
}
