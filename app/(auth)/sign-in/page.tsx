import type { Metadata } from "next";
import { AuthForm } from "@/components/auth/auth-form";
import { safeReturnPath } from "@/lib/utils";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Sign in to your shelf</h1>
      <AuthForm mode="sign-in" returnTo={safeReturnPath(next)} />
    </>
  );
}
