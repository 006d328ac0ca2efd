import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/value';
import { SpecError, type SpecIssue } from './errors.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker;
}

/**
 * Throws SPEC_INVALID listing the first few problems, each with its JSON pointer, so that a
 * user can find the field without reading the schema.
 */
export function assertMatches(schema: TSchema, value: unknown, at = ''): void {
  const checker = checkerFor(schema);
  if (checker.Check(value)) return;

  const issues: SpecIssue[] = [];
  for (const error of checker.Errors(value)) {
    issues.push({ path: at + error.path, message: messageOf(error) });
    if (issues.length >= 5) break;
  }
  const first = issues[0];
  const where = first && first.path ? ` at ${first.path}` : '';
  throw new SpecError(
    'SPEC_INVALID',
    `Invalid spec${where}: ${first?.message ?? 'unknown'}.`,
    issues,
  );
}

/**
 * TypeBox says only "Expected union value" for a value outside a list of literals (an
 * unknown optimizer, say); the user needs the list.
 */
function messageOf(error: ValueError): string {
  const options = (error.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  const literals = options?.every((option) => option.const !== undefined)
    ? options.map((option) => JSON.stringify(option.const))
    : null;
  return literals ? `must be one of ${literals.join(', ')}` : error.message;
}
