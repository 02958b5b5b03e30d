"use client";

import { useUploads, type UploadItem } from "./upload-provider";
import { cn, formatBytes } from "@/lib/utils";

const STATUS_TEXT: Record<UploadItem["status"], string> = {
  queued: "Waiting…",
  uploading: "Uploading",
  verifying: "Checking…",
  processing: "Processing…",
  done: "Done",
  error: "Failed",
};

function UploadRow({ item }: { item: UploadItem }) {
  const { cancel, retry, dismiss } = useUploads();
  const percent = item.size > 0 ? Math.round((item.loaded / item.size) * 100) : 0;
  const active = item.status === "queued" || item.status === "uploading";
  return (
    <li className="py-2.5">
      <div className="flex items-center justify-between gap-3 text-sm">
        <span className="min-w-0 truncate font-medium" title={item.name}>
          {item.name}
        </span>
        <span className={cn("shrink-0 text-xs", item.status === "error" ? "text-red-600 dark:text-red-400" : "text-zinc-500")}>
          {item.status === "uploading" ? `${percent}%` : STATUS_TEXT[item.status]}
        </span>
      </div>
      {item.status !== "error" ? (
        <div
          role="progressbar"
          aria-label={`Upload of ${item.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={item.status === "done" || item.status === "processing" || item.status === "verifying" ? 100 : percent}
          className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className={cn("h-full rounded-full transition-[width] duration-300", item.status === "done" ? "bg-emerald-500" : "bg-brand-500")}
            style={{ width: `${item.status === "queued" ? 0 : item.status === "uploading" ? percent : 100}%` }}
          />
        </div>
      ) : (
        <p className="mt-1 text-xs text-red-600 dark:text-red-400">{item.message}</p>
      )}
      <div className="mt-1 flex gap-3 text-xs">
        {active ? (
          <button type="button" onClick={() => cancel(item.key)} className="text-zinc-600 hover:underline dark:text-zinc-400" aria-label={`Cancel ${item.name}`}>
            Cancel
          </button>
        ) : null}
        {item.status === "error" ? (
          <>
            <button type="button" onClick={() => retry(item.key)} className="text-brand-600 hover:underline" aria-label={`Retry ${item.name}`}>
              Retry
            </button>
            <button type="button" onClick={() => dismiss(item.key)} className="text-zinc-600 hover:underline dark:text-zinc-400" aria-label={`Remove ${item.name}`}>
              Remove
            </button>
          </>
        ) : null}
        <span className="ml-auto text-zinc-400">{formatBytes(item.size)}</span>
      </div>
    </li>
  );
}

export function UploadPanel() {
  const { items, cancelAll, clearFinished } = useUploads();
  if (items.length === 0) return null;
  const done = items.filter((i) => i.status === "done").length;
  const failed = items.filter((i) => i.status === "error").length;
  const active = items.some((i) => i.status === "queued" || i.status === "uploading");
  const totalBytes = items.reduce((sum, i) => sum + (i.status === "error" ? 0 : i.size), 0);
  const loadedBytes = items.reduce((sum, i) => sum + (i.status === "error" ? 0 : i.loaded), 0);
  const overall = totalBytes > 0 ? Math.round((loadedBytes / totalBytes) * 100) : 100;

  return (
    <aside
      aria-label="Uploads"
      className="fixed inset-x-2 bottom-2 z-30 max-h-[60vh] overflow-hidden rounded-2xl border border-zinc-200 bg-white shadow-2xl sm:inset-x-auto sm:right-4 sm:bottom-4 sm:w-96 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <div className="flex items-center justify-between gap-2">
          <p role="status" aria-live="polite" className="text-sm font-semibold">
            {done} of {items.length} uploaded{failed > 0 ? `, ${failed} failed` : ""}
          </p>
          <div className="flex gap-2 text-xs">
            {active ? (
              <button type="button" onClick={cancelAll} className="text-zinc-600 hover:underline dark:text-zinc-400">
                Cancel all
              </button>
            ) : (
              <button type="button" onClick={clearFinished} className="text-zinc-600 hover:underline dark:text-zinc-400">
                Clear finished
              </button>
            )}
          </div>
        </div>
        <div
          role="progressbar"
          aria-label="Overall upload progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={overall}
          className="mt-2 h-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div className="h-full bg-brand-500 transition-[width] duration-300" style={{ width: `${overall}%` }} />
        </div>
      </div>
      <ul className="max-h-[calc(60vh-5rem)] divide-y divide-zinc-100 overflow-y-auto px-4 dark:divide-zinc-800">
        {items.map((item) => (
          <UploadRow key={item.key} item={item} />
        ))}
      </ul>
    </aside>
  );
}
