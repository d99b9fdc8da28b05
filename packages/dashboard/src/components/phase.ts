import type { PromotionPhase } from '../api/types';

// How a phase looks: a tone (the colour) and a glyph, always shown with the
// phase's word, so colour is never the only signal.

export type Tone = 'ok' | 'active' | 'waiting' | 'bad' | 'neutral';

const TONES: Record<PromotionPhase, Tone> = {
  Pending: 'waiting',
  WaitingForGates: 'waiting',
  WaitingForApproval: 'waiting',
  Applying: 'active',
  Verifying: 'active',
  Succeeded: 'ok',
  Failed: 'bad',
  Rejected: 'bad',
  Aborted: 'neutral',
  RolledBack: 'bad',
};

const GLYPHS: Record<Tone, string> = { ok: '✓', active: '▶', waiting: '◔', bad: '✕', neutral: '–' };

/** Words for phases: `WaitingForApproval` → `waiting for approval`. */
export function phaseWords(phase: string): string {
  return phase.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function toneOf(phase: string): Tone {
  if (phase in TONES) return TONES[phase as PromotionPhase];
  // Analysis and rollout phases (Successful, Running, Inconclusive, Error, Paused...)
  if (/^(Successful|Completed|Healthy)$/.test(phase)) return 'ok';
  if (/^(Failed|Error|RolledBack|RollingBack|Degraded)$/.test(phase)) return 'bad';
  if (/^(Paused|Inconclusive|Pending)$/.test(phase)) return 'waiting';
  if (/^(Running|Progressing|Promoting)$/.test(phase)) return 'active';
  return 'neutral';
}

export function glyphOf(tone: Tone): string {
  return GLYPHS[tone];
}

/** Phases a promotion never leaves. */
export const FINAL_PHASES: readonly PromotionPhase[] = [
  'Succeeded',
  'Failed',
  'Rejected',
  'Aborted',
  'RolledBack',
];

export function isFinal(phase: string): boolean {
  return (FINAL_PHASES as readonly string[]).includes(phase);
}
