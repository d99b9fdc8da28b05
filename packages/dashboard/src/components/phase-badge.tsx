import { glyphOf, phaseWords, toneOf } from './phase';

/** A phase as a coloured badge with a glyph and its words (never colour alone). */
export function PhaseBadge({ phase, title }: { phase: string; title?: string }) {
  const tone = toneOf(phase);
  return (
    <span className={`badge tone-${tone}`} title={title}>
      <span aria-hidden="true">{glyphOf(tone)}</span> {phaseWords(phase)}
    </span>
  );
}
