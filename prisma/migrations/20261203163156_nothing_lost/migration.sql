-- AlterTable
ALTER TABLE "Photo" ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "processingAttempts" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Installation" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Installation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Photo_ownerId_deletedAt_idx" ON "Photo"("ownerId", "deletedAt" DESC);
