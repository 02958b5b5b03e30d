import type { SignedRequest } from "@/lib/storage/types";

/** Storage answered with an HTTP error; 4xx other than 408/429 will not get better by retrying. */
export class StorageHttpError extends Error {
  constructor(readonly status: number) {
    super(status === 403 ? "Storage refused the upload (the link expired or the file changed)." : `Storage answered ${status}.`);
  }
  get retryable() {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export class NetworkError extends Error {
  readonly retryable = true;
  constructor() {
    super("The network connection was lost.");
  }
}

/**
 * Sends bytes straight to storage with exactly the headers the server signed.
 * XHR rather than fetch: only XHR reports upload progress.
 */
export function putToStorage(request: SignedRequest, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new StorageHttpError(xhr.status)));
    xhr.onerror = () => reject(new NetworkError());
    xhr.ontimeout = () => reject(new NetworkError());
    xhr.onabort = () => reject(new DOMException("Upload cancelled.", "AbortError"));
    if (signal.aborted) return reject(new DOMException("Upload cancelled.", "AbortError"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
