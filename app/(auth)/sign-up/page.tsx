import type { Metadata } from "next";
import { AuthForm } from "@/components/auth/auth-form";
import { safeReturnPath } from "@/lib/utils";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Create your account</h1>
      <AuthForm mode="sign-up" returnTo={safeReturnPath(next)} />
    </>
  );
}
