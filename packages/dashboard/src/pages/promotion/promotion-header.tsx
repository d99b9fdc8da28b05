import { Link } from 'wouter';
import type { Promotion } from '../../api/types';
import { PhaseBadge } from '../../components/phase-badge';
import { isFinal, toneOf } from '../../components/phase';
import { Ago, duration, exact, useNow } from '../../components/time';

// The top of a promotion: what goes where, its phase, why it waits or what
// failed; below the actions, who asked for it when and how long it ran.

const TRIGGERS: Record<Promotion['trigger'], string> = {
  manual: 'by hand',
  auto: 'automatically',
  rollback: 'as a rollback',
};

export function PromotionHeader({ promotion }: { promotion: Promotion }) {
  const { service, stage, version, phase, message } = promotion;
  const tone = toneOf(phase);
  return (
    <header className="promotion-header">
      <div className="promotion-title">
        <h1>
          <Link href={`/services/${encodeURIComponent(service)}`}>{service}</Link> {version}{' '}
          <span aria-hidden="true">→</span>
          <span className="visually-hidden">into</span> {stage}
        </h1>
        <span className="promotion-phase">
          <PhaseBadge phase={phase} />
        </span>
      </div>
      {message && (
        <p
          className={`promotion-message notice ${tone === 'bad' ? 'bad' : tone === 'waiting' ? 'warn' : ''}`}
        >
          {message}
        </p>
      )}
    </header>
  );
}

/** Who asked for it, when, for how long, and anything unusual about it. */
export function PromotionFacts({ promotion }: { promotion: Promotion }) {
  return (
    <dl className="promotion-facts">
      <div>
        <dt>Requested</dt>
        <dd>
          {TRIGGERS[promotion.trigger]} by {promotion.requestedBy}, <Ago at={promotion.createdAt} />{' '}
          <span className="muted small">({exact(promotion.createdAt)})</span>
        </dd>
      </div>
      <RunningTime promotion={promotion} />
      {promotion.reason && (
        <div>
          <dt>Reason</dt>
          <dd>{promotion.reason}</dd>
        </div>
      )}
      {promotion.freezeOverride && (
        <div>
          <dt>Freeze overridden</dt>
          <dd>
            by {promotion.freezeOverride.actor}: {promotion.freezeOverride.reason}
          </dd>
        </div>
      )}
      {promotion.appliedRevision && (
        <div>
          <dt>Applied revision</dt>
          <dd>
            <code>{promotion.appliedRevision}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

function RunningTime({ promotion }: { promotion: Promotion }) {
  const now = useNow(1000);
  const started = Date.parse(promotion.createdAt);
  if (promotion.finishedAt && isFinal(promotion.phase)) {
    return (
      <div>
        <dt>Took</dt>
        <dd>
          {duration((Date.parse(promotion.finishedAt) - started) / 1000)}, finished{' '}
          <Ago at={promotion.finishedAt} />{' '}
          <span className="muted small">({exact(promotion.finishedAt)})</span>
        </dd>
      </div>
    );
  }
  return (
    <div>
      <dt>Running for</dt>
      <dd>{duration(Math.max(0, now - started) / 1000)}</dd>
    </div>
  );
}
