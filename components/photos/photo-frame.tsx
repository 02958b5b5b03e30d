import { thumbHashToDataURL } from "@/lib/images/thumbhash";
import { cn } from "@/lib/utils";

function placeholder(hash: string | null): string | undefined {
  if (!hash) return undefined;
  try {
    return thumbHashToDataURL(hash);
  } catch {
    return undefined;
  }
}

/**
 * One large photo, boxed to its stored aspect ratio before a byte arrives (no layout
 * shift) and sized to fit both the column width and `maxHeight`. The thumbhash sits
 * behind it as a blurred placeholder while the image streams in.
 */
export function PhotoFrame({
  src,
  alt,
  width,
  height,
  thumbhash,
  maxHeight = "100dvh - 12rem",
  className,
  children,
}: {
  src: string;
  alt: string;
  width: number;
  height: number;
  thumbhash: string | null;
  /** A CSS length expression (usable inside calc()) the photo may not be taller than. */
  maxHeight?: string;
  className?: string;
  /** Shown under the photo, exactly as wide as it (e.g. a caption row). */
  children?: React.ReactNode;
}) {
  const ratio = width / height;
  const background = placeholder(thumbhash);
  return (
    <div className={cn("mx-auto", className)} style={{ width: `min(100%, calc((${maxHeight}) * ${ratio.toFixed(6)}))` }}>
      <div
        className="overflow-hidden rounded-xl bg-zinc-200 bg-cover dark:bg-zinc-800"
        style={{ aspectRatio: `${width} / ${height}`, backgroundImage: background ? `url(${background})` : undefined }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- bytes come straight from storage, not through Next's optimizer */}
        <img
          src={src}
          alt={alt}
          width={width}
          height={height}
          decoding="async"
          fetchPriority="high"
          referrerPolicy="no-referrer"
          data-testid="photo-large"
          className="block size-full object-contain"
        />
      </div>
      {children}
    </div>
  );
}
