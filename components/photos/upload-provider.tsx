"use client";

import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import {
  cancelUploadAction,
  completeUploadAction,
  createUploadsAction,
  deletePhotosAction,
  signPartsAction,
  signUploadsAction,
} from "@/app/(gallery)/actions";
import type { PhotoTile } from "@/lib/photos/queries";
import { checkFile } from "@/lib/upload-client/check-file";
import type { QueueEntry, QueueUpdate, UploadQueue, UploadStatus } from "@/lib/upload-client/queue";
import { forgetUpload, recallUpload, rememberUpload } from "@/lib/upload-client/resume-store";

export type { UploadStatus };

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  status: UploadStatus;
  loaded: number;
  message?: string;
  photoId?: string;
}

interface UploadsContextValue {
  items: UploadItem[];
  addFiles(files: File[]): void;
  cancel(key: string): void;
  cancelAll(): void;
  retry(key: string): void;
  dismiss(key: string): void;
  clearFinished(): void;
}

const UploadsContext = createContext<UploadsContextValue | null>(null);

export function useUploads() {
  const value = useContext(UploadsContext);
  if (!value) throw new Error("useUploads must be used inside <UploadProvider>");
  return value;
}

const POLL_MS = 1000;
let nextKey = 0;

export function UploadProvider({
  maxBytes,
  maxFilesPerBatch,
  onPhotoReady,
  children,
}: {
  maxBytes: number;
  /** The server's MAX_FILES_PER_BATCH: a drop is reserved this many files per call. */
  maxFilesPerBatch: number;
  onPhotoReady: (tile: PhotoTile) => void;
  children: React.ReactNode;
}) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const files = useRef(new Map<string, File>());
  const queue = useRef<Promise<UploadQueue> | null>(null);
  const photoReady = useEffectEvent(onPhotoReady);

  const update = useCallback((key: string, patch: QueueUpdate | Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  /** Loaded on first upload: most visits to the gallery send nothing, and should not download the sender. */
  const getQueue = useCallback(() => {
    queue.current ??= import("@/lib/upload-client/queue").then(({ createUploadQueue }) =>
      createUploadQueue({
        batchSize: maxFilesPerBatch,
        onUpdate: update,
        onMultipart: (file, photoId) => (photoId ? rememberUpload(file, photoId) : forgetUpload(file)),
        api: {
          reserve: (requests) => createUploadsAction({ files: requests, signNow: false }),
          sign: (photoIds, waitingIds) => signUploadsAction({ photoIds, waitingIds }),
          signParts: (photoId, partNumbers, waitingIds) => signPartsAction({ photoId, partNumbers, waitingIds }),
          complete: (photoId) => completeUploadAction({ photoId }),
          cancel: (photoId) => cancelUploadAction({ photoId }),
        },
      }),
    );
    return queue.current;
  }, [maxFilesPerBatch, update]);

  const enqueue = useCallback(
    (entries: QueueEntry[]) => {
      if (entries.length > 0) void getQueue().then((q) => q.add(entries));
    },
    [getQueue],
  );

  const entryFor = useCallback(
    (key: string, file: File): QueueEntry => {
      const check = checkFile(file, maxBytes);
      return { key, file, request: { name: file.name, size: file.size, type: check.ok ? check.type : file.type, resumePhotoId: recallUpload(file) } };
    },
    [maxBytes],
  );

  const addFiles = useCallback(
    (incoming: File[]) => {
      const accepted: QueueEntry[] = [];
      const added: UploadItem[] = incoming.map((file) => {
        const key = `upload-${nextKey++}`;
        const check = checkFile(file, maxBytes);
        if (!check.ok) return { key, name: file.name, size: file.size, status: "error", loaded: 0, message: check.reason };
        files.current.set(key, file);
        accepted.push(entryFor(key, file));
        return { key, name: file.name, size: file.size, status: "queued", loaded: 0 };
      });
      setItems((current) => [...current, ...added]);
      enqueue(accepted);
    },
    [maxBytes, entryFor, enqueue],
  );

  const cancel = useCallback(
    (key: string) => {
      const file = files.current.get(key);
      if (file) forgetUpload(file);
      // Whatever the server made for it goes too (the queue knows which row, even one still being reserved).
      void queue.current?.then((q) => q.cancel(key));
      files.current.delete(key);
      setItems((current) => current.filter((i) => i.key !== key));
    },
    [],
  );

  const cancelAll = useCallback(() => {
    for (const item of items) if (item.status === "queued" || item.status === "uploading") cancel(item.key);
  }, [items, cancel]);

  const retry = useCallback(
    (key: string) => {
      const file = files.current.get(key);
      const item = items.find((i) => i.key === key);
      if (!file || !item) return;
      // A failed photo's row stays visible until it is retried or removed; a retry uploads afresh.
      if (item.photoId) void deletePhotosAction({ photoIds: [item.photoId] });
      update(key, { status: "queued", loaded: 0, message: undefined, photoId: undefined });
      enqueue([entryFor(key, file)]);
    },
    [items, update, enqueue, entryFor],
  );

  const dismiss = useCallback(
    (key: string) => {
      const item = items.find((i) => i.key === key);
      if (item?.status === "error" && item.photoId) void deletePhotosAction({ photoIds: [item.photoId] });
      files.current.delete(key);
      setItems((current) => current.filter((i) => i.key !== key));
    },
    [items],
  );

  const clearFinished = useCallback(() => {
    setItems((current) => current.filter((i) => i.status !== "done"));
  }, []);

  // Processing happens on the server after `complete`; poll until each photo settles.
  const processingIds = items.filter((i) => i.status === "processing" && i.photoId).map((i) => i.photoId!);
  const processingKey = processingIds.join(",");
  useEffect(() => {
    if (!processingKey) return;
    const timer = setInterval(async () => {
      const response = await fetch(`/api/uploads/status?ids=${processingKey}`).catch(() => null);
      if (!response?.ok) return;
      const { statuses } = (await response.json()) as {
        statuses: { id: string; status: string; failureReason: string | null; tile: PhotoTile | null }[];
      };
      for (const s of statuses) {
        if (s.status === "READY" && s.tile) {
          photoReady(s.tile);
          setItems((current) => current.map((i) => (i.photoId === s.id ? { ...i, status: "done" } : i)));
        } else if (s.status === "FAILED") {
          setItems((current) => current.map((i) => (i.photoId === s.id ? { ...i, status: "error", message: s.failureReason ?? "Processing failed." } : i)));
        }
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [processingKey]);

  const value = useMemo(
    () => ({ items, addFiles, cancel, cancelAll, retry, dismiss, clearFinished }),
    [items, addFiles, cancel, cancelAll, retry, dismiss, clearFinished],
  );
  return <UploadsContext.Provider value={value}>{children}</UploadsContext.Provider>;
}
