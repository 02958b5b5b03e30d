"use client";

import { useEffect, useRef } from "react";
import { PhotoFrame } from "@/components/photos/photo-frame";
import type { SharedAlbumPhoto } from "@/lib/albums/shared";

const SWIPE_MIN_PX = 50;

/**
 * One photo of a shared album over the page: ← and → (or a swipe) move through the
 * album, Esc (or the close button) returns to the grid, where focus goes back to the tile.
 */
export function Lightbox({
  photos,
  index,
  label,
  onMove,
  onClose,
  footer,
}: {
  photos: SharedAlbumPhoto[];
  index: number;
  label: (index: number) => string;
  onMove: (index: number) => void;
  onClose: () => void;
  footer?: React.ReactNode;
}) {
  const photo = photos[index]!;
  const start = useRef<{ id: number; x: number; y: number } | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const hasPrevious = index > 0;
  const hasNext = index < photos.length - 1;

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "Escape") onClose();
      else if (event.key === "ArrowLeft" && hasPrevious) onMove(index - 1);
      else if (event.key === "ArrowRight" && hasNext) onMove(index + 1);
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [index, hasPrevious, hasNext, onMove, onClose]);

  useEffect(() => {
    dialog.current?.focus();
    const { overflow } = document.body.style;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = overflow;
    };
  }, []);

  const arrow = "absolute top-1/2 z-10 -translate-y-1/2 rounded-full bg-black/50 p-3 text-white hover:bg-black/70 disabled:opacity-0";
  return (
    <div
      ref={dialog}
      role="dialog"
      aria-modal="true"
      aria-label={label(index)}
      tabIndex={-1}
      className="fixed inset-0 z-50 flex flex-col bg-zinc-950/95 text-zinc-100 outline-none"
    >
      <div className="flex h-14 shrink-0 items-center justify-between gap-3 px-4">
        <p className="min-w-0 truncate text-sm">
          {label(index)} <span className="text-zinc-400">· {index + 1} of {photos.length}</span>
        </p>
        <button type="button" onClick={onClose} aria-label="Close" className="rounded-full p-2 text-xl leading-none hover:bg-white/10">
          ×
        </button>
      </div>
      <div
        className="relative flex min-h-0 flex-1 touch-pan-y items-center justify-center px-2 sm:px-16"
        onPointerDown={(event) => {
          if (event.pointerType === "mouse" || !event.isPrimary) return;
          start.current = { id: event.pointerId, x: event.clientX, y: event.clientY };
        }}
        onPointerUp={(event) => {
          const from = start.current;
          start.current = null;
          if (!from || from.id !== event.pointerId) return;
          const dx = event.clientX - from.x;
          const dy = event.clientY - from.y;
          if (Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) < Math.abs(dy) * 1.5) return;
          // Finger moves left → the next photo; right → the one before.
          if (dx < 0 && hasNext) onMove(index + 1);
          if (dx > 0 && hasPrevious) onMove(index - 1);
        }}
        onPointerCancel={() => {
          start.current = null;
        }}
      >
        <button type="button" className={`${arrow} left-3 hidden sm:block`} onClick={() => onMove(index - 1)} disabled={!hasPrevious} aria-label="Previous photo">
          ←
        </button>
        <div className="w-full">
          <PhotoFrame key={photo.id} src={photo.largeUrl} alt={label(index)} width={photo.width} height={photo.height} thumbhash={photo.thumbhash} maxHeight="100dvh - 8rem" />
        </div>
        <button type="button" className={`${arrow} right-3 hidden sm:block`} onClick={() => onMove(index + 1)} disabled={!hasNext} aria-label="Next photo">
          →
        </button>
      </div>
      <div className="flex min-h-10 shrink-0 items-center justify-center px-4 pb-3 text-xs text-zinc-400">{footer}</div>
    </div>
  );
}
