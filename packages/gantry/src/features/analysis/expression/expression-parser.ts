// The condition language of analysis metrics (successCondition,
// failureCondition), parsed by hand into a small tree that
// expression-evaluator.ts walks. Nothing is ever handed to the JavaScript
// engine: the only names are `result` and `args.NAME`, the only calls are the
// functions below, and everything else is refused here, at parse time, with
// the column and a hint.
//
// Grammar (lowest precedence first):
//   expression     := or
//   or             := and (("or" | "||") and)*
//   and            := not (("and" | "&&") not)*
//   not            := ("not" | "!") not | comparison
//   comparison     := additive (("==" | "!=" | "<" | "<=" | ">" | ">=") additive)?
//   additive       := multiplicative (("+" | "-") multiplicative)*
//   multiplicative := unary (("*" | "/" | "%") unary)*
//   unary          := ("-" | "+") unary | postfix
//   postfix        := primary ("." NAME | "[" expression "]")*
//   primary        := NUMBER | STRING | "true" | "false" | "result" | "args" "." NAME
//                   | FUNCTION "(" (expression ("," expression)*)? ")" | "(" expression ")"
//
// `not` binds looser than comparisons (`not result > 1` is `not (result > 1)`),
// and comparisons do not chain (`0 < result < 1` is refused with a rewrite).

import { closestMatch } from '../../pipelines/did-you-mean.js';
import { LexError, tokenize, type Token } from './expression-lexer.js';

/** A condition that cannot be parsed; `position` is a 0-based offset into `source`. */
export class ExpressionError extends Error {
  /** What is wrong, without the location: `unknown name "reslt"`. */
  readonly problem: string;
  /** How to fix it, when there is something to say: `did you mean result?`. */
  readonly hint: string | undefined;

  constructor(
    problem: string,
    readonly position: number,
    readonly source: string,
    hint?: string,
  ) {
    super(
      `${problem} at column ${position + 1} of ${JSON.stringify(source)}${hint === undefined ? '' : `; ${hint}`}`,
    );
    this.name = 'ExpressionError';
    this.problem = problem;
    this.hint = hint;
  }

  /** 1-based column, as editors count. */
  get column(): number {
    return this.position + 1;
  }

  /** The problem and the hint without the source: `unknown name "reslt"; did you mean result?`. */
  get detail(): string {
    return this.hint === undefined ? this.problem : `${this.problem}; ${this.hint}`;
  }
}

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type FunctionName = 'len' | 'isNaN' | 'abs' | 'min' | 'max';

interface Span {
  /** 0-based offset of the node's first character. */
  start: number;
  /** 0-based offset after the node's last character. */
  end: number;
}

export type ExpressionNode =
  | ({ kind: 'literal'; value: number | string | boolean } & Span)
  | ({ kind: 'result' } & Span)
  | ({ kind: 'arg'; name: string } & Span)
  | ({ kind: 'member'; object: ExpressionNode; name: string } & Span)
  | ({ kind: 'index'; object: ExpressionNode; index: ExpressionNode } & Span)
  | ({ kind: 'call'; name: FunctionName; args: ExpressionNode[] } & Span)
  | ({ kind: 'negate'; operand: ExpressionNode } & Span)
  | ({ kind: 'plus'; operand: ExpressionNode } & Span)
  | ({ kind: 'not'; operand: ExpressionNode } & Span)
  | ({ kind: 'arithmetic'; operator: ArithmeticOperator; left: ExpressionNode; right: ExpressionNode } & Span)
  | ({ kind: 'compare'; operator: ComparisonOperator; left: ExpressionNode; right: ExpressionNode } & Span)
  | ({ kind: 'logical'; operator: 'and' | 'or'; left: ExpressionNode; right: ExpressionNode } & Span);

export interface Expression {
  readonly source: string;
  readonly root: ExpressionNode;
  /** The NAMEs used as args.NAME, in order of first use. */
  readonly argNames: readonly string[];
}

export interface ParseOptions {
  /** When given, args.NAME with a NAME not listed is refused. */
  argNames?: readonly string[];
}

