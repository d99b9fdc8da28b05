import type { Promotion } from '../../api/types';
import { PhaseBadge } from '../../components/phase-badge';
import { Ago, exact } from '../../components/time';
import { timeline, type TimelineEntry } from './timeline';

// Everything that happened to a promotion, oldest first: who, when, from
// which phase to which, and why.

export function PromotionTimeline({ promotion }: { promotion: Promotion }) {
  const entries = timeline(promotion.transitions, promotion.decisions);
  return (
    <section className="promotion-timeline" aria-labelledby="promotion-timeline-title">
      <h2 id="promotion-timeline-title">Timeline</h2>
      {entries.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="timeline">
          {entries.map((entry, index) => (
            <li key={index} className={`timeline-${entry.kind}`}>
              <p className="timeline-when small">
                <Ago at={entry.at} /> <span className="muted">· {exact(entry.at)}</span>
              </p>
              <TimelineWhat entry={entry} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function TimelineWhat({ entry }: { entry: TimelineEntry }) {
  if (entry.kind === 'decision') {
    return (
      <>
        <p>
          <strong>{entry.actor}</strong>{' '}
          <span className={`badge tone-${entry.decision === 'approved' ? 'ok' : 'bad'}`}>
            <span aria-hidden="true">{entry.decision === 'approved' ? '✓' : '✕'}</span> {entry.decision}
          </span>
        </p>
        {entry.comment && <p className="timeline-why">{entry.comment}</p>}
      </>
    );
  }
  return (
    <>
      <p className="timeline-change">
        {entry.from ? (
          <>
            <PhaseBadge phase={entry.from} /> <span aria-hidden="true">→</span>
            <span className="visually-hidden">to</span> <PhaseBadge phase={entry.to} />
          </>
        ) : (
          <>
            created <PhaseBadge phase={entry.to} />
          </>
        )}{' '}
        <span className="muted">by</span> <strong>{entry.actor}</strong>
      </p>
      {entry.reason && <p className="timeline-why">{entry.reason}</p>}
    </>
  );
}
