import { useId } from 'react';
import type { AnalysisRun } from '../../api/types';
import { TimeChart } from '../../components/charts/time-chart';
import { PhaseBadge } from '../../components/phase-badge';
import { Ago, exact } from '../../components/time';
import {
  measurementChart,
  measurementRows,
  metricThresholds,
  type AnalysisMetric,
  type MeasurementRow,
} from './measurement-series';
import { parseThreshold } from './threshold';

// The analyses of a rollout: each run with its verdict, and for each metric
// every measurement, as a chart (a point per measurement, coloured and shaped
// by its phase, with the thresholds as lines) and as a table.

export function AnalysisResults({ runs }: { runs: readonly AnalysisRun[] }) {
  return (
    <section className="analysis" aria-labelledby="analysis-title">
      <h2 id="analysis-title">Analysis</h2>
      {runs.map((run) => (
        <AnalysisRunResult key={run.id} run={run} />
      ))}
    </section>
  );
}

function AnalysisRunResult({ run }: { run: AnalysisRun }) {
  const running = run.finishedAt === null;
  return (
    <article className="analysis-run">
      <h3>
        {run.label} <PhaseBadge phase={run.phase} />
      </h3>
      <p className="small muted">
        Started <Ago at={run.startedAt} />
        {run.finishedAt ? (
          <>
            , finished <Ago at={run.finishedAt} /> ({exact(run.finishedAt)})
          </>
        ) : null}
      </p>
      {running && (
        <p className="notice warn" role="status">
          Still measuring: the verdict is not in yet.
        </p>
      )}
      {run.message && <p className="analysis-message">{run.message}</p>}
      {run.metrics.map((metric) => (
        <MetricResult key={metric.name} run={run} metric={metric} />
      ))}
    </article>
  );
}

function MetricResult({ run, metric }: { run: AnalysisRun; metric: AnalysisMetric }) {
  const tableId = useId();
  const rows = measurementRows(metric.name, run.measurements);
  const chart = measurementChart(rows, metricThresholds(metric, run.args));
  const undrawn = [metric.successCondition, metric.failureCondition].filter(
    (condition): condition is string => !!condition && parseThreshold(condition, run.args) === undefined,
  );
  return (
    <section className="analysis-metric" aria-label={`${run.label}: ${metric.name}`}>
      <h4>{metric.name}</h4>
      <MetricConditions metric={metric} />
      {rows.length === 0 ? (
        <p className="muted">
          {run.finishedAt === null ? 'No measurement yet: the first one is on its way.' : 'No measurement.'}
        </p>
      ) : (
        <>
          {chart.x.length > 0 ? (
            <TimeChart
              title={`${metric.name} per measurement`}
              data={chart}
              value="number"
              height={180}
              describedBy={tableId}
              note={
                undrawn.length > 0
                  ? `Not drawn as a line (not a plain comparison of the result with a number): ${undrawn.join('; ')}`
                  : undefined
              }
            />
          ) : (
            <p className="muted small">
              No measured value is a single number, so there is nothing to draw; the table has every value.
            </p>
          )}
          <MeasurementTable id={tableId} metric={metric.name} rows={rows} />
        </>
      )}
    </section>
  );
}

function MetricConditions({ metric }: { metric: AnalysisMetric }) {
  return (
    <p className="small">
      {metric.successCondition && (
        <>
          Passes when <code>{metric.successCondition}</code>.{' '}
        </>
      )}
      {metric.failureCondition && (
        <>
          Fails when <code>{metric.failureCondition}</code>.{' '}
        </>
      )}
      {!metric.successCondition && !metric.failureCondition && 'No condition: every measurement passes. '}
      <span className="muted">
        {metric.failureLimit === 0
          ? 'One failed measurement fails the metric.'
          : `${metric.failureLimit} failed measurement${metric.failureLimit === 1 ? '' : 's'} tolerated.`}
      </span>
    </p>
  );
}

function MeasurementTable({ id, metric, rows }: { id: string; metric: string; rows: MeasurementRow[] }) {
  return (
    <div className="table-wrap chart-table">
      <table id={id}>
        <caption className="visually-hidden">Measurements of {metric}, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Measured</th>
            <th scope="col">Phase</th>
            <th scope="col">Value</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td>
                <time dateTime={row.at}>{exact(row.at)}</time>
              </td>
              <td>
                <PhaseBadge phase={row.phase} />
              </td>
              <td className="measurement-value">{row.shown}</td>
              <td>{row.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
