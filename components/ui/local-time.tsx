"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * A moment shown in the viewer's own locale and time zone. The server knows
 * neither, so the server render (and hydration) uses en-US and UTC, and the client
 * swaps in the viewer's right after: no hydration mismatch, no wrong hour.
 * `wallClock` is for capture times, which are stored as the camera's clock read as
 * UTC (see lib/images/exif.ts) and must never be shifted. `dateOnly` leaves the time out.
 */
export function LocalTime({
  iso,
  wallClock = false,
  dateOnly = false,
  className,
}: {
  iso: string;
  wallClock?: boolean;
  dateOnly?: boolean;
  className?: string;
}) {
  const onClient = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  const inUtc = wallClock || !onClient;
  const text = new Intl.DateTimeFormat(onClient ? undefined : "en-US", {
    dateStyle: "medium",
    ...(dateOnly ? {} : { timeStyle: "short" as const }),
    ...(inUtc ? { timeZone: "UTC" } : {}),
  }).format(new Date(iso));
  return (
    <time dateTime={iso} className={className}>
      {!wallClock && !onClient ? `${text} UTC` : text}
    </time>
  );
}
