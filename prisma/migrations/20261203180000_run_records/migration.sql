-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('queued', 'running', 'succeeded', 'diverged', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "checkpoint_role" AS ENUM ('state', 'best');

-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "task_kind" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "progress" JSONB,
    "summary" JSONB,
    "error" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "backend" TEXT,
    "worker" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curves" (
    "run_id" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "steps" INTEGER NOT NULL,
    "problems" INTEGER NOT NULL,
    "mean" DOUBLE PRECISION[],
    "std" DOUBLE PRECISION[],
    "p10" DOUBLE PRECISION[],
    "median" DOUBLE PRECISION[],
    "p90" DOUBLE PRECISION[],
    "min" DOUBLE PRECISION[],
    "max" DOUBLE PRECISION[],
    "raw" BYTEA,

    CONSTRAINT "curves_pkey" PRIMARY KEY ("run_id","series")
);

-- CreateTable
CREATE TABLE "checkpoints" (
    "id" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_checkpoints" (
    "run_id" TEXT NOT NULL,
    "role" "checkpoint_role" NOT NULL,
    "epoch" INTEGER NOT NULL,
    "checkpoint_id" TEXT NOT NULL,
    "score" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_checkpoints_pkey" PRIMARY KEY ("run_id","role","epoch")
);

-- CreateTable
CREATE TABLE "sweeps" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sweeps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sweep_runs" (
    "sweep_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "role" TEXT,

    CONSTRAINT "sweep_runs_pkey" PRIMARY KEY ("sweep_id","run_id")
);

-- CreateIndex
CREATE INDEX "runs_created_at_id_idx" ON "runs"("created_at", "id");

-- CreateIndex
CREATE INDEX "runs_kind_created_at_id_idx" ON "runs"("kind", "created_at", "id");

-- CreateIndex
CREATE INDEX "runs_status_created_at_id_idx" ON "runs"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "runs_task_kind_created_at_id_idx" ON "runs"("task_kind", "created_at", "id");

-- CreateIndex
CREATE INDEX "run_checkpoints_checkpoint_id_idx" ON "run_checkpoints"("checkpoint_id");

-- CreateIndex
CREATE INDEX "sweep_runs_run_id_idx" ON "sweep_runs"("run_id");

-- AddForeignKey
ALTER TABLE "curves" ADD CONSTRAINT "curves_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_checkpoints" ADD CONSTRAINT "run_checkpoints_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_checkpoints" ADD CONSTRAINT "run_checkpoints_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sweep_runs" ADD CONSTRAINT "sweep_runs_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sweep_runs" ADD CONSTRAINT "sweep_runs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Checks the Prisma schema cannot express. Content ids are SHA-256 in lowercase hex; the kinds
-- are those of packages/spec. A curve has one mean per step; each other statistic has one per
-- step too, or none where it was not recorded; the raw matrix is problems × steps float32s.
ALTER TABLE "runs" ADD CONSTRAINT "runs_id_check" CHECK ("id" ~ '^[0-9a-f]{64}$');
ALTER TABLE "runs" ADD CONSTRAINT "runs_kind_check"
    CHECK ("kind" IN ('baseline', 'meta-train', 'evaluate'));
ALTER TABLE "runs" ADD CONSTRAINT "runs_task_kind_check" CHECK ("task_kind" IN ('quadratic', 'mnist'));
ALTER TABLE "runs" ADD CONSTRAINT "runs_attempts_check" CHECK ("attempts" >= 0);
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_id_check" CHECK ("id" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_id_check" CHECK ("id" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_size_check" CHECK ("size" = octet_length("bytes"));
ALTER TABLE "curves" ADD CONSTRAINT "curves_shape_check" CHECK (
    "steps" >= 0 AND "problems" >= 0
    AND cardinality("mean") = "steps"
    AND cardinality("std") IN (0, "steps") AND cardinality("p10") IN (0, "steps")
    AND cardinality("median") IN (0, "steps") AND cardinality("p90") IN (0, "steps")
    AND cardinality("min") IN (0, "steps") AND cardinality("max") IN (0, "steps")
    AND ("raw" IS NULL OR octet_length("raw") = 4 * "steps" * "problems")
);
