import type { Dora } from '../../api/types';
import { TimeChart } from '../../components/charts/time-chart';
import { duration } from '../../components/time';
import { percent, weeklyCharts } from './dora-figures';

// The four figures week by week: a chart each, and one table with every
// week's values (the charts' text equivalent).

const TABLE_ID = 'dora-weekly-table';

export function DoraWeekly({ weeks }: { weeks: Dora['weekly'] }) {
  return (
    <section className="dora-weekly" aria-labelledby="dora-weekly-title">
      <h2 id="dora-weekly-title">Week by week</h2>
      {weeks.length === 0 ? (
        <p className="muted">The window touches no week.</p>
      ) : (
        <>
          <div className="dora-charts">
            {weeklyCharts(weeks).map((chart) => (
              <TimeChart
                key={chart.key}
                title={chart.title}
                data={chart.data}
                value={chart.value}
                yMin={0}
                height={170}
                describedBy={TABLE_ID}
              />
            ))}
          </div>
          <div className="table-wrap dora-weekly-table">
            <table id={TABLE_ID}>
              <caption className="visually-hidden">The DORA figures of each week, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Week of</th>
                  <th scope="col">Deployments</th>
                  <th scope="col">Lead time (median)</th>
                  <th scope="col">Change failure rate</th>
                  <th scope="col">Recovery time (median)</th>
                </tr>
              </thead>
              <tbody>
                {weeks.map((week) => (
                  <tr key={week.week}>
                    <th scope="row">
                      <time dateTime={week.week}>{week.week}</time>
                    </th>
                    <td>{week.deployments}</td>
                    <td>
                      {week.leadTimeMedianSeconds === null
                        ? '–'
                        : `${duration(week.leadTimeMedianSeconds)} (${week.leadTimeCommits} commits)`}
                    </td>
                    <td>
                      {week.changeFailureRate === null
                        ? '–'
                        : `${percent(week.changeFailureRate)} (${week.failedDeployments} of ${week.finishedDeployments})`}
                    </td>
                    <td>
                      {week.recoveryMedianSeconds === null ? '–' : duration(week.recoveryMedianSeconds)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
