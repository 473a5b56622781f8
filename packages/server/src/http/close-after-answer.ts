// Closing a connection whose request body was not read to its end, without destroying the answer.
// Closing at once would reset a connection that still has unread bytes, and a reset can destroy
// the answer before the client reads it (RFC 9112 §9.6): a client still writing its upload sees
// EPIPE or "other side closed" instead of the 413 or 429 it was sent.

import type { IncomingMessage } from 'node:http';

/**
 * How long a refused request's connection waits for more of its body (read and dropped) before it
 * closes: a client still sending on a busy machine keeps it open, one that stopped does not.
 */
const LINGER_MS = 2_000;

/** The longest a refused connection is kept reading however steadily its client sends. */
const LINGER_MAX_MS = 30_000;

/** The most a refused connection reads and drops; a client that sends on past it is cut off. */
const LINGER_MAX_BYTES = 64 * 1_048_576;

/**
 * Call before the answer is sent, and answer with `Connection: close` (the unread body cannot carry
 * a next request). The server ends its side once the answer is out, reads and drops what the client
 * still sends until the body is complete, LINGER_MS pass without more of it, LINGER_MAX_MS pass or
 * LINGER_MAX_BYTES were dropped, and only then closes.
 */
export function closeAfterAnswer(incoming: IncomingMessage): void {
  const socket = incoming.socket;
  incoming.resume();
  // Already closed (the client went away): nothing is left to answer on.
  if (socket === null) return;
  let lingering = false;
  // Node (and @hono/node-server's drain of an unread body, after 500 ms) end a `Connection: close`
  // exchange with destroySoon(), which closes at once.
  socket.destroySoon = () => {
    if (lingering || socket.destroyed) return;
    lingering = true;
    socket.end();
    if (incoming.readableEnded) return void socket.destroy();
    const close = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, LINGER_MS);
    timer.unref();
    const giveUpAt = performance.now() + LINGER_MAX_MS;
    let dropped = 0;
    incoming.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_MAX_BYTES) close();
      else if (performance.now() + LINGER_MS <= giveUpAt) timer.refresh();
    });
    incoming.once('end', close);
    incoming.once('error', close);
  };
}
