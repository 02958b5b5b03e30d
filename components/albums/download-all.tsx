"use client";

import { useRef, useState } from "react";
import { signAlbumDownloadAction } from "@/app/(gallery)/albums/[id]/actions";
import { signSharedAlbumDownloadAction } from "@/app/s/[token]/album-download-actions";
import { Button } from "@/components/ui/button";
import type { DownloadVariant } from "@/lib/albums/download";
import { albumEntries, saveFilePicker, zipToFile, zipToParts, type SignBatch, type ZipProgress } from "@/lib/albums/zip-client";
import { formatBytes } from "@/lib/utils";

type State =
  | { kind: "idle" }
  | { kind: "running"; progress: ZipProgress }
  | { kind: "done"; progress: ZipProgress }
  | { kind: "cancelled" }
  | { kind: "failed"; message: string; progress: ZipProgress };

/**
 * "Download all": a ZIP of the album streamed by the browser from storage (see
 * lib/albums/zip-client.ts), to a file where the browser can stream to disk, else in
 * numbered parts. Progress in bytes and files, cancel, and the list of files skipped.
 */
export function DownloadAll({
  sign,
  baseName,
  photoCount,
}: {
  /** Signs the next batch: the owner's action, or the share link's. */
  sign: (input: { cursor?: string; variant: DownloadVariant }) => ReturnType<SignBatch>;
  baseName: string;
  photoCount: number;
}) {
  const [variant, setVariant] = useState<DownloadVariant>("original");
  const [state, setState] = useState<State>({ kind: "idle" });
  const controller = useRef<AbortController | null>(null);

  async function start() {
    const abort = new AbortController();
    controller.current = abort;
    const progress: ZipProgress = { files: 0, bytes: 0, skipped: [] };
    // Re-render at most once a frame however fast bytes arrive.
    let scheduled = false;
    const onProgress = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        setState((s) => (s.kind === "running" ? { kind: "running", progress: { ...progress } } : s));
      });
    };
    const name = baseName.replace(/[\\/:*?"<>|]+/g, "_").trim() || "album";
    try {
      // The save dialog must open straight from the click, before anything is awaited.
      const picker = saveFilePicker();
      const file = picker ? await picker({ suggestedName: `${name}.zip`, types: [{ description: "ZIP archive", accept: { "application/zip": [".zip"] } }] }) : null;
      setState({ kind: "running", progress: { ...progress } });
      const entries = albumEntries((cursor) => sign({ cursor, variant }), { signal: abort.signal, progress, onProgress });
      if (file) await zipToFile(file, entries, abort.signal);
      else await zipToParts(entries, { baseName: name, signal: abort.signal, streamedBytes: () => progress.bytes });
      setState({ kind: "done", progress: { ...progress } });
    } catch (error) {
      if (abort.signal.aborted || (error instanceof DOMException && error.name === "AbortError")) setState({ kind: "cancelled" });
      else setState({ kind: "failed", message: error instanceof Error ? error.message : "The download stopped.", progress: { ...progress } });
    } finally {
      controller.current = null;
    }
  }

  const running = state.kind === "running";
  const progress = "progress" in state ? state.progress : null;
  return (
    <div className="flex flex-col items-start gap-2 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" size="sm" onClick={start} disabled={running || photoCount === 0}>
          Download all
        </Button>
        <label className="sr-only" htmlFor="download-variant">
          File size
        </label>
        <select
          id="download-variant"
          value={variant}
          onChange={(e) => setVariant(e.target.value === "web" ? "web" : "original")}
          disabled={running}
          className="rounded-lg border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
        >
          <option value="original">Originals</option>
          <option value="web">Web size (WebP)</option>
        </select>
        {running ? (
          <Button variant="ghost" size="sm" onClick={() => controller.current?.abort()}>
            Cancel
          </Button>
        ) : null}
      </div>
      <p role="status" aria-live="polite" className="text-zinc-600 empty:hidden dark:text-zinc-400">
        {state.kind === "running" && progress
          ? `Zipping… ${progress.files} of ${photoCount} files · ${formatBytes(progress.bytes)}`
          : state.kind === "done" && progress
            ? `Downloaded ${progress.files} file${progress.files === 1 ? "" : "s"} · ${formatBytes(progress.bytes)}.`
            : state.kind === "cancelled"
              ? "Download cancelled."
              : state.kind === "failed"
                ? `The download stopped: ${state.message}`
                : ""}
      </p>
      {progress && progress.skipped.length > 0 && !running ? (
        <div role="alert" className="rounded-lg bg-amber-50 p-3 text-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
          <p>
            {progress.skipped.length} file{progress.skipped.length === 1 ? " was" : "s were"} skipped after {3} tries each:
          </p>
          <ul className="mt-1 list-disc pl-5">
            {progress.skipped.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

/** The owner's album. */
export function AlbumDownload({ albumId, ...props }: { albumId: string; baseName: string; photoCount: number }) {
  return <DownloadAll sign={(input) => signAlbumDownloadAction({ albumId, ...input })} {...props} />;
}

/** An album link that allows downloads. */
export function SharedAlbumDownload({ token, ...props }: { token: string; baseName: string; photoCount: number }) {
  return <DownloadAll sign={(input) => signSharedAlbumDownloadAction({ token, ...input })} {...props} />;
}
