/**
 * Content addresses. A run's id is SHA-256 over the RFC 8785 canonical JSON of its normalized
 * spec together with the numerics version, so that a change to the numerics that would alter
 * results gives every run a new id instead of answering from stale records.
 *
 * Hash only specs built in memory: PostgreSQL's JSONB reorders keys, and although canonical
 * JSON sorts them again, numbers read back may not print the same.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RunSpec } from './types.js';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function runIdOf(run: RunSpec, numericsVersion: string): string {
  return sha256Hex(canonicalJson({ numerics: numericsVersion, run }));
}

export const CONTENT_ID_PATTERN = /^[0-9a-f]{64}$/;

export function isContentId(value: string): boolean {
  return CONTENT_ID_PATTERN.test(value);
}
