/**
 * What the in-process fault tests share: a world of the test's own (so a service
 * can be stopped under it), the data layer pointed at that world, one person who
 * owns the uploads and a camera JPEG to upload.
 */
import { expect } from "vitest";
import { startWorld, type World, type WorldOptions } from "../../security/support/world";

async function loadDataLayer() {
  return {
    data: await import("../../security/support/data"),
    invariants: await import("./invariants"),
    uploads: await import("@/lib/photos/uploads"),
    processing: await import("@/lib/photos/processing"),
    deletion: await import("@/lib/photos/delete"),
    storage: await import("@/lib/storage"),
    db: (await import("@/lib/db")).db,
  };
}

export type DataLayer = Awaited<ReturnType<typeof loadDataLayer>>;

export interface FaultWorld {
  world: World;
  lib: DataLayer;
  /** The id of the person whose uploads the test breaks. */
  owner: string;
  jpeg: Buffer;
}

export async function startFaultWorld(options: WorldOptions, ownerName: string): Promise<FaultWorld> {
  const world = await startWorld(options);
  // lib/env.ts reads process.env once, at import: load the data layer only now, pointed at this world.
  Object.assign(process.env, world.env);
  const lib = await loadDataLayer();
  const owner = (await lib.data.createUser(ownerName)).id;
  return { world, lib, owner, jpeg: lib.data.fixture("camera-gps-landscape.jpg") };
}

/** Takes what `startFaultWorld` got as far as, so a failed start is still cleaned up. */
export async function stopFaultWorld({ world, lib }: Partial<FaultWorld>) {
  await lib?.db.$disconnect();
  await world?.stop();
}

/** What the action wrapper would send the browser for this failure. */
export async function messageFor(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the call to fail").toBeDefined();
  // Loaded on use, like the rest of the data layer: by then process.env points at the world.
  const { toActionError } = await import("@/lib/actions/result");
  const result = toActionError(error);
  return result.ok ? "" : result.error.message;
}
