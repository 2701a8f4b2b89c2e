// A bound on the connections a responder holds, kept under the process's file descriptors.
// At the bound, a new connection takes the place of the oldest one that is not in the middle
// of a request (a slow client still sending headers, an idle keep-alive): slow or silent
// clients then cost each other their place, not a legitimate client its. Only when every
// connection is busy is the new one refused. Not the HTTP handling itself (server.ts).

import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionEvents {
  /** An idle connection was closed to make room. */
  readonly shed: () => void;
  /** A new connection was closed: every open one was busy. */
  readonly refused: () => void;
}

export function limitConnections(server: Server, max: number, on: ConnectionEvents): void {
  /** Open sockets in the order they connected; true while a request is being answered. */
  const open = new Map<Socket, boolean>();
  server.on("connection", (socket: Socket) => {
    if (open.size >= max) {
      const idle = oldestIdle(open);
      if (!idle) {
        socket.destroy();
        on.refused();
        return;
      }
      open.delete(idle);
      idle.destroy();
      on.shed();
    }
    open.set(socket, false);
    socket.once("close", () => open.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => busy(open, req, res));
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => busy(open, req, res));
}

function busy(open: Map<Socket, boolean>, req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  if (!open.has(socket)) return;
  open.set(socket, true);
  res.once("finish", () => {
    if (open.has(socket)) open.set(socket, false);
  });
}

function oldestIdle(open: Map<Socket, boolean>): Socket | undefined {
  for (const [socket, inRequest] of open) if (!inRequest) return socket;
  return undefined;
}

/** Descriptors kept for index files, logs and the workers' channel. */
const FD_MARGIN = 64;
/** Beyond this, more connections only mean more memory held by slow clients. */
const MAX_CONNECTIONS_CAP = 16_384;

/**
 * A connection limit under the process's open-file limit (Linux /proc/self/limits), so that
 * the responder refuses and counts connections instead of failing to accept them.
 */
export function defaultMaxConnections(): number {
  let limit = 1024;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "latin1"));
    if (m) limit = Number(m[1]);
  } catch {
    // not Linux: assume the common default
  }
  return Math.max(16, Math.min(limit - FD_MARGIN, MAX_CONNECTIONS_CAP));
}