/** Arity of each function: [fewest, most] arguments. */
export const FUNCTIONS: Readonly<Record<FunctionName, readonly [number, number]>> = {
  len: [1, 1],
  isNaN: [1, 1],
  abs: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
};

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const FUNCTION_LIST = 'len, isNaN, abs, min and max';

/** Longer conditions are refused: nobody writes them, and they bound the work of parsing. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Nesting deeper than this is refused, so a hostile condition cannot exhaust the stack. */
const MAX_DEPTH = 40;

/**
 * Names that reach JavaScript's object model rather than data; never readable,
 * whatever the data holds. (Reading own properties only already keeps them
 * out of reach; refusing them when parsing says so early and plainly.)
 */
export function isForbiddenMemberName(name: string): boolean {
  return (
    name === 'constructor' ||
    name === 'prototype' ||
    name === '__proto__' ||
    /^__(define|lookup)[GS]etter__$/.test(name)
  );
}

const KEYWORDS = new Set(['true', 'false', 'and', 'or', 'not', 'result', 'args']);

const NAME_HINTS: Record<string, string> = {
  null: 'there is no null; test for presence with len(...) or compare with a value',
  undefined: 'there is no undefined; test for presence with len(...) or compare with a value',
  NaN: 'test for NaN with isNaN(x)',
  nan: 'test for NaN with isNaN(x)',
  Infinity: 'there is no Infinity literal; compare with a large number such as 1e308',
  True: 'write true',
  False: 'write false',
  AND: 'write and',
  OR: 'write or',
  NOT: 'write not',
  in: 'there is no in operator',
  matches: 'there is no matches operator',
};

export function parseExpression(source: string, options: ParseOptions = {}): Expression {
  if (typeof source !== 'string') {
    throw new ExpressionError('a condition must be text', 0, String(source));
  }
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `the condition is ${source.length} characters long`,
      MAX_EXPRESSION_LENGTH,
      source,
      `keep it under ${MAX_EXPRESSION_LENGTH}`,
    );
  }
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (error) {
    if (error instanceof LexError)
      throw new ExpressionError(error.problem, error.position, source, error.hint);
    throw error;
  }
  const parser = new Parser(source, tokens, options.argNames);
  const root = parser.parseAll();
  return Object.freeze({ source, root, argNames: Object.freeze([...parser.usedArgs]) });
}

