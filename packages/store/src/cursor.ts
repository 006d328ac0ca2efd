/**
 * Keyset cursors for listing newest first: the (createdAt, id) of the last item of a page,
 * opaque to clients. createdAt has millisecond precision in the database, as in Date.
 */
import { StoreError } from './errors.js';

export interface CursorKey {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor({ createdAt, id }: CursorKey): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const date = new Date(createdAt as string);
    if (typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(date.getTime())) {
      return { createdAt: date, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new StoreError('STORE_INVALID_INPUT', 'The cursor is not one this store handed out.');
}
