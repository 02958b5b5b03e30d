import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { Logo } from "@/components/layout/logo";
import { UserMenu } from "@/components/layout/user-menu";

export default async function GalleryLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-zinc-50/85 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/85">
        <div className="mx-auto flex h-14 max-w-7xl items-center justify-between gap-4 px-4">
          <Logo />
          <nav className="flex items-center gap-1 text-sm sm:gap-3">
            <Link href="/" className="rounded-lg px-2 py-1.5 hover:bg-zinc-200/70 dark:hover:bg-zinc-800">
              Photos
            </Link>
            <Link href="/albums" className="rounded-lg px-2 py-1.5 hover:bg-zinc-200/70 dark:hover:bg-zinc-800">
              Albums
            </Link>
            <Link href="/shares" className="rounded-lg px-2 py-1.5 whitespace-nowrap hover:bg-zinc-200/70 dark:hover:bg-zinc-800">
              <span className="sm:hidden">Links</span>
              <span className="hidden sm:inline">Shared links</span>
            </Link>
            <UserMenu name={user.name} email={user.email} />
          </nav>
        </div>
      </header>
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">{children}</main>
    </div>
  );
}
