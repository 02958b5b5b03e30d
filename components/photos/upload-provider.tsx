"use client";

import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import pLimit from "p-limit";
import { cancelUploadAction, completeUploadAction, createUploadsAction, deletePhotosAction, signPartsAction } from "@/app/(gallery)/actions";
import type { PhotoTile } from "@/lib/photos/queries";
import { checkFile } from "@/lib/upload-client/check-file";
import { forgetUpload, recallUpload, rememberUpload } from "@/lib/upload-client/resume-store";
import type { SendPlan } from "@/lib/upload-client/send-file";

export type UploadStatus = "queued" | "uploading" | "verifying" | "processing" | "done" | "error";

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

const FILES_IN_FLIGHT = 3;
const POLL_MS = 1000;
let nextKey = 0;

export function UploadProvider({
  maxBytes,
  onPhotoReady,
  children,
}: {
  maxBytes: number;
  onPhotoReady: (tile: PhotoTile) => void;
  children: React.ReactNode;
}) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const files = useRef(new Map<string, File>());
  const controllers = useRef(new Map<string, AbortController>());
  const limit = useRef(pLimit(FILES_IN_FLIGHT));
  const photoReady = useEffectEvent(onPhotoReady);

  const update = useCallback((key: string, patch: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);
  const fail = useCallback((key: string, message: string) => update(key, { status: "error", message }), [update]);

  const upload = useCallback(
    async (key: string, file: File, plan: SendPlan) => {
      // Cancelled while it waited for its plan or its turn: drop the row the server made for it, send nothing.
      if (!files.current.has(key)) {
        void cancelUploadAction({ photoId: plan.photoId });
        return;
      }
      const controller = new AbortController();
      controllers.current.set(key, controller);
      update(key, { status: "uploading", photoId: plan.photoId });
      if (plan.mode === "multipart") rememberUpload(file, plan.photoId);
      try {
        // Loaded on first upload: most visits to the gallery send nothing, and should not download the sender.
        const { sendFile } = await import("@/lib/upload-client/send-file");
        await sendFile(file, plan, {
          signal: controller.signal,
          onProgress: (loaded) => update(key, { loaded }),
          signParts: async (photoId, partNumbers) => {
            const result = await signPartsAction({ photoId, partNumbers });
            if (!result.ok) throw new Error(result.error.message);
            return result.data;
          },
        });
        update(key, { status: "verifying", loaded: file.size });
        const result = await completeUploadAction({ photoId: plan.photoId });
        if (!result.ok) return fail(key, result.error.message);
        forgetUpload(file);
        if (result.data.status === "FAILED") return fail(key, result.data.failureReason ?? "Processing failed.");
        update(key, { status: "processing" });
      } catch (error) {
        if (controller.signal.aborted) return;
        fail(key, error instanceof Error ? error.message : "The upload failed.");
      } finally {
        controllers.current.delete(key);
      }
    },
    [update, fail],
  );

  const start = useCallback(
    async (entries: { key: string; file: File }[]) => {
      const requests = entries.map(({ file }) => {
        const check = checkFile(file, maxBytes);
        return { name: file.name, size: file.size, type: check.ok ? check.type : file.type, resumePhotoId: recallUpload(file) };
      });
      const result = await createUploadsAction({ files: requests }).catch(() => null);
      if (!result || !result.ok) {
        const message = result?.error.message ?? "Could not reach the server. Check your connection and retry.";
        for (const { key } of entries) fail(key, message);
        return;
      }
      for (const plan of result.data) {
        const entry = entries[plan.index];
        if (!entry) continue;
        if (!plan.ok) {
          fail(entry.key, plan.message);
          continue;
        }
        void limit.current(() => upload(entry.key, entry.file, plan));
      }
    },
    [maxBytes, fail, upload],
  );

  const addFiles = useCallback(
    (incoming: File[]) => {
      const accepted: { key: string; file: File }[] = [];
      const added: UploadItem[] = incoming.map((file) => {
        const key = `upload-${nextKey++}`;
        const check = checkFile(file, maxBytes);
        if (!check.ok) return { key, name: file.name, size: file.size, status: "error", loaded: 0, message: check.reason };
        files.current.set(key, file);
        accepted.push({ key, file });
        return { key, name: file.name, size: file.size, status: "queued", loaded: 0 };
      });
      setItems((current) => [...current, ...added]);
      // Sign in batches: server actions from one browser run one at a time.
      for (let i = 0; i < accepted.length; i += 100) void start(accepted.slice(i, i + 100));
    },
    [maxBytes, start],
  );

  const cancel = useCallback(
    (key: string) => {
      controllers.current.get(key)?.abort();
      const item = items.find((i) => i.key === key);
      const file = files.current.get(key);
      if (file) forgetUpload(file);
      if (item?.photoId && item.status !== "done") void cancelUploadAction({ photoId: item.photoId });
      files.current.delete(key);
      setItems((current) => current.filter((i) => i.key !== key));
    },
    [items],
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
      void start([{ key, file }]);
    },
    [items, start, update],
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
