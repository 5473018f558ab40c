/** Graceful shutdown on SIGTERM/SIGINT, shared by `npm start` and the test cluster's nodes. */
import type { ConveneServer } from './app';

/** On the first SIGTERM or SIGINT: close gracefully, exit 0; exit 1 if that fails or takes longer than `timeoutMs`. */
export function closeOnSignals(server: ConveneServer, timeoutMs: number): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      server.log.info({ signal }, 'shutting down');
      setTimeout(() => {
        server.log.error('shutdown took too long; exiting');
        process.exit(1);
      }, timeoutMs).unref();
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          server.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
