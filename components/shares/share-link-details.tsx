import { LocalTime } from "@/components/ui/local-time";
import type { ShareLinkView } from "@/lib/shares/queries";

/** The facts about one link, as a compact two-column list that also fits a phone. */
export function ShareLinkDetails({ link }: { link: ShareLinkView }) {
  const rows: [string, React.ReactNode][] = [
    ["Created", <LocalTime key="c" iso={link.createdAt} />],
    ["Expires", link.expiresAt ? <LocalTime key="e" iso={link.expiresAt} /> : "Never"],
    ["Password", link.hasPassword ? "Yes" : "No"],
    ["Download", link.allowDownload ? "Allowed" : "No"],
    ...(link.albumId ? ([["Names & dates", link.hideDetails ? "Hidden" : "Shown"]] as [string, React.ReactNode][]) : []),
    ["Views", link.viewCount.toLocaleString("en-US")],
    ["Last viewed", link.lastViewedAt ? <LocalTime key="l" iso={link.lastViewedAt} /> : "Not yet"],
  ];
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-zinc-500 dark:text-zinc-400">{term}</dt>
          <dd className="min-w-0 text-zinc-800 dark:text-zinc-200">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