class Parser {
  private index = 0;
  private depth = 0;
  readonly usedArgs = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly argNames: readonly string[] | undefined,
  ) {}

  parseAll(): ExpressionNode {
    if (this.peek().kind === 'end') {
      throw this.error('the condition is empty', 0, 'write e.g. result < 0.05');
    }
    const root = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') {
      throw this.error(`unexpected ${describeToken(next)}`, next.start, this.trailingHint(root, next));
    }
    return root;
  }

  // ---------------------------------------------------------------------------
  // Precedence levels.

  private parseOr(): ExpressionNode {
    let left = this.parseAnd();
    while (this.atWord('or') || this.atOperator('||')) {
      this.advance();
      const right = this.parseAnd();
      left = { kind: 'logical', operator: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): ExpressionNode {
    let left = this.parseNot();
    while (this.atWord('and') || this.atOperator('&&')) {
      this.advance();
      const right = this.parseNot();
      left = { kind: 'logical', operator: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): ExpressionNode {
    if (this.atWord('not') || this.atOperator('!')) {
      const token = this.advance();
      const operand = this.nested(() => this.parseNot());
      return { kind: 'not', operand, start: token.start, end: operand.end };
    }
    return this.parseComparison();
  }

  private parseComparison(): ExpressionNode {
    const left = this.parseAdditive();
    const operator = this.comparisonOperator();
    if (operator === undefined) return left;
    this.advance();
    const right = this.parseAdditive();
    const chained = this.comparisonOperator();
    if (chained !== undefined) {
      const middle = this.text(right);
      throw this.error(
        'comparisons cannot be chained',
        this.peek().start,
        `write ${this.text(left)} ${operator} ${middle} and ${middle} ${chained} ...`,
      );
    }
    return { kind: 'compare', operator, left, right, start: left.start, end: right.end };
  }

  private parseAdditive(): ExpressionNode {
    let left = this.parseMultiplicative();
    while (this.atOperator('+') || this.atOperator('-')) {
      const operator = this.advance().text as ArithmeticOperator;
      const right = this.parseMultiplicative();
      left = { kind: 'arithmetic', operator, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseMultiplicative(): ExpressionNode {
    let left = this.parseUnary();
    while (this.atOperator('*') || this.atOperator('/') || this.atOperator('%')) {
      const operator = this.advance().text as ArithmeticOperator;
      if (operator === '*' && this.atOperator('*')) {
        throw this.error('unexpected "**"', this.peek().start - 1, 'there is no power operator');
      }
      const right = this.parseUnary();
      left = { kind: 'arithmetic', operator, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): ExpressionNode {
    if (this.atOperator('-') || this.atOperator('+')) {
      const token = this.advance();
      const operand = this.nested(() => this.parseUnary());
      return token.text === '-'
        ? { kind: 'negate', operand, start: token.start, end: operand.end }
        : { kind: 'plus', operand, start: token.start, end: operand.end };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): ExpressionNode {
    let node = this.parsePrimary();
    for (;;) {
      if (this.atOperator('.')) {
        this.advance();
        const name = this.peek();
        if (name.kind !== 'name') {
          throw this.error(`expected a field name after "${this.text(node)}."`, name.start);
        }
        this.advance();
        this.checkMemberName(name.text, name.start);
        node = { kind: 'member', object: node, name: name.text, start: node.start, end: name.end };
      } else if (this.atOperator('[')) {
        this.advance();
        const index = this.nested(() => this.parseOr());
        if (index.kind === 'literal' && typeof index.value === 'string') {
          this.checkMemberName(index.value, index.start);
        }
        const close = this.expectOperator(']', `close ${this.text(node)}[ with ]`);
        node = { kind: 'index', object: node, index, start: node.start, end: close.end };
      } else if (this.atOperator('(')) {
        throw this.error(
          `${this.text(node)} cannot be called`,
          this.peek().start,
          `only the functions ${FUNCTION_LIST} can be called, by name`,
        );
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): ExpressionNode {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
        this.advance();
        return { kind: 'literal', value: token.value!, start: token.start, end: token.end };
      case 'string':
        this.advance();
        return { kind: 'literal', value: token.text, start: token.start, end: token.end };
      case 'name':
        return this.parseName(token);
      case 'operator':
        if (token.text === '(') {
          this.advance();
          const inner = this.nested(() => this.parseOr());
          const close = this.expectOperator(')', 'close the parenthesis with )');
          return { ...inner, start: token.start, end: close.end };
        }
        throw this.error(`unexpected "${token.text}"`, token.start, 'expected a value');
      case 'end':
        throw this.error('the condition ends too early', token.start, 'expected a value');
    }
  }

  private parseName(token: Token): ExpressionNode {
    const name = token.text;
    const calling =
      this.tokens[this.index + 1]?.kind === 'operator' && this.tokens[this.index + 1]?.text === '(';
    if (name === 'true' || name === 'false') {
      this.advance();
      return { kind: 'literal', value: name === 'true', start: token.start, end: token.end };
    }
    if (name === 'result') {
      if (calling) throw this.error('result cannot be called', token.end, 'result is the measured value');
      this.advance();
      return { kind: 'result', start: token.start, end: token.end };
    }
    if (name === 'args') return this.parseArg(token);
    if (isFunctionName(name)) {
      if (!calling) {
        throw this.error(`${name} is a function`, token.start, `call it: ${name}(...)`);
      }
      return this.parseCall(token, name);
    }
    if (KEYWORDS.has(name)) {
      throw this.error(`unexpected "${name}"`, token.start, 'expected a value');
    }
    if (calling) {
      const match = closestMatch(name, FUNCTION_NAMES);
      throw this.error(
        `unknown function "${name}"`,
        token.start,
        match !== undefined ? `did you mean ${match}?` : `the functions are ${FUNCTION_LIST}`,
      );
    }
    const match = closestMatch(name, ['result', 'args']);
    const hint = Object.hasOwn(NAME_HINTS, name)
      ? NAME_HINTS[name]
      : match !== undefined
        ? `did you mean ${match}?`
        : 'use result or args.NAME';
    throw this.error(`unknown name "${name}"`, token.start, hint);
  }

  private parseArg(token: Token): ExpressionNode {
    this.advance();
    if (!this.atOperator('.')) {
      throw this.error('args needs a name', token.end, 'write args.NAME');
    }
    this.advance();
    const name = this.peek();
    if (name.kind !== 'name') throw this.error('expected an argument name after "args."', name.start);
    this.advance();
    this.checkMemberName(name.text, name.start);
    if (this.argNames !== undefined && !this.argNames.includes(name.text)) {
      const match = closestMatch(name.text, this.argNames);
      const hint =
        match !== undefined
          ? `did you mean args.${match}?`
          : this.argNames.length > 0
            ? `the arguments are ${this.argNames.map((arg) => `args.${arg}`).join(', ')}`
            : 'declare it under args';
      throw this.error(`unknown argument args.${name.text}`, token.start, hint);
    }
    this.usedArgs.add(name.text);
    return { kind: 'arg', name: name.text, start: token.start, end: name.end };
  }

  private parseCall(token: Token, name: FunctionName): ExpressionNode {
    this.advance();
    this.advance(); // (
    const args: ExpressionNode[] = [];
    if (!this.atOperator(')')) {
      for (;;) {
        args.push(this.nested(() => this.parseOr()));
        if (!this.atOperator(',')) break;
        this.advance();
      }
    }
    const close = this.expectOperator(')', `close ${name}( with )`);
    const [fewest, most] = FUNCTIONS[name];
    if (args.length < fewest || args.length > most) {
      const expected =
        fewest === most ? `${fewest} argument${fewest === 1 ? '' : 's'}` : `at least ${fewest} argument`;
      throw this.error(`${name} takes ${expected}, not ${args.length}`, token.start);
    }
    return { kind: 'call', name, args, start: token.start, end: close.end };
  }

  // ---------------------------------------------------------------------------
  // Helpers.

  private checkMemberName(name: string, position: number): void {
    if (isForbiddenMemberName(name)) {
      throw this.error(`"${name}" cannot be read`, position, 'only fields of the measured data can be read');
    }
  }

  private comparisonOperator(): ComparisonOperator | undefined {
    const token = this.peek();
    if (token.kind !== 'operator') return undefined;
    return ['==', '!=', '<', '<=', '>', '>='].includes(token.text)
      ? (token.text as ComparisonOperator)
      : undefined;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      throw this.error(
        'the condition is nested too deeply',
        this.peek().start,
        `keep it under ${MAX_DEPTH} levels`,
      );
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private trailingHint(root: ExpressionNode, next: Token): string | undefined {
    if (next.kind === 'operator' && next.text === ')') return 'this parenthesis closes nothing';
    if (next.kind === 'name' && (next.text === 'AND' || next.text === 'OR'))
      return `write ${next.text.toLowerCase()}`;
    if (next.kind === 'operator' && next.text === ',') return 'a condition is one expression';
    return `${this.text(root)} is complete here; combine conditions with and / or`;
  }

  private expectOperator(text: string, hint: string): Token {
    const token = this.peek();
    if (token.kind === 'operator' && token.text === text) return this.advance();
    throw this.error(
      token.kind === 'end' ? 'the condition ends too early' : `unexpected ${describeToken(token)}`,
      token.start,
      hint,
    );
  }

  private atOperator(text: string): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.text === text;
  }

  private atWord(text: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text === text;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private text(node: ExpressionNode): string {
    return this.source.slice(node.start, node.end);
  }

  private error(problem: string, position: number, hint?: string): ExpressionError {
    return new ExpressionError(problem, position, this.source, hint);
  }
}

function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'number':
      return `number ${token.text}`;
    case 'string':
      return 'string';
    case 'name':
      return `"${token.text}"`;
    case 'operator':
      return `"${token.text}"`;
    case 'end':
      return 'end';
  }
}
