"use server";

import { authedAction } from "@/lib/actions/result";
import { addPhotosToAlbum, createAlbum, deleteAlbum, removePhotosFromAlbum, setAlbumCover, updateAlbum } from "@/lib/albums/mutations";
import { listAlbumChoices } from "@/lib/albums/queries";
import { albumIdSchema, albumPhotosSchema, createAlbumSchema, setAlbumCoverSchema, updateAlbumSchema } from "@/lib/albums/schemas";
import { z } from "zod";

// Every album and photo id from the browser is used only together with the caller's id (lib/albums):
// someone else's album is "not found", someone else's photo is left out.

export const listAlbumChoicesAction = authedAction(z.object({}), (_input, user) => listAlbumChoices(user.id));

export const createAlbumAction = authedAction(createAlbumSchema, (input, user) => createAlbum(user.id, input));

export const updateAlbumAction = authedAction(updateAlbumSchema, ({ albumId, ...input }, user) => updateAlbum(user.id, albumId, input));

export const deleteAlbumAction = authedAction(albumIdSchema, ({ albumId }, user) => deleteAlbum(user.id, albumId));

export const addPhotosToAlbumAction = authedAction(albumPhotosSchema, ({ albumId, photoIds }, user) => addPhotosToAlbum(user.id, albumId, photoIds));

export const removePhotosFromAlbumAction = authedAction(albumPhotosSchema, ({ albumId, photoIds }, user) => removePhotosFromAlbum(user.id, albumId, photoIds));

export const setAlbumCoverAction = authedAction(setAlbumCoverSchema, ({ albumId, photoId }, user) => setAlbumCover(user.id, albumId, photoId));
