import type { Metadata } from "next";
import { SharedLinksList } from "@/components/shares/shared-links-list";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { listActiveShareLinks, SHARE_LIST_LIMIT } from "@/lib/shares/queries";

export const metadata: Metadata = { title: "Shared links" };

export default async function SharedLinksPage() {
  const user = await requireUserOrRedirect("/shares");
  const links = await listActiveShareLinks(user.id);
  return (
    <section aria-labelledby="shares-heading" className="mx-auto max-w-4xl">
      <h1 id="shares-heading" className="text-2xl font-semibold">
        Shared links
      </h1>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Every link that still opens. Revoke one and it stops working at once.
        {links.length >= SHARE_LIST_LIMIT ? ` Showing the newest ${SHARE_LIST_LIMIT}.` : ""}
      </p>
      <SharedLinksList initialLinks={links} appUrl={env.APP_URL} />
    </section>
  );
}
