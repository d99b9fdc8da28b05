import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import { assertStorable } from '../../shared/storable-text.js';

// Input validation with zod: the same schemas describe the API (OpenAPI) and
// check what arrives. A rejection lists every problem with its path, e.g.
//   Invalid request body: service: is required (a string); digest: Invalid input: expected string, received number

export interface ValidationIssue {
  /** Where the problem is, as `stages[0].target`; empty for the value itself. */
  path: string;
  message: string;
}

/** `['stages', 0, 'target']` → `stages[0].target`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'symbol') text += `[${segment.toString()}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export function validationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: messageOf(issue) }));
}

/** zod says "expected string, received undefined" for a missing field; people say "is required". */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `is required (${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`})`;
  }
  return issue.message;
}

/**
 * Parses `value` with `schema`, or throws a ValidationError (400) whose message
 * lists each path and problem and whose details hold them as `{ issues }`.
 * `subject` names what was parsed: "request body", "query string", ….
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, subject = 'input'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    // Checked on what was parsed (not the raw input): a field the schema drops cannot hurt.
    assertStorable(result.data, subject);
    return result.data;
  }
  const issues = validationIssues(result.error);
  const listed = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  throw new ValidationError(`Invalid ${subject}: ${listed.join('; ')}`, { issues });
}

function subjectOf(metadata: ArgumentMetadata): string {
  const field = metadata.data ? ` field ${metadata.data}` : '';
  switch (metadata.type) {
    case 'body':
      return `request body${field}`;
    case 'query':
      return metadata.data ? `query parameter ${metadata.data}` : 'query string';
    case 'param':
      return metadata.data ? `path parameter ${metadata.data}` : 'path parameters';
    case 'custom':
      return 'input';
  }
}

/**
 * Validates a controller argument: `@Body(new ZodValidationPipe(createReleaseSchema)) body: CreateRelease`.
 * The argument becomes the schema's output (defaults applied, coercions done).
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    return parseWith(this.schema, value, subjectOf(metadata));
  }
}
