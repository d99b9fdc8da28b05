import { useLocation } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { Promotion } from '../../api/types';
import { ConfirmAction, type ConfirmActionProps } from '../../components/confirm-action';
import { consequence, promotionActions, type PromotionAction } from './promotion-actions';

// The promotion's actions, offered only in the phases where they apply and
// to tokens that may use them; each asks for a reason and says what will
// happen. Retry and roll back start a new promotion: the page moves to it.

export function PromotionActionBar({
  promotion,
  onChanged,
}: {
  promotion: Promotion;
  onChanged: () => void;
}) {
  const [, navigate] = useLocation();
  const actions = promotionActions(promotion);
  if (actions.length === 0) return null;
  return (
    <div className="actions promotion-actions" role="group" aria-label="Actions on this promotion">
      {actions.map((action) => (
        <ConfirmAction
          key={action}
          stage={promotion.stage}
          consequence={consequence(action, promotion)}
          onDone={onChanged}
          {...actionProps(action, promotion, navigate)}
        />
      ))}
    </div>
  );
}

type ActionProps = Pick<ConfirmActionProps, 'label' | 'operation' | 'tone' | 'onConfirm'>;

/** A fresh key per request: a network retry of the same click is not done twice. */
function keyed(id: string) {
  return { path: { id }, header: { 'Idempotency-Key': idempotencyKey() } };
}

function reasonBody(reason: string | undefined): { reason?: string } {
  return reason ? { reason } : {};
}

function actionProps(
  action: PromotionAction,
  promotion: Promotion,
  navigate: (to: string) => void,
): ActionProps {
  const { id, service, stage } = promotion;
  switch (action) {
    case 'approve':
      return {
        label: 'Approve',
        operation: 'approvePromotion',
        tone: 'primary',
        onConfirm: (reason) =>
          unwrap(
            api.POST('/api/v1/promotions/{id}/approve', {
              params: keyed(id),
              body: reason ? { comment: reason } : {},
            }),
          ),
      };
    case 'reject':
      return {
        label: 'Reject',
        operation: 'rejectPromotion',
        tone: 'danger',
        onConfirm: (reason) =>
          unwrap(
            api.POST('/api/v1/promotions/{id}/reject', { params: keyed(id), body: { reason: reason ?? '' } }),
          ),
      };
    case 'resume':
      return {
        label: 'Resume',
        operation: 'resumePromotion',
        tone: 'primary',
        onConfirm: (reason) =>
          unwrap(api.POST('/api/v1/promotions/{id}/resume', { params: keyed(id), body: reasonBody(reason) })),
      };
    case 'promoteFull':
      return {
        label: 'Promote fully',
        operation: 'promoteFull',
        tone: 'plain',
        onConfirm: (reason) =>
          unwrap(
            api.POST('/api/v1/promotions/{id}/promote-full', { params: keyed(id), body: reasonBody(reason) }),
          ),
      };
    case 'abort':
      return {
        label: 'Abort',
        operation: 'abortPromotion',
        tone: 'danger',
        onConfirm: (reason) =>
          unwrap(api.POST('/api/v1/promotions/{id}/abort', { params: keyed(id), body: reasonBody(reason) })),
      };
    case 'retry':
      return {
        label: 'Retry',
        operation: 'retryPromotion',
        tone: 'plain',
        onConfirm: async (reason) => {
          const created = await unwrap(
            api.POST('/api/v1/promotions/{id}/retry', { params: keyed(id), body: reasonBody(reason) }),
          );
          navigate(`/promotions/${created.id}`);
        },
      };
    case 'rollback':
      return {
        label: `Roll back ${stage}`,
        operation: 'rollback',
        tone: 'danger',
        onConfirm: async (reason) => {
          const created = await unwrap(
            api.POST('/api/v1/rollbacks', {
              params: { header: { 'Idempotency-Key': idempotencyKey() } },
              body: { service, stage, ...reasonBody(reason) },
            }),
          );
          navigate(`/promotions/${created.id}`);
        },
      };
  }
}
