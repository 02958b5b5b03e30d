import { test, expect } from "@playwright/test";
import { newAccount, signUpThroughApi } from "./helpers";

test.describe("accounts", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an anonymous visit to / lands on sign-in", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("heading", { name: "Sign in to your shelf" })).toBeVisible();
  });

  test("a deep link survives signing in", async ({ page }) => {
    const account = newAccount("deeplink");
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill(account.name);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Your photos" })).toBeVisible();
    await page.context().clearCookies();

    await page.goto("/shares");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fshares$/);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/shares$/);
  });

  test("sign up, sign out, sign in, and see the empty gallery", async ({ page }) => {
    const account = newAccount("journey");
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill(account.name);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Your photos" })).toBeVisible();
    await expect(page.getByText("Your shelf is empty")).toBeVisible();

    await page.getByLabel("Account menu").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Your shelf is empty")).toBeVisible();
  });

  test("a wrong password shows an error and stays on sign-in", async ({ page, request }) => {
    const account = newAccount("wrongpw");
    await signUpThroughApi(request, account);
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("sign-up explains a taken email and a short password", async ({ page, request }) => {
    const existing = newAccount("taken");
    await signUpThroughApi(request, existing);
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("Someone");
    await page.getByLabel("Email").fill(existing.email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Use at least 8 characters.")).toBeVisible();

    await page.getByLabel("Password").fill("long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("An account with this email already exists. Sign in instead?")).toBeVisible();
  });
});
