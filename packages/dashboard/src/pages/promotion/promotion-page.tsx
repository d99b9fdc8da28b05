import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Promotion } from '../../api/types';
import { Loaded } from '../../components/status';
import { useResource } from '../../data/use-resource';
import { useConnection } from '../../live/live';
import { AnalysisResults } from './analysis-results';
import { PromotionActionBar } from './promotion-action-bar';
import { concernsPromotion, pollInterval } from './promotion-events';
import { PromotionFacts, PromotionHeader } from './promotion-header';
import { PromotionTimeline } from './promotion-timeline';
import { ReplicaLogs } from './replica-logs';
import { RolloutProgress } from './rollout-progress';
import './promotion.css';

// One promotion, as the person watching it needs it during a deploy: where it
// stands and why, what can be done, how the rollout and its analysis go
// (live), what the replicas say, and everything that happened.

/** Phases in which the promoted version's replicas run and write logs. */
const RUNNING: readonly string[] = ['Applying', 'Verifying'];

export function PromotionPage({ id }: { id: string }) {
  const { state: connection } = useConnection();
  const [pollMs, setPollMs] = useState<number | undefined>();
  const promotion = useResource(
    (signal) => unwrap(api.GET('/api/v1/promotions/{id}', { params: { path: { id } }, signal })),
    [id],
    {
      refreshOn: (event) => concernsPromotion(event, id),
      ...(pollMs ? { pollMs } : {}),
    },
  );
  const phase = promotion.data?.phase;
  useEffect(() => setPollMs(pollInterval(phase, connection)), [phase, connection]);

  return (
    <article className="promotion-page">
      {promotion.data === undefined && (
        <h1>
          Promotion <span className="muted small">{id}</span>
        </h1>
      )}
      <Loaded resource={promotion}>
        {(data) => <PromotionDetail promotion={data} onChanged={promotion.reload} />}
      </Loaded>
    </article>
  );
}

function PromotionDetail({ promotion, onChanged }: { promotion: Promotion; onChanged: () => void }) {
  const { rollout } = promotion;
  return (
    <>
      <PromotionHeader promotion={promotion} />
      <PromotionActionBar promotion={promotion} onChanged={onChanged} />
      <PromotionFacts promotion={promotion} />
      <div className="promotion-body">
        <div className="promotion-main">
          {rollout && <RolloutProgress promotion={promotion} rollout={rollout} />}
          {rollout && rollout.analysis.length > 0 && <AnalysisResults runs={rollout.analysis} />}
          <ReplicaLogs
            service={promotion.service}
            stage={promotion.stage}
            version={promotion.version}
            active={RUNNING.includes(promotion.phase)}
          />
        </div>
        <aside className="promotion-side" aria-label="History">
          <PromotionTimeline promotion={promotion} />
        </aside>
      </div>
    </>
  );
}
