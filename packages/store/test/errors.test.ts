import { describe, expect, it } from 'vitest';
import { STORE_ERRORS, StoreError, toStoreError } from '../src/errors.js';

/** Shaped like what Prisma 7 with adapter-pg throws. */
function prismaError(code: string, kind?: string, originalCode?: string) {
  return Object.assign(new Error(`prisma says ${code}`), {
    code,
    meta: kind ? { driverAdapterError: { cause: { kind, originalCode } } } : undefined,
  });
}

describe('toStoreError', () => {
  it.each([
    [
      'P1001 (server unreachable)',
      prismaError('P1001', 'DatabaseNotReachable'),
      'STORE_UNAVAILABLE',
    ],
    ['P1003 (no such database)', prismaError('P1003', 'DatabaseDoesNotExist'), 'STORE_UNAVAILABLE'],
    [
      'a raw query on a missing database',
      prismaError('P2010', 'DatabaseDoesNotExist'),
      'STORE_UNAVAILABLE',
    ],
    [
      'a refused socket',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      'STORE_UNAVAILABLE',
    ],
    [
      'a pooled connection cut under a query',
      new Error('Connection terminated unexpectedly'),
      'STORE_UNAVAILABLE',
    ],
    ['the server shutting down', prismaError('P2010', 'postgres', '57P01'), 'STORE_UNAVAILABLE'],
    [
      'a foreign key violation',
      prismaError('P2003', 'ForeignKeyConstraintViolation'),
      'STORE_CONFLICT',
    ],
    ['a CHECK violation', prismaError('P2039', 'postgres', '23514'), 'STORE_INVALID_INPUT'],
  ])('maps %s', (_what, error, code) => {
    const mapped = toStoreError(error);
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped).toMatchObject({
      code,
      retryable: STORE_ERRORS[code as keyof typeof STORE_ERRORS].retryable,
    });
    expect((mapped as StoreError).cause).toBe(error);
  });

  it('passes other errors through untouched', () => {
    const error = new TypeError('a bug');
    expect(toStoreError(error)).toBe(error);
  });
});
