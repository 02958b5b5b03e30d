import { z } from "zod";
import { SHARE_EXPIRY_KEYS } from "./expiry";

export const SHARE_PASSWORD_MIN = 4;
export const SHARE_PASSWORD_MAX = 200;

export const createShareLinkSchema = z.object({
  photoId: z.string().uuid("Unknown photo."),
  expiresIn: z.enum(SHARE_EXPIRY_KEYS, { error: "Choose when the link expires." }),
  // An empty field means "no password", as the form sends it.
  password: z
    .string()
    .max(SHARE_PASSWORD_MAX, `Use at most ${SHARE_PASSWORD_MAX} characters.`)
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v))
    .refine((v) => v === undefined || v.length >= SHARE_PASSWORD_MIN, `Use at least ${SHARE_PASSWORD_MIN} characters for the password.`),
  allowDownload: z.boolean().default(false),
});

export const revokeShareLinkSchema = z.object({ shareId: z.string().uuid("Unknown link.") });

export const revokeAllShareLinksSchema = z.object({ photoId: z.string().uuid("Unknown photo.") });

export const unlockShareSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid."),
  password: z.string().min(1, "Enter the password.").max(SHARE_PASSWORD_MAX, "That password is too long."),
});

export type CreateShareLinkInput = z.infer<typeof createShareLinkSchema>;

export const createAlbumShareLinkSchema = createShareLinkSchema.omit({ photoId: true }).extend({
  albumId: z.string().uuid("Unknown album."),
  hideDetails: z.boolean().default(false),
});

export const revokeAllAlbumShareLinksSchema = z.object({ albumId: z.string().uuid("Unknown album.") });
