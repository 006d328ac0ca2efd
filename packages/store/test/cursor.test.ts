import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/cursor.js';

describe('cursors', () => {
  it('give back the key they were made from', () => {
    const key = { createdAt: new Date('2026-12-03T17:00:00.123Z'), id: 'ab'.repeat(32) };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it.each([
    '',
    'garbage',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["x","y"]').toString('base64url'),
  ])('refuse %j with STORE_INVALID_INPUT', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID_INPUT' }),
    );
  });
});
