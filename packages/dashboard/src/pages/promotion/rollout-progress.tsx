import type { Promotion, Rollout } from '../../api/types';
import { TimeChart } from '../../components/charts/time-chart';
import { PhaseBadge } from '../../components/phase-badge';
import { isFinal } from '../../components/phase';
import { Ago, exact, useNow } from '../../components/time';
import { stepState, type StepState } from './rollout-steps';
import { weightChanges, weightChart } from './weight-series';

// How far the new version got: the rollout's steps (done, current, to come),
// the share of requests it takes, any pause, and for a canary the weight
// over time.

const STRATEGIES: Record<Rollout['strategy'], string> = {
  canary: 'canary',
  blueGreen: 'blue-green',
  rolling: 'rolling',
};

const STEP_WORDS: Record<StepState, { glyph: string; words: string }> = {
  done: { glyph: '✓', words: 'done' },
  current: { glyph: '▶', words: 'now' },
  stopped: { glyph: '✕', words: 'stopped here' },
  next: { glyph: '○', words: 'to come' },
};

export function RolloutProgress({ promotion, rollout }: { promotion: Promotion; rollout: Rollout }) {
  return (
    <section className="rollout" aria-labelledby="rollout-title">
      <h2 id="rollout-title">
        Rollout <span className="muted">({STRATEGIES[rollout.strategy]})</span>
      </h2>
      <p className="rollout-now">
        <PhaseBadge phase={rollout.status} /> <strong className="rollout-weight">{rollout.weight} %</strong>{' '}
        of requests go to {promotion.version}
        {rollout.weight < 100 ? ', the rest to the stable version' : ''}.
      </p>
      <RolloutPause rollout={rollout} />
      {rollout.message && <p className="rollout-message">{rollout.message}</p>}
      <ol className="rollout-steps" aria-label="Steps">
        {rollout.steps.map((words, index) => {
          const state = stepState(rollout, index);
          return (
            <li
              key={index}
              className={`rollout-step step-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="step-state">
                <span aria-hidden="true">{STEP_WORDS[state].glyph}</span> {STEP_WORDS[state].words}
              </span>
              <span>{words}</span>
            </li>
          );
        })}
      </ol>
      {rollout.strategy === 'canary' && <WeightHistory promotion={promotion} rollout={rollout} />}
    </section>
  );
}

function RolloutPause({ rollout }: { rollout: Rollout }) {
  if (rollout.pausedUntil) {
    return (
      <p className="notice warn">
        Paused until {exact(rollout.pausedUntil)} (<Ago at={rollout.pausedUntil} />
        ), then it goes on by itself.
      </p>
    );
  }
  if (rollout.status === 'Paused') {
    return <p className="notice warn">Paused until someone resumes it.</p>;
  }
  return null;
}

function WeightHistory({ promotion, rollout }: { promotion: Promotion; rollout: Rollout }) {
  // While it runs, the line is carried on to now (redrawn every few seconds).
  const now = useNow(5000);
  const finished = isFinal(promotion.phase);
  const until = finished ? (promotion.finishedAt ?? undefined) : new Date(now).toISOString();
  const changes = weightChanges(rollout.history);
  if (changes.length === 0) {
    return <p className="muted">No traffic shift recorded yet.</p>;
  }
  return (
    <div className="weight-history">
      <TimeChart
        title="Requests to the new version"
        data={weightChart(changes, until)}
        value="weight"
        yMin={0}
        yMax={100}
        height={180}
        describedBy="weight-table"
      />
      <div className="table-wrap chart-table">
        <table id="weight-table">
          <caption className="visually-hidden">Weight changes of the rollout, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Step</th>
              <th scope="col">Weight</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change, index) => (
              <tr key={index}>
                <td>
                  <time dateTime={change.at}>{exact(change.at)}</time>
                </td>
                <td>
                  {change.step <= rollout.steps.length
                    ? `${change.step}: ${rollout.steps[change.step - 1]}`
                    : 'after the last step'}
                </td>
                <td>{change.weight} %</td>
                <td>{change.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
