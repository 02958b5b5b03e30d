"use client";

import { useEffect } from "react";
import { useDropzone } from "react-dropzone";
import { useUploads } from "./upload-provider";
import { buttonClasses } from "@/components/ui/button";

/**
 * The whole gallery takes drops (folders included: their images are taken), the
 * "Upload photos" button opens the picker, and a paste anywhere adds the pasted images.
 */
export function DropZone({ heading = "Your photos", children }: { heading?: React.ReactNode; children: React.ReactNode }) {
  const { addFiles } = useUploads();
  const { getRootProps, getInputProps, isDragActive, open } = useDropzone({
    onDrop: (accepted, rejected) => addFiles([...accepted, ...rejected.map((r) => r.file)]),
    noClick: true,
    noKeyboard: true,
    multiple: true,
  });

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const pasted = Array.from(event.clipboardData?.files ?? []);
      if (pasted.length > 0) {
        event.preventDefault();
        addFiles(pasted);
      }
    };
    window.addEventListener("paste", onPaste);
    return () => window.removeEventListener("paste", onPaste);
  }, [addFiles]);

  return (
    <div {...getRootProps({ className: "relative min-h-[60vh] outline-none" })}>
      <input {...getInputProps({ "aria-label": "Choose photos", accept: "image/*,.heic,.heif" })} />
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <h1 id="gallery-heading" className="min-w-0 text-2xl font-semibold break-words">
          {heading}
        </h1>
        <button type="button" onClick={open} className={buttonClasses("primary")}>
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
            <path d="M10 3a1 1 0 0 1 .7.3l4 4a1 1 0 1 1-1.4 1.4L11 6.4V13a1 1 0 1 1-2 0V6.4L6.7 8.7a1 1 0 0 1-1.4-1.4l4-4A1 1 0 0 1 10 3ZM4 15a1 1 0 0 1 1 1h10a1 1 0 1 1 2 0 2 2 0 0 1-2 2H5a2 2 0 0 1-2-2 1 1 0 0 1 1-1Z" />
          </svg>
          Upload photos
        </button>
      </div>
      {children}
      {isDragActive ? (
        <div
          aria-hidden="true"
          className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-brand-600/15 backdrop-blur-sm"
        >
          <div className="rounded-2xl border-2 border-dashed border-brand-500 bg-white/90 px-10 py-8 text-center shadow-xl dark:bg-zinc-900/90">
            <p className="text-lg font-semibold">Drop to upload</p>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Photos and folders of photos</p>
          </div>
        </div>
      ) : null}
    </div>
  );
}
