import { useRef } from 'react';
import { useLocation } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { ServiceStatus, StageCell } from '../../api/types';
import { ConfirmAction } from '../../components/confirm-action';
import { StageStatus, stageTone } from '../overview/stage-status';

// What runs in each stage of the service now, in pipeline order, each with
// the way back: a rollback to the release that ran there before.

export function StageCards({ status }: { status: ServiceStatus }) {
  if (status.stages.length === 0) {
    return (
      <p className="muted">{status.service} has no stages: its pipeline in gantry.yaml declares none.</p>
    );
  }
  return (
    <ol className="stage-cards">
      {status.stages.map((cell) => (
        <li key={cell.stage} className={`stage-card ${stageTone(cell)}`}>
          <h3>{cell.stage}</h3>
          <StageStatus cell={cell} />
          {cell.currentVersion && <RollbackAction service={status.service} cell={cell} />}
        </li>
      ))}
    </ol>
  );
}

function RollbackAction({ service, cell }: { service: string; cell: StageCell }) {
  const [, navigate] = useLocation();
  const started = useRef<string | undefined>(undefined);
  return (
    <div className="actions">
      <ConfirmAction
        label={`Roll back ${cell.stage}`}
        operation="rollback"
        stage={cell.stage}
        tone="danger"
        consequence={`${service} in ${cell.stage} goes back from ${cell.currentVersion} to the release that ran there before it. The rollback starts at once, as a promotion you can follow.`}
        onConfirm={async (reason) => {
          const promotion = await unwrap(
            api.POST('/api/v1/rollbacks', {
              params: { header: { 'Idempotency-Key': idempotencyKey() } },
              body: { service, stage: cell.stage, reason },
            }),
          );
          started.current = promotion.id;
        }}
        onDone={() => started.current && navigate(`/promotions/${started.current}`)}
      />
    </div>
  );
}
