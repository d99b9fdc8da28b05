import { ToneBadge } from '../shared-list/tone-badge';

/** Open incidents stand out (red, "!"); resolved ones read as done. */
export function IncidentStatus({ status }: { status: 'open' | 'resolved' }) {
  return status === 'open' ? (
    <ToneBadge tone="bad" glyph="!">
      open
    </ToneBadge>
  ) : (
    <ToneBadge tone="ok">resolved</ToneBadge>
  );
}
