-- CreateTable
CREATE TABLE "comparisons" (
    "id" TEXT NOT NULL,
    "layout" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "result" JSONB,
    "figures" JSONB,
    "error" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "comparisons_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_id_fkey" FOREIGN KEY ("id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A status Prisma cannot express as a check.
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_status_check"
    CHECK ("status" IN ('running', 'succeeded', 'failed'));
