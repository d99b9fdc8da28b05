// Reading a threshold out of an analysis condition, to draw it as a line on
// the metric's chart. Only a plain comparison of the measured value with a
// number is a line: `result < 0.05`, `result >= 0.2`, `500 > result`,
// `result[0] <= args.limit` (an argument that is a number), optionally after
// the usual no-data guard (`isNaN(result) or …`, `not isNaN(result) and …`).
// Anything else has no single line; the page shows its text instead.
// Gantry's own condition language is richer (docs/analysis.md); this never
// decides anything, it only draws.

export type Comparison = '<' | '<=' | '>' | '>=';

export interface Threshold {
  /** How the measured value compares with `value` when the condition holds. */
  op: Comparison;
  value: number;
}

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const OPERAND = String.raw`result(?:\s*\[\s*0\s*\])?|args\.[A-Za-z_][A-Za-z0-9_]*|${NUMBER}`;
const COMPARISON = new RegExp(String.raw`^(${OPERAND})\s*(<=|>=|<|>)\s*(${OPERAND})$`);
const GUARDS = [
  /^isNaN\(\s*result\s*\)\s*(?:or|\|\|)\s*/,
  /^(?:not|!)\s*isNaN\(\s*result\s*\)\s*(?:and|&&)\s*/,
];
const FLIPPED: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The threshold of `condition`, or undefined when it is not a plain comparison of the result with a number. */
export function parseThreshold(
  condition: string | null | undefined,
  args: Readonly<Record<string, string>> = {},
): Threshold | undefined {
  if (!condition) return undefined;
  let text = condition.trim();
  for (const guard of GUARDS) text = text.replace(guard, '');
  const match = COMPARISON.exec(text);
  if (!match) return undefined;
  const [, left = '', op = '', right = ''] = match;
  const leftIsResult = isResult(left);
  if (leftIsResult === isResult(right)) return undefined;
  const number = operandNumber(leftIsResult ? right : left, args);
  if (number === undefined) return undefined;
  const comparison = op as Comparison;
  return { op: leftIsResult ? comparison : FLIPPED[comparison], value: number };
}

function isResult(operand: string): boolean {
  return operand.startsWith('result');
}

function operandNumber(operand: string, args: Readonly<Record<string, string>>): number | undefined {
  const text = operand.startsWith('args.') ? args[operand.slice('args.'.length)] : operand;
  if (text === undefined || text.trim() === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

const WORDS: Record<Comparison, string> = {
  '<': 'below',
  '<=': 'at or below',
  '>': 'above',
  '>=': 'at or above',
};

/** "passes below 0.05", "fails at or above 0.1". */
export function thresholdWords(verdict: 'passes' | 'fails', threshold: Threshold, shown: string): string {
  return `${verdict} ${WORDS[threshold.op]} ${shown}`;
}
