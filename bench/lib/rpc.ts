/** The child side of bench/lib/proc.ts: JSON-line requests on stdin, replies and events on stdout. */
import { createInterface } from 'node:readline';

/**
 * A child's commands, each taking at most one JSON argument. A child exports
 * `typeof` its handlers so the parent's Child<Api> checks requests and types replies.
 */
export type Handlers = Record<string, (args: never) => unknown>;

export function serve(handlers: Handlers): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    // `never`: the parent typed `args` against this very handler (Child<Api>.call), so it is not re-checked here.
    const { id, cmd, args } = JSON.parse(line) as { id: number; cmd: string; args: never };
    const handler = handlers[cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${cmd}`);
        return handler(args);
      })
      .then(
        (result) => write({ id, ok: true, result }),
        (err: unknown) =>
          write({ id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The parent going away (Ctrl-C, crash) must not leave load running.
  process.stdin.once('end', () => process.exit(0));
}

export function emitEvent(event: string, data: unknown = null): void {
  write({ event, data });
}

function write(msg: unknown): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}
