// Evaluates a parsed condition against a measured value. The rules, chosen so
// that a condition either means what it says or fails with a reason:
//
// - Data is read, never executed: a field or index is read only when it is an
//   own property of a plain object or an array, so no computed name can reach
//   a prototype (`result["constructor"]` is refused as surely as
//   `result.constructor`, which the parser already refuses).
// - Numbers written as text in data or arguments (`"0.05"`, `"NaN"`, `"+Inf"`,
//   as Prometheus and YAML produce them) count as numbers wherever a number is
//   expected: in arithmetic, and in a comparison with a number. Two texts are
//   compared as numbers when both are numeric, as text otherwise.
// - Everything else that mixes types is an error, not false: `result < 0.05`
//   on a list, `result == true` on a number, `"a" + 1`. A mistyped condition
//   then shows up as a measurement error with a message, not as a quiet failure.
// - NaN follows IEEE 754: every comparison with NaN is false except `!=`; use
//   isNaN(x) to say what "no data" means.
// - and / or / not take true or false only, and and / or stop early, so
//   `len(result) == 0 or result[0] < 0.05` never reads result[0] of an empty list.

import {
  isForbiddenMemberName,
  type ArithmeticOperator,
  type ComparisonOperator,
  type Expression,
  type ExpressionNode,
} from './expression-parser.js';

/** A condition could not be evaluated against the measured value; the message says why and where. */
export class ExpressionEvaluationError extends Error {
  constructor(
    /** What went wrong, without the location. */
    readonly problem: string,
    /** 0-based offset of the part of the condition that failed. */
    readonly position: number,
    readonly source: string,
  ) {
    super(`${problem} at column ${position + 1} of ${JSON.stringify(source)}`);
    this.name = 'ExpressionEvaluationError';
  }
}

export type ArgValue = string | number | boolean;

export interface EvaluationScope {
  /** The measured value, as the provider returned it. */
  result: unknown;
  args?: Readonly<Record<string, ArgValue>>;
}

export function evaluateExpression(expression: Expression, scope: EvaluationScope): unknown {
  return new Evaluator(expression.source, scope).evaluate(expression.root);
}

/** Evaluates a condition that must give true or false. */
export function evaluateCondition(expression: Expression, scope: EvaluationScope): boolean {
  const value = evaluateExpression(expression, scope);
  if (typeof value !== 'boolean') {
    throw new ExpressionEvaluationError(
      `the condition gives ${describeValue(value)}, not true or false; compare it, e.g. ${expression.source} < 1`,
      0,
      expression.source,
    );
  }
  return value;
}

const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_NUMBERS: Record<string, number> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/**
 * The number a text stands for, or undefined when it is not one. Accepts what
 * Prometheus and Go print: decimals, exponents, NaN, +Inf, -Inf (any case).
 * Not hexadecimal, not empty, not "1,5".
 */
export function parseNumericText(text: string): number | undefined {
  const trimmed = text.trim();
  if (NUMERIC_TEXT.test(trimmed)) return Number(trimmed);
  const special = trimmed.toLowerCase();
  return Object.hasOwn(SPECIAL_NUMBERS, special) ? SPECIAL_NUMBERS[special] : undefined;
}

