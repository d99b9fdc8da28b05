import type { ChartSeries, ChartThreshold, PointShape } from './chart-data';

// The legend under a chart, as text: each series with its colour and mark,
// each threshold line with its meaning. Drawn in SVG with the same CSS
// variables as the canvas, so it matches in light and dark.

export function ChartLegend({
  series,
  thresholds = [],
}: {
  series: readonly ChartSeries[];
  thresholds?: readonly ChartThreshold[];
}) {
  if (series.length < 2 && thresholds.length === 0) return null;
  return (
    <ul className="chart-legend small">
      {series.map((item) => (
        <li key={item.label}>
          <LegendMark colour={item.colour} style={item.style} shape={item.shape ?? 'circle'} />
          {item.label}
        </li>
      ))}
      {thresholds.map((line) => (
        <li key={line.label}>
          <LegendMark colour={line.colour} style="threshold" shape="circle" />
          {line.label}
        </li>
      ))}
    </ul>
  );
}

function LegendMark({
  colour,
  style,
  shape,
}: {
  colour: string;
  style: ChartSeries['style'] | 'threshold';
  shape: PointShape;
}) {
  const paint = `var(--${colour})`;
  return (
    <svg className="chart-legend-mark" width="22" height="12" viewBox="0 0 22 12" aria-hidden="true">
      {style === 'threshold' ? (
        <line x1="1" y1="6" x2="21" y2="6" style={{ stroke: paint }} strokeWidth="2" strokeDasharray="5 3" />
      ) : style === 'points' ? (
        <Mark shape={shape} paint={paint} />
      ) : (
        <line x1="1" y1="6" x2="21" y2="6" style={{ stroke: paint }} strokeWidth="2.5" />
      )}
    </svg>
  );
}

function Mark({ shape, paint }: { shape: PointShape; paint: string }) {
  switch (shape) {
    case 'circle':
      return <circle cx="11" cy="6" r="4.5" style={{ fill: paint }} />;
    case 'square':
      return <rect x="7" y="2" width="8" height="8" style={{ fill: paint }} />;
    case 'triangle':
      return <polygon points="11,1 16,10 6,10" style={{ fill: paint }} />;
    case 'diamond':
      return <polygon points="11,1 16,6 11,11 6,6" style={{ fill: paint }} />;
    case 'cross':
      return <path d="M7 2 L15 10 M15 2 L7 10" style={{ stroke: paint }} strokeWidth="2.5" />;
  }
}
