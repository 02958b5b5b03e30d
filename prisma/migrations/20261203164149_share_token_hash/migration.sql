-- Share links keep only a sha256 of their token (a leaked backup hands out no live link).
-- Existing links keep working: their tokens are hashed here, in plain SQL (sha256() is built into
-- PostgreSQL 11+ and PGlite, no pgcrypto). Their owners can no longer copy them from the app
-- (tokenSealed stays null: sealing needs the app's secret); new links are sealed by the app.
ALTER TABLE "ShareLink" ADD COLUMN "tokenHash" TEXT;
ALTER TABLE "ShareLink" ADD COLUMN "tokenSealed" TEXT;

UPDATE "ShareLink" SET "tokenHash" = encode(sha256(convert_to("token", 'UTF8')), 'hex');

ALTER TABLE "ShareLink" ALTER COLUMN "tokenHash" SET NOT NULL;

-- DropIndex
DROP INDEX "ShareLink_token_key";

-- AlterTable
ALTER TABLE "ShareLink" DROP COLUMN "token";

-- CreateIndex
CREATE UNIQUE INDEX "ShareLink_tokenHash_key" ON "ShareLink"("tokenHash");
