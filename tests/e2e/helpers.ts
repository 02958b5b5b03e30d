import { expect, type APIRequestContext } from "@playwright/test";
import { randomUUID } from "node:crypto";

export type Account = { name: string; email: string; password: string };

export function newAccount(label = "user"): Account {
  return { name: `Test ${label}`, email: `${label}-${randomUUID().slice(0, 8)}@example.test`, password: "correct horse battery" };
}

export const OWNER: Account = newAccount("owner");

export async function signUpThroughApi(request: APIRequestContext, account: Account) {
  const baseURL = process.env.APP_URL ?? "http://localhost:3100";
  const response = await request.post("/api/auth/sign-up/email", {
    data: account,
    headers: { Origin: baseURL },
  });
  expect(response.status(), await response.text()).toBe(200);
}
