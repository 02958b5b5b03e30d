"use server";

import { authedAction } from "@/lib/actions/result";
import { createShareLink, revokeAllShareLinks, revokeShareLink } from "@/lib/shares/mutations";
import { createShareLinkSchema, revokeAllShareLinksSchema, revokeShareLinkSchema } from "@/lib/shares/schemas";

// Photo and link ids from the browser are only ever used together with the caller's id (lib/shares scopes every query).

export const createShareLinkAction = authedAction(createShareLinkSchema, ({ photoId, ...options }, user) =>
  createShareLink(user.id, photoId, options),
);

export const revokeShareLinkAction = authedAction(revokeShareLinkSchema, ({ shareId }, user) => revokeShareLink(user.id, shareId));

export const revokeAllShareLinksAction = authedAction(revokeAllShareLinksSchema, ({ photoId }, user) => revokeAllShareLinks(user.id, photoId));
