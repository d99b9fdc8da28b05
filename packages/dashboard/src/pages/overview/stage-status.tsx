import { Link } from 'wouter';
import type { StageCell } from '../../api/types';
import { PhaseBadge } from '../../components/phase-badge';
import { Ago } from '../../components/time';
import { attentionOf, isBlocked, stepProgress } from './overview-model';

// One stage of one service, as the overview's cells and the service page's
// stage cards show it: what runs there, what is on its way (and why it
// waits), and whether a freeze or an auto-promotion hold is on it.

export function StageStatus({ cell }: { cell: StageCell }) {
  return (
    <div className="stage-status">
      <RunningVersion cell={cell} />
      {cell.activePromotion && <ActivePromotion promotion={cell.activePromotion} />}
      {cell.freeze && <FreezeNote freeze={cell.freeze} />}
      {cell.autoHold && <AutoHoldNote hold={cell.autoHold} />}
    </div>
  );
}

/** The cell's class: a coloured edge for the most urgent thing in it (its words say the same). */
export function stageTone(cell: StageCell): string {
  const first = attentionOf(cell)[0];
  return first ? `stage-${first}` : 'stage-quiet';
}

function RunningVersion({ cell }: { cell: StageCell }) {
  if (!cell.currentVersion) return <p className="stage-version muted">Nothing deployed yet</p>;
  return (
    <p className="stage-version">
      <code>{cell.currentVersion}</code>
      {cell.since && (
        <span className="stage-since muted small">
          {' · '}
          <Ago at={cell.since} />
        </span>
      )}
    </p>
  );
}

function ActivePromotion({ promotion }: { promotion: NonNullable<StageCell['activePromotion']> }) {
  const progress = stepProgress(promotion.message);
  const blocked = isBlocked(promotion.phase);
  return (
    <div className="stage-promotion">
      <Link href={`/promotions/${promotion.id}`} className="stage-promotion-link">
        <PhaseBadge phase={promotion.phase} /> <span className="visually-hidden">promotion of </span>
        <code>{promotion.version}</code>
      </Link>
      {progress && (
        <span className="stage-progress small">
          <progress value={progress.step} max={progress.of} aria-hidden="true" />
          step {progress.step} of {progress.of}
        </span>
      )}
      {promotion.message && !blocked && (
        <p className="stage-message small muted" title={promotion.message}>
          {progress ? progress.rest : promotion.message}
        </p>
      )}
      {promotion.message && blocked && (
        <p className="stage-reason small">
          <span className="visually-hidden">Waiting because: </span>
          {promotion.message}
        </p>
      )}
    </div>
  );
}

function FreezeNote({ freeze }: { freeze: NonNullable<StageCell['freeze']> }) {
  return (
    <p className="stage-flag tone-waiting small">
      <span aria-hidden="true">❄ </span>
      <strong>Frozen</strong>, lifts <Ago at={freeze.until} />
      {freeze.reason ? `: ${freeze.reason}` : ''}
    </p>
  );
}

function AutoHoldNote({ hold }: { hold: NonNullable<StageCell['autoHold']> }) {
  return (
    <p className="stage-flag tone-neutral small">
      <span aria-hidden="true">◔ </span>
      <strong>Auto-promotion on hold</strong>: {hold.actor} promoted <code>{hold.version}</code> by hand{' '}
      <Ago at={hold.at} />
    </p>
  );
}
