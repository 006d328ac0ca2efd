/**
 * Checkpoints are content-addressed: stored once under the SHA-256 of their bytes, however many
 * runs and epochs point at them. A run points at one checkpoint per (role, epoch); storing that
 * pair again (a resumed worker redoing an epoch) moves the pointer.
 */
import { sha256Hex } from '@metaopt/spec';
import { StoreError, translated } from './errors.js';
import type { PrismaClient } from './generated/client.js';
import { finiteOrNull } from './json.js';
import type { CheckpointBytes, CheckpointInput, CheckpointRef, CheckpointRole } from './types.js';

interface RefRow {
  runId: string;
  checkpointId: string;
  role: CheckpointRole;
  epoch: number;
  score: number | null;
  createdAt: Date;
}

function toRef(row: RefRow, size: number): CheckpointRef {
  return {
    runId: row.runId,
    checkpointId: row.checkpointId,
    role: row.role,
    epoch: row.epoch,
    score: row.score,
    size,
    createdAt: row.createdAt,
  };
}

export function createCheckpointRepository(db: PrismaClient) {
  return {
    /**
     * Stores `bytes` unless the same bytes are already stored, and points the run's
     * (role, epoch) at them. A non-finite score is stored as null.
     */
    put: (runId: string, checkpoint: CheckpointInput): Promise<{ id: string; size: number }> => {
      // A copy: the client takes bytes backed by a plain ArrayBuffer only.
      const bytes = new Uint8Array(checkpoint.bytes);
      const id = sha256Hex(bytes);
      const size = bytes.byteLength;
      const pointer = { checkpointId: id, score: finiteOrNull(checkpoint.score) };

      const stored = translated(() =>
        db.$transaction(async (tx) => {
          // Skip sending megabytes the store already has.
          const known = await tx.checkpoint.findUnique({ where: { id }, select: { id: true } });
          if (!known) {
            await tx.checkpoint.createMany({
              data: [{ id, bytes, size }],
              skipDuplicates: true,
            });
          }
          const key = { runId, role: checkpoint.role, epoch: checkpoint.epoch };
          await tx.runCheckpoint.upsert({
            where: { runId_role_epoch: key },
            create: { ...key, ...pointer },
            update: { ...pointer, createdAt: new Date() },
          });
          return { id, size };
        }),
      );
      // The run is the only thing the new rows can fail to refer to.
      return stored.catch((error: unknown) => {
        if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
        throw new StoreError('STORE_NOT_FOUND', `No run ${runId}.`, { cause: error });
      });
    },

    /**
     * Stores `bytes` under their SHA-256 without pointing any run at them (an imported
     * optimizer, whose training metaopt did not see); equal bytes are stored once.
     */
    putDetached: (bytes: Uint8Array): Promise<{ id: string; size: number; created: boolean }> =>
      translated(async () => {
        const copy = new Uint8Array(bytes);
        const id = sha256Hex(copy);
        const { count } = await db.checkpoint.createMany({
          data: [{ id, bytes: copy, size: copy.byteLength }],
          skipDuplicates: true,
        });
        return { id, size: copy.byteLength, created: count === 1 };
      }),

    /** The run's checkpoint of `role` with the highest epoch, bytes included. */
    latest: (
      runId: string,
      role: CheckpointRole,
    ): Promise<(CheckpointRef & { bytes: Uint8Array }) | null> =>
      translated(async () => {
        const row = await db.runCheckpoint.findFirst({
          where: { runId, role },
          orderBy: { epoch: 'desc' },
          include: { checkpoint: { select: { bytes: true, size: true } } },
        });
        return row ? { ...toRef(row, row.checkpoint.size), bytes: row.checkpoint.bytes } : null;
      }),

    get: (id: string): Promise<CheckpointBytes | null> =>
      translated(() =>
        db.checkpoint.findUnique({ where: { id }, select: { id: true, bytes: true, size: true } }),
      ),

    /** Every pointer of the run, by epoch then role. */
    listForRun: (runId: string): Promise<CheckpointRef[]> =>
      translated(async () => {
        const rows = await db.runCheckpoint.findMany({
          where: { runId },
          orderBy: [{ epoch: 'asc' }, { role: 'asc' }],
          include: { checkpoint: { select: { size: true } } },
        });
        return rows.map((row) => toRef(row, row.checkpoint.size));
      }),
  };
}

export type CheckpointRepository = ReturnType<typeof createCheckpointRepository>;
