// CPU time and memory of a process and everything under it, read from Linux's
// /proc, so the benchmark measures servers from the outside without touching them.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK; 100 on every Linux build we run on

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks (children that exited are in c*time). */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const num = (index: number) => Number(fields[index - 3]);
    return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The command line of a process, or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/**
 * `root` and all its descendants that are alive now, less tsx's esbuild helper:
 * that is how these scripts are run here, not part of the server being measured.
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    if (pid !== root && commandLine(pid).includes("esbuild --service")) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) spent so far by `root` and its descendants. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / CLOCK_TICKS_PER_SECOND;
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function treeRssBytes(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + statusKb(pid, "VmRSS") * 1024, 0);
}

/** Resets each process's peak RSS (VmHWM) to its current RSS ("5" → clear_refs, Linux ≥ 4.0). */
export function resetPeakRss(root: number): void {
  for (const pid of processTree(root)) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // not ours to reset or gone: its peak stays an over-estimate
    }
  }
}

/** Sum of each process's peak RSS since the last reset: an upper bound of the tree's peak. */
export function treePeakRssBytes(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + statusKb(pid, "VmHWM") * 1024, 0);
}

/**
 * Samples the tree's total RSS every `intervalMs` while a measurement runs, and
 * reads the kernel's per-process peaks at the end (samples can miss short spikes).
 */
export class ResourceMeter {
  private cpuStart = 0;
  private wallStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampledPeak = 0;
  readonly samples: { ms: number; rss: number }[] = [];

  constructor(
    private readonly root: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    resetPeakRss(this.root);
    this.cpuStart = treeCpuSeconds(this.root);
    this.wallStart = performance.now();
    this.sampledPeak = treeRssBytes(this.root);
    this.timer = setInterval(() => {
      const rss = treeRssBytes(this.root);
      this.sampledPeak = Math.max(this.sampledPeak, rss);
      this.samples.push({ ms: performance.now() - this.wallStart, rss });
    }, this.intervalMs);
  }

  stop(): { cpuSeconds: number; wallSeconds: number; peakRssBytes: number } {
    clearInterval(this.timer);
    const cpuSeconds = treeCpuSeconds(this.root) - this.cpuStart;
    const wallSeconds = (performance.now() - this.wallStart) / 1000;
    const peakRssBytes = Math.max(this.sampledPeak, treePeakRssBytes(this.root));
    return { cpuSeconds, wallSeconds, peakRssBytes };
  }
}
