import type { ReactNode } from 'react';
import { glyphOf, type Tone } from '../../components/phase';

/** A state as colour, glyph and words (never colour alone), like PhaseBadge for other states. */
export function ToneBadge({
  tone,
  glyph,
  title,
  children,
}: {
  tone: Tone;
  /** Defaults to the tone's glyph. */
  glyph?: string;
  title?: string;
  children: ReactNode;
}) {
  return (
    <span className={`badge tone-${tone}`} title={title}>
      <span aria-hidden="true">{glyph ?? glyphOf(tone)}</span> {children}
    </span>
  );
}
