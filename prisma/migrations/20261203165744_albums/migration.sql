-- AlterTable
ALTER TABLE "ShareLink" ADD COLUMN     "albumId" TEXT,
ADD COLUMN     "hideDetails" BOOLEAN NOT NULL DEFAULT false,
ALTER COLUMN "photoId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "Album" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "coverPhotoId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Album_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlbumPhoto" (
    "albumId" TEXT NOT NULL,
    "photoId" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sortAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlbumPhoto_pkey" PRIMARY KEY ("albumId","photoId")
);

-- CreateIndex
CREATE INDEX "Album_ownerId_createdAt_id_idx" ON "Album"("ownerId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AlbumPhoto_albumId_sortAt_photoId_idx" ON "AlbumPhoto"("albumId", "sortAt" DESC, "photoId" DESC);

-- CreateIndex
CREATE INDEX "AlbumPhoto_photoId_idx" ON "AlbumPhoto"("photoId");

-- CreateIndex
CREATE INDEX "ShareLink_albumId_idx" ON "ShareLink"("albumId");

-- AddForeignKey
ALTER TABLE "ShareLink" ADD CONSTRAINT "ShareLink_albumId_fkey" FOREIGN KEY ("albumId") REFERENCES "Album"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Album" ADD CONSTRAINT "Album_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Album" ADD CONSTRAINT "Album_coverPhotoId_fkey" FOREIGN KEY ("coverPhotoId") REFERENCES "Photo"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlbumPhoto" ADD CONSTRAINT "AlbumPhoto_albumId_fkey" FOREIGN KEY ("albumId") REFERENCES "Album"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlbumPhoto" ADD CONSTRAINT "AlbumPhoto_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A share link shares exactly one photo or one album.
ALTER TABLE "ShareLink" ADD CONSTRAINT "ShareLink_one_target" CHECK (num_nonnulls("photoId", "albumId") = 1);

-- AlbumPhoto.sortAt is Photo.sortAt, copied so the album feed is one index range. Processing moves a
-- photo's sortAt (to takenAt) after it may already be in albums; this keeps every copy equal, in the
-- same transaction, whoever updates the photo.
CREATE FUNCTION "album_photo_follow_sort_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "AlbumPhoto" SET "sortAt" = NEW."sortAt" WHERE "photoId" = NEW."id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Photo_sortAt_to_AlbumPhoto"
AFTER UPDATE OF "sortAt" ON "Photo"
FOR EACH ROW WHEN (OLD."sortAt" IS DISTINCT FROM NEW."sortAt")
EXECUTE FUNCTION "album_photo_follow_sort_at"();
