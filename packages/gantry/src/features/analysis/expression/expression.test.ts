import { describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  evaluateExpression,
  ExpressionEvaluationError,
  parseNumericText,
  type EvaluationScope,
} from './expression-evaluator.js';
import { ExpressionError, MAX_EXPRESSION_LENGTH, parseExpression } from './expression-parser.js';

function evaluate(source: string, scope: Partial<EvaluationScope> = {}): unknown {
  return evaluateExpression(parseExpression(source), { result: undefined, ...scope });
}

function check(source: string, result: unknown, args?: EvaluationScope['args']): boolean {
  return evaluateCondition(parseExpression(source), { result, args });
}

function parseError(source: string, options?: { argNames?: readonly string[] }): ExpressionError {
  try {
    parseExpression(source, options);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

function evaluationError(source: string, scope: Partial<EvaluationScope> = {}): ExpressionEvaluationError {
  try {
    evaluate(source, scope);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

describe('expression parser', () => {
  it('reads literals', () => {
    expect(evaluate('42')).toBe(42);
    expect(evaluate('0.05')).toBe(0.05);
    expect(evaluate('.5')).toBe(0.5);
    expect(evaluate('1e3')).toBe(1000);
    expect(evaluate('2.5E-2')).toBe(0.025);
    expect(evaluate('true')).toBe(true);
    expect(evaluate('false')).toBe(false);
    expect(evaluate("'it\\'s'")).toBe("it's");
    expect(evaluate('"a\\"b\\\\c\\n\\t\\u0041"')).toBe('a"b\\c\n\tA');
    expect(evaluate(`"single ' inside"`)).toBe("single ' inside");
  });

  it('follows precedence: arithmetic, then comparison, then not, and, or', () => {
    expect(evaluate('1 + 2 * 3')).toBe(7);
    expect(evaluate('(1 + 2) * 3')).toBe(9);
    expect(evaluate('10 - 4 - 3')).toBe(3);
    expect(evaluate('7 % 4')).toBe(3);
    expect(evaluate('-2 * -3')).toBe(6);
    expect(evaluate('1 + 1 == 2')).toBe(true);
    expect(evaluate('true or false and false')).toBe(true);
    expect(evaluate('(true or false) and false')).toBe(false);
    expect(evaluate('not 1 > 2')).toBe(true);
    expect(evaluate('!(1 > 2) && 2 > 1 || false')).toBe(true);
    expect(evaluate('not not true')).toBe(true);
  });

  it('records the args a condition uses', () => {
    const expression = parseExpression('result < args.threshold and args.min < result or args.threshold > 0');
    expect(expression.argNames).toEqual(['threshold', 'min']);
    expect(expression.source).toBe('result < args.threshold and args.min < result or args.threshold > 0');
  });

  it('refuses unknown names with the column and a suggestion', () => {
    const error = parseError('reslt < 0.05');
    expect(error.message).toBe('unknown name "reslt" at column 1 of "reslt < 0.05"; did you mean result?');
    expect(error.position).toBe(0);
    expect(error.column).toBe(1);
    expect(error.source).toBe('reslt < 0.05');
    expect(error.detail).toBe('unknown name "reslt"; did you mean result?');

    expect(parseError('result < 1 and foo > 1').message).toBe(
      'unknown name "foo" at column 16 of "result < 1 and foo > 1"; use result or args.NAME',
    );
    expect(parseError('NaN == result').detail).toBe('unknown name "NaN"; test for NaN with isNaN(x)');
    expect(parseError('result == null').detail).toContain('there is no null');
  });

  it('checks args.NAME against the declared names when given', () => {
    expect(() => parseExpression('result < args.threshold', { argNames: ['threshold'] })).not.toThrow();
    expect(parseError('result < args.thresold', { argNames: ['threshold', 'service'] }).detail).toBe(
      'unknown argument args.thresold; did you mean args.threshold?',
    );
    expect(parseError('result < args.x', { argNames: ['threshold'] }).detail).toBe(
      'unknown argument args.x; the arguments are args.threshold',
    );
    expect(parseError('result < args.x', { argNames: [] }).detail).toBe(
      'unknown argument args.x; declare it under args',
    );
    expect(parseError('args > 1').detail).toBe('args needs a name; write args.NAME');
    expect(parseError('args["x"] > 1').detail).toBe('args needs a name; write args.NAME');
    // Without argNames any name parses; evaluation says when it has no value.
    expect(() => parseExpression('args.anything > 1')).not.toThrow();
  });

  it('refuses syntax errors with the column', () => {
    expect(parseError('').detail).toBe('the condition is empty; write e.g. result < 0.05');
    expect(parseError('result <').message).toBe(
      'the condition ends too early at column 9 of "result <"; expected a value',
    );
    expect(parseError('(result < 1').detail).toBe(
      'the condition ends too early; close the parenthesis with )',
    );
    expect(parseError('result < 1)').detail).toBe('unexpected ")"; this parenthesis closes nothing');
    expect(parseError('result[0').detail).toBe('the condition ends too early; close result[ with ]');
    expect(parseError('result < 0.05 result').position).toBe(14);
    expect(parseError("'open").detail).toBe("unterminated string; close it with '");
    expect(parseError('"\\q"').detail).toContain('unknown escape "\\q"');
    expect(parseError('1abc').detail).toBe('unexpected "a" after the number 1');
    expect(parseError('0 < result < 1').detail).toBe(
      'comparisons cannot be chained; write 0 < result and result < ...',
    );
    expect(parseError('result ** 2').detail).toBe('unexpected "**"; there is no power operator');
    expect(parseError('1 === 1').detail).toBe('unexpected "==="; write ==');
    expect(parseError('result < 1 AND result > 0').detail).toBe('unexpected "AND"; write and');
    expect(parseError('result ? 1 : 2').detail).toContain('the conditional operator is not supported');
    expect(parseError('len').detail).toBe('len is a function; call it: len(...)');
    expect(parseError('len(result, 2)').detail).toBe('len takes 1 argument, not 2');
    expect(parseError('max()').detail).toBe('max takes at least 1 argument, not 0');
  });

  describe('refuses code at parse time', () => {
    const attempts: [string, string][] = [
      ['process.exit()', 'unknown name "process"'],
      ['process.exit(1) or true', 'unknown name "process"'],
      ['constructor.constructor("return process")()', 'unknown name "constructor"'],
      ['result.constructor.constructor("return process")()', '"constructor" cannot be read'],
      ['result.__proto__', '"__proto__" cannot be read'],
      ['result.prototype', '"prototype" cannot be read'],
      ['result["constructor"]', '"constructor" cannot be read'],
      ["result['__proto__'].polluted", '"__proto__" cannot be read'],
      ['result.__defineGetter__', '"__defineGetter__" cannot be read'],
      ['args.constructor', '"constructor" cannot be read'],
      ['result.foo()', 'result.foo cannot be called'],
      ['result[0]()', 'result[0] cannot be called'],
      ['(len)(result)', 'len is a function'],
      ['result()', 'result cannot be called'],
      ['eval("1")', 'unknown function "eval"'],
      ['Function("return 1")()', 'unknown function "Function"'],
      ['require("fs")', 'unknown function "require"'],
      ['import("fs")', 'unknown function "import"'],
      ['globalThis.process', 'unknown name "globalThis"'],
      ['this.x', 'unknown name "this"'],
      ['result = 1', 'unexpected "="'],
      ['result.x = 1', 'unexpected "="'],
      ['result < 1; process.exit()', 'unexpected ";"'],
      ['`${process.exit()}`', 'unexpected "`"'],
      ['result => 1', 'unexpected "="'],
      ['new Date()', 'unknown name "new"'],
      ['{}.constructor', 'unexpected "{"'],
      ['result | 0', 'unexpected "|"'],
      ['result & 1', 'unexpected "&"'],
      ['$x', 'unexpected "$"'],
      ['result // comment', 'unexpected "/"'],
      ['result # comment', 'unexpected "#"'],
      ['lenn(result)', 'unknown function "lenn"'],
    ];
    for (const [source, problem] of attempts) {
      it(source, () => {
        expect(parseError(source).problem).toBe(problem);
      });
    }

    it('suggests the nearest function', () => {
      expect(parseError('lenn(result)').hint).toBe('did you mean len?');
      expect(parseError('exit(result)').hint).toBe('the functions are len, isNaN, abs, min and max');
    });

    it('bounds length and nesting', () => {
      expect(parseError('1'.repeat(MAX_EXPRESSION_LENGTH + 1)).problem).toContain('characters long');
      expect(parseError(`${'('.repeat(200)}1${')'.repeat(200)}`).problem).toBe(
        'the condition is nested too deeply',
      );
      expect(parseError(`${'-'.repeat(200)}1`).problem).toBe('the condition is nested too deeply');
      expect(parseError(`${'not '.repeat(200)}true`).problem).toBe('the condition is nested too deeply');
      expect(evaluate(`${'('.repeat(20)}1${')'.repeat(20)}`)).toBe(1);
    });
  });
});

describe('expression evaluator', () => {
  it('reads result, members and indexes', () => {
    expect(evaluate('result', { result: 0.5 })).toBe(0.5);
    expect(evaluate('result[1]', { result: [1, 2] })).toBe(2);
    expect(evaluate('result.data.items[0].ok', { result: { data: { items: [{ ok: true }] } } })).toBe(true);
    expect(evaluate('result["a b"]', { result: { 'a b': 3 } })).toBe(3);
    expect(evaluate('result[1 + 1]', { result: [0, 0, 7] })).toBe(7);
    expect(evaluate('args.x', { args: { x: 'y' } })).toBe('y');
  });

  it('reads own properties of plain data only', () => {
    const key = (text: string) => ({ args: { k: text }, result: { a: 1 } });
    expect(evaluationError('result[args.k]', key('constructor')).problem).toBe(
      '"constructor" cannot be read; only fields of the measured data can be read',
    );
    expect(evaluationError('result[args.k]', key('__proto__')).problem).toContain(
      '"__proto__" cannot be read',
    );
    expect(evaluationError('result[args.k]', key('toString')).problem).toBe(
      'result has no field "toString" (it has a)',
    );
    expect(evaluationError('result[args.k]', key('hasOwnProperty')).problem).toContain('has no field');
    expect(evaluationError('result.valueOf', { result: { a: 1 } }).problem).toContain(
      'has no field "valueOf"',
    );
    expect(evaluationError('result.length', { result: 'text' }).problem).toBe(
      'result is the text "text", which has no fields',
    );
    expect(evaluationError('result.length', { result: [1] }).problem).toBe(
      'result is a list of 1 item, not a mapping; pick an item with result[0]',
    );
    expect(evaluationError('result.x', { result: new Date(0) }).problem).toBe(
      'result is an object that is not data, which has no fields',
    );
    expect(evaluationError('result.f', { result: { f: () => 1 } }).problem).toBe(
      'result.f is not data but a function',
    );
    // A JSON "__proto__" key is an own property; it is still refused by name.
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown;
    expect(evaluate('result.y', { result: parsed })).toBe(2);
    expect(evaluationError('result[args.k]', { result: parsed, args: { k: '__proto__' } }).problem).toContain(
      'cannot be read',
    );
    // Null-prototype objects are data too.
    const bare = Object.assign(Object.create(null) as object, { v: 1 });
    expect(evaluate('result.v', { result: bare })).toBe(1);
  });

  it('explains bad indexes', () => {
    expect(evaluationError('result[0] < 1', { result: [] }).message).toBe(
      'result is an empty list at column 1 of "result[0] < 1"',
    );
    expect(evaluationError('result[2]', { result: [1, 2] }).problem).toBe(
      'result[2] is out of range: result has 2 items',
    );
    expect(evaluationError('result[-1]', { result: [1] }).problem).toContain(
      'indexed by a whole number from 0',
    );
    expect(evaluationError('result[0.5]', { result: [1] }).problem).toContain(
      'indexed by a whole number from 0',
    );
    expect(evaluationError('result[0]', { result: 3 }).problem).toBe(
      'a mapping is indexed by a field name in quotes, not 0',
    );
    expect(evaluationError('result["x"]', { result: 3 }).problem).toBe('result is 3, which has no fields');
    expect(evaluationError('result.missing', { result: { a: 1, b: 2 } }).problem).toBe(
      'result has no field "missing" (it has a, b)',
    );
    expect(evaluationError('args.x > 1', { args: {} }).problem).toBe('args.x has no value');
    expect(evaluationError('args.x > 1').problem).toBe('args.x has no value');
  });

  it('compares numbers with numeric text, and text with text', () => {
    expect(check('result < 0.05', '0.01')).toBe(true);
    expect(check('result < args.threshold', 0.01, { threshold: '0.05' })).toBe(true);
    expect(check('result >= args.threshold', 0.01, { threshold: '0.05' })).toBe(false);
    expect(check('result == 1', '1.0')).toBe(true);
    expect(check('result == "1.0"', '1.0')).toBe(true);
    expect(check('result == "1"', '1.0')).toBe(false);
    // Two numeric texts are ordered as numbers, not alphabetically.
    expect(check('args.a < args.b', undefined, { a: '9', b: '10' })).toBe(true);
    expect(check('result < "b"', 'a')).toBe(true);
    expect(check('result == "ok"', 'ok')).toBe(true);
    expect(check('result != "ok"', 'ko')).toBe(true);
    expect(check('result == true', true)).toBe(true);
    expect(check('result != false', true)).toBe(true);
    expect(check('result > 1', '+Inf')).toBe(true);
    expect(check('result < 0', '-Inf')).toBe(true);
    expect(check('args.n == 3', undefined, { n: 3 })).toBe(true);
  });

  it('refuses comparisons of incompatible types', () => {
    expect(evaluationError('result < 0.05', { result: [0.01] }).message).toBe(
      'cannot compare result (a list of 1 item) with 0.05 using <; compare an item, e.g. result[0] at column 1 of "result < 0.05"',
    );
    expect(evaluationError('result == true', { result: 1 }).problem).toBe(
      'cannot compare result (1) with true using ==',
    );
    expect(evaluationError('result < "abc"', { result: 1 }).problem).toBe(
      'cannot compare result (1) with "abc" using <',
    );
    expect(evaluationError('result < true', { result: false }).problem).toContain('cannot compare');
    expect(evaluationError('result.x < 1', { result: { x: null } }).problem).toBe(
      'cannot compare result.x (null) with 1 using <',
    );
    expect(evaluationError('result == 1', { result: { a: 1 } }).problem).toContain('(a mapping)');
  });

  it('follows IEEE 754 for NaN', () => {
    expect(check('result < 0.05', NaN)).toBe(false);
    expect(check('result >= 0.05', NaN)).toBe(false);
    expect(check('result == result', NaN)).toBe(false);
    expect(check('result != 1', NaN)).toBe(true);
    expect(check('result < 0.05', 'NaN')).toBe(false);
    expect(check('isNaN(result)', NaN)).toBe(true);
    expect(check('isNaN(result)', 'NaN')).toBe(true);
    expect(check('isNaN(result)', 0.1)).toBe(false);
    expect(check('isNaN(result) or result < 0.05', NaN)).toBe(true);
    expect(check('isNaN(result[0])', [NaN])).toBe(true);
    expect(evaluationError('isNaN(result)', { result: [NaN] }).problem).toBe(
      'isNaN needs a number, not a list of 1 item; test an item, e.g. isNaN(result[0])',
    );
    expect(evaluationError('isNaN(result)', { result: 'abc' }).problem).toBe(
      'isNaN needs a number, not the text "abc"',
    );
  });

  it('does arithmetic on numbers and numeric text only', () => {
    expect(evaluate('args.t * 2', { args: { t: '0.05' } })).toBe(0.1);
    expect(evaluate('-result', { result: '3' })).toBe(-3);
    expect(evaluate('+result', { result: '3' })).toBe(3);
    expect(evaluate('result / 0', { result: 1 })).toBe(Infinity);
    expect(Number.isNaN(evaluate('result / 0', { result: 0 }))).toBe(true);
    expect(evaluationError('"a" + 1').problem).toBe('cannot add "a": it is not a number');
    expect(evaluationError('result * 2', { result: [1] }).problem).toBe(
      'cannot multiply result (a list of 1 item): it is not a number; pick an item, e.g. result[0]',
    );
    expect(evaluationError('-result', { result: true }).problem).toBe(
      'cannot negate result (true): it is not a number',
    );
    expect(evaluationError('result % 2', { result: 'x' }).problem).toContain('cannot take the remainder of');
  });

  it('takes true or false in and, or, not, and stops early', () => {
    expect(check('len(result) == 0 or result[0] < 0.05', [])).toBe(true);
    expect(check('len(result) > 0 and result[0] < 0.05', [])).toBe(false);
    expect(check('len(result) > 0 and result[0] < 0.05', [0.01])).toBe(true);
    expect(evaluationError('result and true', { result: 1 }).problem).toBe(
      'and needs true or false, not result (1)',
    );
    expect(check('true or 1', undefined)).toBe(true);
    expect(evaluationError('false or 1').problem).toBe('or needs true or false, not 1');
    expect(evaluationError('not result', { result: 'true' }).problem).toBe(
      'not needs true or false, not result (the text "true")',
    );
  });

  it('has len, isNaN, abs, min and max', () => {
    expect(evaluate('len(result)', { result: [1, 2, 3] })).toBe(3);
    expect(evaluate('len(result)', { result: 'abcd' })).toBe(4);
    expect(evaluate('len(result)', { result: { a: 1, b: 2 } })).toBe(2);
    expect(evaluationError('len(result)', { result: 3 }).problem).toBe(
      'len needs a list, a mapping or a text, not 3',
    );
    expect(evaluate('abs(result)', { result: -0.5 })).toBe(0.5);
    expect(evaluate('abs(result)', { result: '-2' })).toBe(2);
    expect(evaluate('max(result)', { result: [0.1, '0.3', 0.2] })).toBe(0.3);
    expect(evaluate('min(result)', { result: [0.1, 0.3] })).toBe(0.1);
    expect(evaluate('max(1, 5, 3)')).toBe(5);
    expect(evaluate('min(result[0], 2)', { result: [4] })).toBe(2);
    expect(evaluationError('max(result)', { result: [] }).problem).toBe('max of an empty list');
    expect(evaluationError('min(result)', { result: ['x'] }).problem).toContain('cannot take min of');
  });

  it('requires a condition to give true or false', () => {
    expect(() => check('result', 1)).toThrow(ExpressionEvaluationError);
    expect(() => check('result', 1)).toThrow('the condition gives 1, not true or false');
    expect(check('result', true)).toBe(true);
  });

  it('reports the column of the failing part', () => {
    const error = evaluationError('len(result) > 0 and result.x[0] > 1', { result: { x: [] } });
    expect(error.position).toBe(20);
    expect(error.message).toBe(
      'result.x is an empty list at column 21 of "len(result) > 0 and result.x[0] > 1"',
    );
  });
});

describe('numeric text', () => {
  it('reads what Prometheus and Go print', () => {
    expect(parseNumericText('0.05')).toBe(0.05);
    expect(parseNumericText(' 12 ')).toBe(12);
    expect(parseNumericText('-1e-3')).toBe(-0.001);
    expect(parseNumericText('+Inf')).toBe(Infinity);
    expect(parseNumericText('-Inf')).toBe(-Infinity);
    expect(parseNumericText('NaN')).toBeNaN();
    expect(parseNumericText('')).toBeUndefined();
    expect(parseNumericText('0x10')).toBeUndefined();
    expect(parseNumericText('1,5')).toBeUndefined();
    expect(parseNumericText('abc')).toBeUndefined();
    expect(parseNumericText('constructor')).toBeUndefined();
  });
});
