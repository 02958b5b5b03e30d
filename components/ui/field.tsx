import { cn } from "@/lib/utils";

/** A labelled input with its error announced and linked for screen readers. */
export function Field({
  label,
  error,
  id,
  className,
  ...input
}: React.ComponentProps<"input"> & { label: string; error?: string; id: string }) {
  const errorId = `${id}-error`;
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        className={cn(
          "block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900",
          error ? "border-red-500" : "border-zinc-300 dark:border-zinc-700",
        )}
        {...input}
      />
      {error ? (
        <p id={errorId} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
