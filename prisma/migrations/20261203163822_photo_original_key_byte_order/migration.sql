-- CreateIndex
CREATE INDEX "Photo_originalKey_idx" ON "Photo"("originalKey" text_pattern_ops);