/** A number, or a text that is one; otherwise undefined. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseNumericText(value);
  return undefined;
}

/** How a value is named in messages: `0.31`, `the text "ok"`, `a list of 2 items`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  }
  if (Array.isArray(value)) {
    return value.length === 0
      ? 'an empty list'
      : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (isPlainObject(value)) return 'a mapping';
  return typeof value === 'object' ? 'an object that is not data' : `a ${typeof value}`;
}

/** Numbers for people: at most 6 significant digits, NaN and ±Inf spelled out. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(Number(value.toPrecision(6)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly scope: EvaluationScope,
  ) {}

  evaluate(node: ExpressionNode): unknown {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'result':
        return this.scope.result;
      case 'arg': {
        const args = this.scope.args;
        if (args === undefined || !Object.hasOwn(args, node.name)) {
          throw this.fail(`args.${node.name} has no value`, node);
        }
        return args[node.name];
      }
      case 'member':
        return this.readMember(node.object, node.name, node);
      case 'index':
        return this.readIndex(node.object, node.index, node);
      case 'call':
        return this.call(node);
      case 'negate':
        return -this.number(node.operand, 'negate');
      case 'plus':
        return this.number(node.operand, 'use + on');
      case 'not':
        return !this.boolean(node.operand, 'not');
      case 'arithmetic': {
        const verb = ARITHMETIC_VERBS[node.operator];
        const left = this.number(node.left, verb);
        const right = this.number(node.right, verb);
        switch (node.operator) {
          case '+':
            return left + right;
          case '-':
            return left - right;
          case '*':
            return left * right;
          case '/':
            return left / right;
          case '%':
            return left % right;
        }
        break;
      }
      case 'compare':
        return this.compare(node.operator, node.left, node.right, node);
      case 'logical': {
        const left = this.boolean(node.left, node.operator);
        if (node.operator === 'and' ? !left : left) return left;
        return this.boolean(node.right, node.operator);
      }
    }
    throw this.fail('cannot evaluate this', node);
  }

  private readMember(objectNode: ExpressionNode, name: string, node: ExpressionNode): unknown {
    const object = this.evaluate(objectNode);
    const subject = this.text(objectNode);
    if (Array.isArray(object)) {
      throw this.fail(
        `${subject} is ${describeValue(object)}, not a mapping; pick an item with ${subject}[0]`,
        node,
      );
    }
    return this.readOwn(object, name, subject, node);
  }

  private readIndex(objectNode: ExpressionNode, indexNode: ExpressionNode, node: ExpressionNode): unknown {
    const object = this.evaluate(objectNode);
    const index = this.evaluate(indexNode);
    const subject = this.text(objectNode);
    if (Array.isArray(object)) {
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
        throw this.fail(`a list is indexed by a whole number from 0, not ${describeValue(index)}`, indexNode);
      }
      if (object.length === 0) throw this.fail(`${subject} is an empty list`, node);
      if (index >= object.length || !Object.hasOwn(object, index)) {
        const items = `${object.length} item${object.length === 1 ? '' : 's'}`;
        throw this.fail(`${this.text(node)} is out of range: ${subject} has ${items}`, node);
      }
      return this.data(object[index], node);
    }
    if (typeof index !== 'string') {
      throw this.fail(
        `a mapping is indexed by a field name in quotes, not ${describeValue(index)}`,
        indexNode,
      );
    }
    return this.readOwn(object, index, subject, node);
  }

  private readOwn(object: unknown, name: string, subject: string, node: ExpressionNode): unknown {
    if (isForbiddenMemberName(name)) {
      throw this.fail(`"${name}" cannot be read; only fields of the measured data can be read`, node);
    }
    if (!isPlainObject(object)) {
      throw this.fail(`${subject} is ${describeValue(object)}, which has no fields`, node);
    }
    if (!Object.hasOwn(object, name)) {
      const fields = Object.keys(object);
      const listed =
        fields.length === 0
          ? 'it has none'
          : `it has ${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', ...' : ''}`;
      throw this.fail(`${subject} has no field "${name}" (${listed})`, node);
    }
    return this.data(object[name], node);
  }

  private call(node: Extract<ExpressionNode, { kind: 'call' }>): unknown {
    const values = node.args.map((arg) => this.evaluate(arg));
    const first = values[0];
    const firstNode = node.args[0]!;
    switch (node.name) {
      case 'len':
        if (typeof first === 'string' || Array.isArray(first)) return first.length;
        if (isPlainObject(first)) return Object.keys(first).length;
        throw this.fail(`len needs a list, a mapping or a text, not ${describeValue(first)}`, firstNode);
      case 'isNaN': {
        const number = numericValue(first);
        if (number === undefined) {
          const hint = Array.isArray(first) ? `; test an item, e.g. isNaN(${this.text(firstNode)}[0])` : '';
          throw this.fail(`isNaN needs a number, not ${describeValue(first)}${hint}`, firstNode);
        }
        return Number.isNaN(number);
      }
      case 'abs':
        return Math.abs(this.numberOf(first, firstNode, 'take abs of'));
      case 'min':
      case 'max': {
        let items = values;
        let itemNodes = node.args;
        if (values.length === 1 && Array.isArray(first)) {
          if (first.length === 0) throw this.fail(`${node.name} of an empty list`, firstNode);
          items = first;
          itemNodes = first.map(() => firstNode);
        }
        const numbers = items.map((item, index) =>
          this.numberOf(item, itemNodes[index]!, `take ${node.name} of`),
        );
        return node.name === 'min' ? Math.min(...numbers) : Math.max(...numbers);
      }
    }
  }

  private compare(
    operator: ComparisonOperator,
    leftNode: ExpressionNode,
    rightNode: ExpressionNode,
    node: ExpressionNode,
  ): boolean {
    const left = this.evaluate(leftNode);
    const right = this.evaluate(rightNode);
    const incompatible = (): ExpressionEvaluationError => {
      const hint =
        Array.isArray(left) || Array.isArray(right)
          ? `; compare an item, e.g. ${this.text(Array.isArray(left) ? leftNode : rightNode)}[0]`
          : '';
      return this.fail(
        `cannot compare ${this.subject(leftNode, left)} with ${this.subject(rightNode, right)} using ${operator}${hint}`,
        node,
      );
    };
    const equality = operator === '==' || operator === '!=';
    let a: number | string | boolean;
    let b: number | string | boolean;
    if (typeof left === 'string' && typeof right === 'string') {
      const leftNumber = equality ? undefined : parseNumericText(left);
      const rightNumber = equality ? undefined : parseNumericText(right);
      if (leftNumber !== undefined && rightNumber !== undefined) {
        [a, b] = [leftNumber, rightNumber];
      } else {
        [a, b] = [left, right];
      }
    } else if (typeof left === 'number' || typeof right === 'number') {
      const leftNumber = numericValue(left);
      const rightNumber = numericValue(right);
      if (leftNumber === undefined || rightNumber === undefined) throw incompatible();
      [a, b] = [leftNumber, rightNumber];
    } else if (typeof left === 'boolean' && typeof right === 'boolean' && equality) {
      [a, b] = [left, right];
    } else {
      throw incompatible();
    }
    switch (operator) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }

  private number(node: ExpressionNode, verb: string): number {
    return this.numberOf(this.evaluate(node), node, verb);
  }

  private numberOf(value: unknown, node: ExpressionNode, verb: string): number {
    const number = numericValue(value);
    if (number === undefined) {
      const hint = Array.isArray(value) ? `; pick an item, e.g. ${this.text(node)}[0]` : '';
      throw this.fail(`cannot ${verb} ${this.subject(node, value)}: it is not a number${hint}`, node);
    }
    return number;
  }

  private boolean(node: ExpressionNode, operator: string): boolean {
    const value = this.evaluate(node);
    if (typeof value !== 'boolean') {
      throw this.fail(`${operator} needs true or false, not ${this.subject(node, value)}`, node);
    }
    return value;
  }

  /** Only JSON-like data passes into a condition; a function or a class instance is refused. */
  private data(value: unknown, node: ExpressionNode): unknown {
    if (isData(value)) return value;
    throw this.fail(`${this.text(node)} is not data but ${describeValue(value)}`, node);
  }

  /** `result (a list of 2 items)`, or a literal as written. */
  private subject(node: ExpressionNode, value: unknown): string {
    const text = this.text(node);
    if (node.kind === 'literal') return text;
    return `${text} (${describeValue(value)})`;
  }

  private text(node: ExpressionNode): string {
    return this.source.slice(node.start, node.end);
  }

  private fail(problem: string, node: ExpressionNode): ExpressionEvaluationError {
    return new ExpressionEvaluationError(problem, node.start, this.source);
  }
}

const ARITHMETIC_VERBS: Record<ArithmeticOperator, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'take the remainder of',
};

function isData(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      return value === null || Array.isArray(value) || isPlainObject(value);
    default:
      return false;
  }
}
