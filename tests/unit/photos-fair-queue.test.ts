import { describe, expect, it } from "vitest";
import { createFairQueue } from "@/lib/photos/fair-queue";

/** A job that records its start and waits until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("createFairQueue", () => {
  it("serves owners round-robin: a later owner's first photo runs before the rest of a large drop", async () => {
    const queue = createFairQueue(1);
    const started: string[] = [];
    const first = gate();
    const job = (name: string, wait?: Promise<void>) => () => (started.push(name), wait ?? Promise.resolve());

    const done = [
      queue.run("alice", job("alice-1", first.opened)),
      ...[2, 3, 4, 5].map((n) => queue.run("alice", job(`alice-${n}`))),
      queue.run("bob", job("bob-1")),
      queue.run("carol", job("carol-1")),
      queue.run("bob", job("bob-2")),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["alice-1"]);
    expect(queue.waiting).toBe(7);
    first.open();
    await Promise.all(done);
    expect(started).toEqual(["alice-1", "alice-2", "bob-1", "carol-1", "alice-3", "bob-2", "alice-4", "alice-5"]);
    expect(queue.waiting).toBe(0);
  });

  it("runs at most `concurrency` jobs at once and keeps each owner's own order", async () => {
    const queue = createFairQueue(2);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    };
    await Promise.all(["a1", "a2", "a3", "b1", "b2"].map((name) => queue.run(name[0]!, job(name))));
    expect(most).toBe(2);
    expect(order.filter((n) => n.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(order.filter((n) => n.startsWith("b"))).toEqual(["b1", "b2"]);
  });

  it("hands each caller its job's own result or error, and a throwing job frees its slot", async () => {
    const queue = createFairQueue(1);
    const thrown = queue.run("a", () => {
      throw new Error("boom");
    });
    const rejected = queue.run("a", () => Promise.reject(new Error("async boom")));
    const value = queue.run("b", () => Promise.resolve(42));
    await expect(thrown).rejects.toThrow("boom");
    await expect(rejected).rejects.toThrow("async boom");
    await expect(value).resolves.toBe(42);
  });
});
