// Several responder processes on one port (node:cluster), for `serve --workers N` and
// `ocsp -multi N`. Each worker runs the whole command again and answers on its own; the primary
// only starts them, restarts one that dies (as OpenSSL's -multi does), adds up their /metrics,
// and shuts them down gracefully on SIGTERM. The workers accept connections themselves from
// the shared listening socket (SCHED_NONE): a connection the primary handed to a worker that
// was then killed would be held open by the primary and hang its client. A worker that cannot
// start says why to the primary, which stops them all and fails with that first message.

import cluster, { type Worker } from "node:cluster";
import { once } from "node:events";
import { type MetricsSnapshot, mergeSnapshots } from "./metrics.js";

type Message =
  | { type: "listening"; url: string; port: number }
  | { type: "failed"; message: string }
  | { type: "metrics?"; id: number }
  | { type: "snapshot?"; id: number }
  | { type: "snapshot"; id: number; snapshot: MetricsSnapshot }
  | { type: "metrics"; id: number; snapshot: MetricsSnapshot }
  | { type: "shutdown" };

export const isWorker = cluster.isWorker;

/** Resolves on the first SIGTERM or SIGINT: the signals that ask for a graceful stop. */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
}

/** How long the primary waits for the workers' metrics before answering with what it has. */
const GATHER_MS = 1000;
/** A worker that dies is replaced after this pause, so that a crash loop cannot spin. */
const RESPAWN_MS = 1000;
/** Past the server's 10 s grace for requests in progress, a worker is made to stop. */
const STOP_DEADLINE_MS = 15_000;

export interface Workers {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Forks `n` workers running this process's command line and resolves once all of them listen.
 * `log` receives notes about workers that die.
 */
export async function startWorkers(n: number, log: (message: string) => void): Promise<Workers> {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let started = false;
  let stopping = false;
  const live = new Set<Worker>();
  let gatherId = 0;
  const gathering = new Map<number, (s: MetricsSnapshot) => void>();

  /** Asks every worker for its snapshot and sends the sum to the one that asked. */
  const gather = (asker: Worker, id: number) => {
    const local = ++gatherId;
    const got: MetricsSnapshot[] = [];
    const expected = live.size;
    const reply = () => {
      clearTimeout(timer);
      gathering.delete(local);
      send(asker, { type: "metrics", id, snapshot: mergeSnapshots(got) });
    };
    const timer = setTimeout(reply, GATHER_MS);
    gathering.set(local, (s) => {
      got.push(s);
      if (got.length === expected) reply();
    });
    for (const w of live) send(w, { type: "snapshot?", id: local });
  };

  const fork = (): Promise<{ url: string; port: number }> => {
    const w = cluster.fork();
    live.add(w);
    w.on("exit", (code, signal) => {
      live.delete(w);
      if (stopping || !started) return;
      log(`worker ${w.process.pid} ended (${signal ?? `exit ${code}`}); starting another`);
      setTimeout(() => {
        if (!stopping) fork().catch(() => {});
      }, RESPAWN_MS).unref();
    });
    return new Promise((resolve, reject) => {
      w.on("message", (m: Message) => {
        if (m.type === "listening") resolve(m);
        else if (m.type === "failed") {
          if (started) log(`worker ${w.process.pid} could not start: ${m.message}`);
          reject(new Error(m.message));
        } else if (m.type === "metrics?") gather(w, m.id);
        else if (m.type === "snapshot") gathering.get(m.id)?.(m.snapshot);
      });
      w.once("exit", (code) => reject(new Error(`a worker failed to start (exit ${code})`)));
    });
  };

  let first: { url: string; port: number };
  try {
    [first] = (await Promise.all(Array.from({ length: n }, fork))) as [typeof first];
  } catch (err) {
    stopping = true;
    for (const w of live) w.process.kill("SIGKILL");
    throw err;
  }
  started = true;
  return {
    url: first.url,
    port: first.port,
    async close() {
      stopping = true;
      const exits = [...live].map((w) => once(w, "exit"));
      for (const w of live) send(w, { type: "shutdown" });
      // A worker still starting does not listen for "shutdown"; one stuck must not hold us.
      const deadline = setTimeout(() => {
        for (const w of live) w.process.kill("SIGKILL");
      }, STOP_DEADLINE_MS).unref();
      await Promise.all(exits);
      clearTimeout(deadline);
    },
  };
}

function send(w: Worker, m: Message): void {
  if (w.isConnected()) w.send(m);
}

/**
 * In a worker, once its server listens: report to the primary, answer its requests for
 * metrics, and close gracefully (then exit) when told to or when the primary goes away.
 */
export function serveAsWorker(
  running: { url: string; port: number; close(): Promise<void> },
  snapshot: () => MetricsSnapshot,
): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
    void running.close().finally(() => process.exit(0));
  };
  process.on("message", (m: Message) => {
    if (m.type === "shutdown") stop();
    else if (m.type === "snapshot?")
      process.send?.({ type: "snapshot", id: m.id, snapshot: snapshot() });
    else if (m.type === "metrics") pending.get(m.id)?.(m.snapshot);
  });
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.send?.({ type: "listening", url: running.url, port: running.port });
}

/** In a worker that could not start: tells the primary why, and ends. */
export function failAsWorker(message: string): Promise<never> {
  return new Promise(() => {
    process.exitCode = 1;
    if (process.send) process.send({ type: "failed", message }, () => process.exit(1));
    else process.exit(1);
  });
}

const pending = new Map<number, (s: MetricsSnapshot) => void>();
let metricsId = 0;

/** In a worker: the metrics of all workers, gathered by the primary. */
export function clusterMetrics(): Promise<MetricsSnapshot> {
  const id = ++metricsId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error("the primary process did not answer"));
    }, GATHER_MS * 2);
    pending.set(id, (s) => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(s);
    });
    process.send?.({ type: "metrics?", id });
  });
}
