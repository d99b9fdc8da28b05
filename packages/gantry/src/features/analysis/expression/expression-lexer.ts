// Tokens of the condition language (see expression-parser.ts for the grammar).
// The lexer refuses characters the language has no use for, with a hint, so
// that code from other languages (assignments, template literals, statements)
// fails on its first unexpected character instead of somewhere later.

export type TokenKind = 'number' | 'string' | 'name' | 'operator' | 'end';

export interface Token {
  kind: TokenKind;
  /** The operator or name as written; the decoded text for strings; the literal for numbers. */
  text: string;
  /** For numbers: the value. */
  value?: number;
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset after the last character. */
  end: number;
}

/** A problem at a position in the source; the parser turns it into an ExpressionError. */
export class LexError extends Error {
  constructor(
    readonly problem: string,
    readonly position: number,
    readonly hint?: string,
  ) {
    super(problem);
    this.name = 'LexError';
  }
}

// Longest first, so `<=` is not read as `<` then `=`.
const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
];

const REFUSED: Record<string, string> = {
  '=': 'assignment is not allowed; compare with ==',
  ';': 'a condition is one expression; there are no statements or semicolons',
  '`': 'template literals are not supported; write strings in single or double quotes',
  '{': 'braces are not supported; a condition is one expression',
  '}': 'braces are not supported; a condition is one expression',
  '?': 'the conditional operator is not supported; combine conditions with and / or',
  ':': 'the conditional operator is not supported; combine conditions with and / or',
  '&': 'write and (or &&) to combine conditions',
  '|': 'write or (or ||) to combine conditions',
  '^': 'there is no power or bitwise operator',
  '~': 'there is no bitwise operator',
  $: 'names are result and args.NAME',
  '#': 'there are no comments in a condition',
  '@': 'names are result and args.NAME',
  '\\': 'a backslash is only allowed inside a string',
};

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(source[index + 1] ?? ''))) {
      NUMBER.lastIndex = index;
      const match = NUMBER.exec(source)!;
      const end = index + match[0].length;
      if (/[A-Za-z_]/.test(source[end] ?? '')) {
        throw new LexError(`unexpected "${source[end]}" after the number ${match[0]}`, end);
      }
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]), start: index, end });
      index = end;
      continue;
    }
    if (/[A-Za-z_]/.test(char)) {
      NAME.lastIndex = index;
      const match = NAME.exec(source)!;
      tokens.push({ kind: 'name', text: match[0], start: index, end: index + match[0].length });
      index += match[0].length;
      continue;
    }
    if (char === '"' || char === "'") {
      const token = readString(source, index);
      tokens.push(token);
      index = token.end;
      continue;
    }
    if (source.startsWith('===', index) || source.startsWith('!==', index)) {
      const written = source.slice(index, index + 3);
      throw new LexError(`unexpected "${written}"`, index, `write ${written.slice(0, 2)}`);
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator !== undefined) {
      tokens.push({ kind: 'operator', text: operator, start: index, end: index + operator.length });
      index += operator.length;
      continue;
    }
    throw new LexError(
      `unexpected "${char}"`,
      index,
      Object.hasOwn(REFUSED, char) ? REFUSED[char] : undefined,
    );
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return tokens;
}

function readString(source: string, start: number): Token {
  const quote = source[start]!;
  let text = '';
  let index = start + 1;
  while (index < source.length) {
    const char = source[index]!;
    if (char === quote) {
      return { kind: 'string', text, start, end: index + 1 };
    }
    if (char === '\n') break;
    if (char === '\\') {
      const next = source[index + 1];
      if (next === undefined) break;
      if (next === 'u') {
        const hex = /^[0-9A-Fa-f]{4}/.exec(source.slice(index + 2, index + 6))?.[0];
        if (hex === undefined) {
          throw new LexError('\\u must be followed by four hexadecimal digits', index);
        }
        text += String.fromCharCode(parseInt(hex, 16));
        index += 6;
        continue;
      }
      const escaped = Object.hasOwn(ESCAPES, next) ? ESCAPES[next] : undefined;
      if (escaped === undefined) {
        throw new LexError(
          `unknown escape "\\${next}" in a string`,
          index,
          'use \\\\, \\\', \\", \\n, \\r, \\t or \\uXXXX',
        );
      }
      text += escaped;
      index += 2;
      continue;
    }
    text += char;
    index++;
  }
  throw new LexError('unterminated string', start, `close it with ${quote}`);
}
