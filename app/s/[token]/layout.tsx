import { Logo } from "@/components/layout/logo";

/** Shared pages are for visitors without an account: the brand, the photo, nothing else. */
export default function SharedLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-zinc-200 dark:border-zinc-800">
        <div className="mx-auto flex h-14 max-w-7xl items-center px-4">
          <Logo />
        </div>
      </header>
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">{children}</main>
    </div>
  );
}
