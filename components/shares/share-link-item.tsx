import { Button } from "@/components/ui/button";
import { shareUrl } from "@/lib/shares/expiry";
import type { ShareLinkView } from "@/lib/shares/queries";
import { CopyButton } from "./copy-button";
import { ShareLinkDetails } from "./share-link-details";

/**
 * One active link as its owner sees it: the shortened address, its details, and Copy and Revoke
 * buttons named by the token's last characters so each row's buttons can be told apart.
 * `addressColor` is lighter where the address sits under the photo's name.
 */
export function ShareLinkItem({
  link,
  appUrl,
  onRevoke,
  revoking,
  addressColor,
}: {
  link: ShareLinkView;
  appUrl: string;
  onRevoke: () => void;
  revoking: boolean;
  addressColor: "text-zinc-500" | "text-zinc-600";
}) {
  const url = shareUrl(appUrl, link.token);
  const suffix = link.token.slice(-6);
  return (
    <>
      <p className={`truncate font-mono text-xs ${addressColor} dark:text-zinc-400`} title={url}>
        …/s/{link.token.slice(0, 10)}…{suffix}
      </p>
      <div className="mt-1.5">
        <ShareLinkDetails link={link} />
      </div>
      <div className="mt-2 flex gap-2">
        <CopyButton text={url} label={`Copy link ending ${suffix}`} size="sm" />
        <Button variant="secondary" onClick={onRevoke} disabled={revoking} aria-label={`Revoke link ending ${suffix}`} size="sm">
          Revoke
        </Button>
      </div>
    </>
  );
}
