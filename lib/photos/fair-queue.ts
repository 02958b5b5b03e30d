/**
 * Runs at most `concurrency` jobs at once and takes the next job round-robin over
 * lanes (owners): one owner's drop of 5,000 photos waits behind nobody, and holds
 * nobody's first photo behind it — each free slot goes to the next owner in turn.
 * Within a lane, jobs run in the order they came. In memory, per process.
 */
export interface FairQueue {
  /** Resolves or rejects with the job's own outcome once it has run. */
  run<T>(lane: string, job: () => Promise<T>): Promise<T>;
  /** Jobs waiting (not running), for tests and logs. */
  readonly waiting: number;
}

export function createFairQueue(concurrency: number): FairQueue {
  // A Map iterates in insertion order: the first lane is the next one served, and a lane that
  // was served is moved to the back (deleted and set again) while it still has jobs.
  const lanes = new Map<string, (() => void)[]>();
  let running = 0;
  let waiting = 0;

  function startNext() {
    while (running < concurrency) {
      const next = lanes.entries().next();
      if (next.done) return;
      const [lane, jobs] = next.value;
      const start = jobs.shift()!;
      lanes.delete(lane);
      if (jobs.length > 0) lanes.set(lane, jobs);
      waiting--;
      running++;
      start();
    }
  }

  return {
    run<T>(lane: string, job: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          // Through a promise, so a job that throws before its first await still frees its slot.
          Promise.resolve()
            .then(job)
            .then(resolve, reject)
            .finally(() => {
              running--;
              startNext();
            });
        };
        const jobs = lanes.get(lane);
        if (jobs) jobs.push(start);
        else lanes.set(lane, [start]);
        waiting++;
        startNext();
      });
    },
    get waiting() {
      return waiting;
    },
  };
}
