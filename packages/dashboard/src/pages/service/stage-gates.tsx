import { useRef } from 'react';
import { Link, useLocation } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { StageCell, Why } from '../../api/types';
import { ConfirmAction } from '../../components/confirm-action';
import { glyphOf } from '../../components/phase';
import { PhaseBadge } from '../../components/phase-badge';
import { Ago } from '../../components/time';
import { useResource } from '../../data/use-resource';
import type { StreamEvent } from '../../live/event-stream';
import { roleAtLeast } from '../../session/permissions';
import { useSession } from '../../session/session';
import { isAboutService, movesPromotion } from './service-events';
import { promoteConsequence, promoteOffer, VERDICT_WORDS, verdictTone, type WhyItem } from './why';

// Whether a release may enter one stage: every gate, approval and freeze with
// its reason (what `gantry why` says), and the promote action that fits.

const GATES_POLL_MS = 60_000;

export function StageGates({
  service,
  version,
  cell,
}: {
  service: string;
  version: string;
  cell: StageCell;
}) {
  const stage = cell.stage;
  const why = useResource(
    (signal) =>
      unwrap(
        api.GET('/api/v1/releases/{service}/{version}/why', {
          params: { path: { service, version }, query: { stage } },
          signal,
        }),
      ),
    [service, version, stage],
    {
      refreshOn: (event: StreamEvent) =>
        movesPromotion(event, service) ||
        (event.type === 'release.evidence-attached' && isAboutService(event, service)),
      // Soak times and freeze windows end by the clock, without an event.
      pollMs: GATES_POLL_MS,
    },
  );
  return (
    <li className="stage-gates">
      <h4>
        <span className="stage-gates-name">{stage}</span>
        {why.data && <VerdictBadge verdict={why.data.verdict} />}
      </h4>
      {why.data ? (
        <>
          {why.error && (
            <p role="alert" className="notice warn small">
              Showing an earlier answer: the last refresh failed ({why.error.message}).
            </p>
          )}
          <WhyItems why={why.data} />
          <PromoteActions why={why.data} cell={cell} />
        </>
      ) : why.error ? (
        <div role="alert" className="notice bad small">
          Could not check the gates: {why.error.message}{' '}
          <button type="button" className="link-button" onClick={why.reload}>
            Try again
          </button>
        </div>
      ) : (
        <p className="muted small" role="status">
          Checking the gates…
        </p>
      )}
    </li>
  );
}

function VerdictBadge({ verdict }: { verdict: Why['verdict'] }) {
  const tone = verdictTone(verdict);
  return (
    <span className={`badge tone-${tone}`}>
      <span aria-hidden="true">{glyphOf(tone)}</span> {VERDICT_WORDS[verdict]}
    </span>
  );
}

function WhyItems({ why }: { why: Why }) {
  return (
    <>
      {why.items.length === 0 ? (
        <p className="muted small">No gates, approvals or freeze windows apply to this stage.</p>
      ) : (
        <ul className="why-items">
          {why.items.map((item, index) => (
            <WhyLine key={`${item.kind}-${item.name}-${index}`} item={item} />
          ))}
        </ul>
      )}
      {why.autoHold && (
        <p className="small muted">
          Auto-promotion into {why.stage} is held: {why.autoHold.actor} promoted{' '}
          <code>{why.autoHold.version}</code> by hand <Ago at={why.autoHold.at} />, until a newer release is
          promoted there by hand.
        </p>
      )}
    </>
  );
}

function WhyLine({ item }: { item: WhyItem }) {
  const tone = verdictTone(item.state);
  return (
    <li>
      <span className={`badge tone-${tone}`}>
        <span aria-hidden="true">{glyphOf(tone)}</span> {item.state}
      </span>{' '}
      <span className="why-kind muted small">{item.kind}</span> <strong>{item.name}</strong>
      {item.stage && <span className="muted small"> ({item.stage})</span>}: {item.reason}
    </li>
  );
}

function PromoteActions({ why, cell }: { why: Why; cell: StageCell }) {
  const { session } = useSession();
  const [, navigate] = useLocation();
  const started = useRef<string | undefined>(undefined);
  const offer = promoteOffer(why, cell);

  const promote = async (reason: string | undefined, override: boolean) => {
    const promotion = await unwrap(
      api.POST('/api/v1/promotions', {
        params: { header: { 'Idempotency-Key': idempotencyKey() } },
        body: {
          service: why.service,
          version: why.version,
          stage: why.stage,
          reason,
          ...(override ? { override } : {}),
        },
      }),
    );
    started.current = promotion.id;
  };
  const follow = () => started.current && navigate(`/promotions/${started.current}`);

  switch (offer.kind) {
    case 'runs-here':
      return <p className="small muted">{why.version} runs here now.</p>;
    case 'on-its-way':
      return (
        <p className="small">
          <Link href={`/promotions/${offer.promotionId}`}>Its promotion</Link>{' '}
          {why.phase && <PhaseBadge phase={why.phase} />}
        </p>
      );
    case 'stage-busy':
      return (
        <p className="small muted">
          <Link href={`/promotions/${offer.promotionId}`}>
            {offer.version} is on its way into {why.stage}
          </Link>
          : one promotion per stage at a time.
        </p>
      );
    case 'blocked':
      return null;
    case 'promote':
      return (
        <div className="actions">
          <ConfirmAction
            label={`Promote to ${why.stage}`}
            operation="requestPromotion"
            stage={why.stage}
            tone="primary"
            consequence={promoteConsequence(why, cell)}
            onConfirm={(reason) => promote(reason, false)}
            onDone={follow}
          />
        </div>
      );
    case 'through-freeze':
      if (!session || !roleAtLeast(session.role, 'approver')) {
        return <p className="small muted">Only an approver can promote through the freeze.</p>;
      }
      return (
        <div className="actions">
          <ConfirmAction
            label={`Promote to ${why.stage} through the freeze`}
            operation="requestPromotion"
            stage={why.stage}
            tone="danger"
            consequence={`${promoteConsequence(why, cell)} The freeze (${offer.freeze.reason}) is overridden: your name and reason are recorded with the promotion.`}
            onConfirm={(reason) => promote(reason, true)}
            onDone={follow}
          />
        </div>
      );
  }
}
