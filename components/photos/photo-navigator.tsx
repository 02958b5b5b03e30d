"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

const SWIPE_MIN_PX = 50;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Keyboard and touch navigation around a photo: ← and → step through the gallery,
 * Esc goes back to it, and a horizontal swipe on the photo does the same as the
 * arrows. Keys typed into a form field (the share panel) are left alone.
 */
export function PhotoNavigator({
  previousHref,
  nextHref,
  backHref,
  children,
}: {
  previousHref: string | null;
  nextHref: string | null;
  backHref: string;
  children: React.ReactNode;
}) {
  const router = useRouter();
  const start = useRef<{ id: number; x: number; y: number } | null>(null);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || isTyping(event.target)) return;
      const href = event.key === "ArrowLeft" ? previousHref : event.key === "ArrowRight" ? nextHref : event.key === "Escape" ? backHref : null;
      if (!href) return;
      event.preventDefault();
      router.push(href);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [router, previousHref, nextHref, backHref]);

  return (
    <div
      // pan-y: the browser keeps vertical scrolling and pinch-zoom, horizontal swipes come to us.
      className="touch-pan-y"
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
        // Finger moves left → the photo after; right → the one before (as in every phone gallery).
        const href = dx < 0 ? nextHref : previousHref;
        if (href) router.push(href);
      }}
      onPointerCancel={() => {
        start.current = null;
      }}
    >
      {children}
    </div>
  );
}
