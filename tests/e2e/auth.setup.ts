import { test as setup, expect } from "@playwright/test";
import { OWNER, signUpThroughApi } from "./helpers";

// Seeds the owner through the API (not by clicking) and saves the session for the other tests.
setup("create the owner account", async ({ request }) => {
  await signUpThroughApi(request, OWNER);
  await request.storageState({ path: `${process.env.TEST_REPORTS_DIR ?? "test-reports"}/.auth/owner.json` });
  const session = await request.get("/api/auth/get-session");
  expect((await session.json())?.user?.email).toBe(OWNER.email);
});
