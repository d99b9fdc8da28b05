import { ValidationError } from './errors.js';

// JSON can carry text PostgreSQL cannot store: a NUL character, or a lone
// UTF-16 surrogate (jsonb and text refuse both). Input is checked for it
// before anything is written, so such a value is a 400 naming where it is,
// never a 500 from the database halfway through a transaction.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where `value` holds text PostgreSQL cannot store (a NUL character, or a
 * lone UTF-16 surrogate, which JSON can carry but jsonb and text refuse), as
 * a path like `commits[0].title`; undefined when all of it can be stored.
 */
export function unstorableTextAt(value: unknown, path = ''): string | undefined {
  const bad = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);
  if (typeof value === 'string') return bad(value) ? path || '(the value)' : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorableTextAt(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (bad(key)) return `${path || '(the value)'} (a key)`;
      const found = unstorableTextAt(item, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Refuses text that cannot be stored, naming where it is, before anything is written. */
export function assertStorable(value: unknown, what: string): void {
  const at = unstorableTextAt(value);
  if (at !== undefined) {
    throw new ValidationError(
      `${what} holds text that cannot be stored at ${at}: a NUL character or broken Unicode (a lone surrogate)`,
    );
  }
}
