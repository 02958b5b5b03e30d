/**
 * Limits the browser needs too. Kept apart from schemas.ts so client components can read
 * them without bundling zod, whose start-up probe for `new Function` is an eval the CSP
 * reports as a violation.
 */
/** Photos added or removed in one call; the gallery's multi-select sends its selection in batches of this. */
export const ALBUM_BATCH_MAX = 500;
