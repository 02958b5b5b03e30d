/**
 * Test data for the data layer: users are plain rows (no session is needed to call
 * lib/photos, which takes the owner's id first). Everything created here is
 * removed by `removeSeededUsers`; photos go with their owner (cascade).
 */
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";

const seeded: string[] = [];

export async function createUser(label: string) {
  const id = randomUUID();
  seeded.push(id);
  return db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` } });
}

export async function removeSeededUsers() {
  await db.user.deleteMany({ where: { id: { in: seeded.splice(0) } } });
}
