"use client";

import { useActionState } from "react";
import { unlockShareAction, type UnlockState } from "@/app/s/[token]/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** The password gate of a protected share. A plain form post, so it works before JavaScript loads too. */
export function UnlockForm({ token, submitLabel = "View photo" }: { token: string; submitLabel?: string }) {
  const [state, action, pending] = useActionState<UnlockState, FormData>(unlockShareAction, {});
  return (
    <form action={action} className="mt-5 space-y-4">
      <input type="hidden" name="token" value={token} />
      <Field id="share-password" name="password" type="password" label="Password" autoComplete="current-password" required autoFocus error={state.error} />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Checking…" : submitLabel}
      </Button>
    </form>
  );
}
