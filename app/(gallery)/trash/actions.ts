"use server";

import { authedAction } from "@/lib/actions/result";
import { emptyTrashSchema, photoIdsSchema } from "@/lib/photos/schemas";
import { deleteFromTrash, emptyTrash, restorePhotos } from "@/lib/photos/trash";

// Photo ids are only ever used together with the caller's id (lib/photos/trash scopes every query).

export const restorePhotosAction = authedAction(photoIdsSchema, ({ photoIds }, user) => restorePhotos(user.id, photoIds));

export const deleteFromTrashAction = authedAction(photoIdsSchema, ({ photoIds }, user) => deleteFromTrash(user.id, photoIds));

export const emptyTrashAction = authedAction(emptyTrashSchema, ({ trashedUpTo }, user) => emptyTrash(user.id, new Date(trashedUpTo)));
