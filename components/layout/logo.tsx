import Link from "next/link";
import { cn } from "@/lib/utils";

export function Logo({ size = "md" }: { size?: "md" | "lg" }) {
  return (
    <Link href="/" className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", size === "lg" ? "text-2xl" : "text-lg")}>
      <svg aria-hidden="true" viewBox="0 0 24 24" className={size === "lg" ? "size-8" : "size-6"} fill="none">
        <rect x="2" y="4" width="20" height="16" rx="3" className="fill-brand-600" />
        <path d="M5 17l4.5-5 3.5 3.5 2.5-2.5L19 17H5z" fill="white" />
        <circle cx="16" cy="8.5" r="1.8" fill="white" />
      </svg>
      Snapshelf
    </Link>
  );
}
