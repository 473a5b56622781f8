// One set of process listeners for every client: flush when the event loop empties (beforeExit) or
// on SIGTERM/SIGINT, each within the client's bounded exit time. `process.exit()` cannot be
// waited for; call `await client.shutdown()` before it.

export interface ExitFlushable {
  hasPending(): boolean;
  flushForExit(): Promise<void>;
}

const clients = new Set<ExitFlushable>();
let installed = false;
let exiting = false;

export function registerForExit(c: ExitFlushable): () => void {
  clients.add(c);
  install();
  return () => {
    clients.delete(c);
    if (clients.size === 0) uninstall();
  };
}

function flushAll(): Promise<void> {
  return Promise.all([...clients].filter((c) => c.hasPending()).map((c) => c.flushForExit())).then(
    () => undefined,
    () => undefined,
  );
}

function onBeforeExit(): void {
  // beforeExit fires again once our requests finish; only start work when something is pending.
  if (exiting || ![...clients].some((c) => c.hasPending())) return;
  exiting = true;
  void flushAll().then(() => {
    exiting = false;
  });
}

function onSignal(signal: NodeJS.Signals): void {
  if (exiting) return;
  exiting = true;
  void flushAll().then(() => {
    // Our listener replaced Node's default exit; re-raise unless the app handles the signal itself.
    exiting = false;
    if (process.listenerCount(signal) > 1) return;
    uninstall();
    process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('beforeExit', onBeforeExit);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}
