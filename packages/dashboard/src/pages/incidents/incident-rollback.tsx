import { Link } from 'wouter';
import { shortId } from '../shared-list/text';
import { ToneBadge } from '../shared-list/tone-badge';
import { rollbackWords, type IncidentRollback } from './incident-words';

/** What Gantry did about the incident's promotion: the outcome, its reason, and the promotion concerned. */
export function IncidentRollbackOutcome({ rollback }: { rollback: IncidentRollback | null }) {
  if (!rollback) return <span className="muted">nothing automatic</span>;
  const words = rollbackWords(rollback);
  return (
    <div className="rollback-outcome">
      <ToneBadge tone={words.tone} glyph={words.glyph}>
        {words.headline}
      </ToneBadge>{' '}
      {words.promotion && (
        <Link href={`/promotions/${encodeURIComponent(words.promotion.id)}`}>
          {words.promotion.label} <code>{shortId(words.promotion.id)}</code>
        </Link>
      )}
      <div className="small muted">{rollback.reason}</div>
    </div>
  );
}
