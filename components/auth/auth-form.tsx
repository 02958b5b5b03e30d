"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { authClient } from "@/lib/auth/client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

type Mode = "sign-in" | "sign-up";
type Errors = Partial<Record<"name" | "email" | "password" | "form", string>>;

const PASSWORD_MIN_LENGTH = 8;

/** Turns better-auth's error codes into sentences that say what to do next. */
function describeAuthError(error: { code?: string; status?: number; message?: string }, mode: Mode): Errors {
  if (error.status === 429) return { form: "Too many attempts. Please wait a minute and try again." };
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return { form: "Wrong email or password." };
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return { email: "An account with this email already exists. Sign in instead?" };
    case "PASSWORD_TOO_SHORT":
      return { password: `Use at least ${PASSWORD_MIN_LENGTH} characters.` };
    case "INVALID_EMAIL":
      return { email: "Enter a valid email address." };
    default:
      return { form: mode === "sign-in" ? "Could not sign in. Please try again." : "Could not create the account. Please try again." };
  }
}

function validate(mode: Mode, values: { name: string; email: string; password: string }): Errors {
  const errors: Errors = {};
  if (mode === "sign-up" && !values.name.trim()) errors.name = "Enter your name.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) errors.email = "Enter a valid email address.";
  if (mode === "sign-up" && values.password.length < PASSWORD_MIN_LENGTH) {
    errors.password = `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  } else if (!values.password) {
    errors.password = "Enter your password.";
  }
  return errors;
}

export function AuthForm({ mode, returnTo }: { mode: Mode; returnTo: string }) {
  const [errors, setErrors] = useState<Errors>({});
  const [pending, startTransition] = useTransition();

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = {
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
    };
    const found = validate(mode, values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;

    startTransition(async () => {
      const { error } =
        mode === "sign-in"
          ? await authClient.signIn.email({ email: values.email, password: values.password })
          : await authClient.signUp.email({ name: values.name.trim(), email: values.email, password: values.password });
      if (error) {
        setErrors(describeAuthError(error, mode));
        return;
      }
      // A full navigation, so every server component renders with the new session cookie.
      window.location.assign(returnTo);
    });
  }

  const other = mode === "sign-in" ? "sign-up" : "sign-in";
  const otherHref = `/${other}${returnTo !== "/" ? `?next=${encodeURIComponent(returnTo)}` : ""}`;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {mode === "sign-up" ? (
        <Field id="name" name="name" label="Name" autoComplete="name" error={errors.name} />
      ) : null}
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" error={errors.email} />
      <Field
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
        error={errors.password}
      />
      <div role="alert" aria-live="assertive" className="min-h-5 text-sm text-red-600 dark:text-red-400">
        {errors.form}
      </div>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Please wait…" : mode === "sign-in" ? "Sign in" : "Create account"}
      </Button>
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        {mode === "sign-in" ? "New to Snapshelf? " : "Already have an account? "}
        <Link href={otherHref} className="font-medium text-brand-600 hover:underline dark:text-brand-500">
          {mode === "sign-in" ? "Create an account" : "Sign in"}
        </Link>
      </p>
    </form>
  );
}
