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
  // Tokens are stored hashed; the owner's copy is sealed with the app's secret (lib/shares/token-copy.ts).
  // A link made before that, or after the secret changed, still works but its address cannot be shown.
  const url = link.token ? shareUrl(appUrl, link.token) : null;
  const suffix = (link.token ?? link.id).slice(-6);
  return (
    <>
      {url && link.token ? (
        <p className={`truncate font-mono text-xs ${addressColor} dark:text-zinc-400`} title={url}>
          …/s/{link.token.slice(0, 10)}…{suffix}
        </p>
      ) : (
        <p className={`text-xs ${addressColor} dark:text-zinc-400`}>This link&apos;s address can&apos;t be shown again; it still works for whoever has it.</p>
      )}
      <div className="mt-1.5">
        <ShareLinkDetails link={link} />
      </div>
      <div className="mt-2 flex gap-2">
        {url ? <CopyButton text={url} label={`Copy link ending ${suffix}`} size="sm" /> : null}
        <Button variant="secondary" onClick={onRevoke} disabled={revoking} aria-label={`Revoke link ending ${suffix}`} size="sm">
          Revoke
        </Button>
      </div>
    </>
  );
}
