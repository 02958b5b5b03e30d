import { createAuthClient } from "better-auth/react";

/** Browser side of better-auth: sign-in/up go over HTTP so its rate limits apply. */
export const authClient = createAuthClient();
