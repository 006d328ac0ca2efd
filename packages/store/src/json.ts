import type { InputJsonValue } from './generated/internal/prismaNamespace.js';

/**
 * A value as JSONB will hold it: non-finite numbers become null and undefined members vanish,
 * exactly as JSON.stringify has it, so that what is written is what is read back.
 */
export function toJson(value: object): InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as InputJsonValue;
}

/** Numbers for a Float column: the client cannot send NaN or infinities, so they go as null. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}
