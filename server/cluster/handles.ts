/**
 * How signaling talks to a room wherever it lives: a handle with the async
 * methods of Room (and of its chat and waiting room) or of the room's media.
 * On the owner node a call runs on the real object; elsewhere the same call
 * is a named operation sent to the owner (server/cluster/placement.ts).
 */
import { ConveneError } from '../../lib/protocol';

/** The async methods of T: what can be called across nodes (the results are plain JSON). */
export type Async<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => Promise<unknown> ? K : never]: T[K];
};

/** Every call on the handle becomes `call('<prefix>.<name>', args)`; `nested` names are handles themselves. */
export function remoteHandle<T>(
  call: (op: string, args: unknown[]) => Promise<unknown>,
  prefix: string,
  nested: readonly string[] = [],
): T {
  return new Proxy(
    {},
    {
      get(_target, name) {
        // Not a thenable: `await handle` must not call the owner.
        if (typeof name !== 'string' || name === 'then') return undefined;
        if (nested.includes(name)) return remoteHandle<unknown>(call, `${prefix}.${name}`);
        return (...args: unknown[]) => call(`${prefix}.${name}`, args);
      },
    },
  ) as T;
}

/** The methods an operation may name on an object: its class's own, never anything inherited from Object. */
export function methodsOf(proto: object): ReadonlySet<string> {
  return new Set(Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor'));
}

/**
 * Runs operation `path` (e.g. ['chat', 'send']) on `root`. `allowed` maps each
 * step's prefix to the method names it may call, so a node runs only what a
 * handle could have asked for.
 */
export function invoke(
  root: object,
  path: string[],
  args: unknown[],
  allowed: Record<string, ReadonlySet<string>>,
): Promise<unknown> {
  const name = path[path.length - 1]!;
  const prefix = path.slice(0, -1).join('.');
  if (!allowed[prefix]?.has(name)) throw new ConveneError('INTERNAL', `unknown room operation ${path.join('.')}`);
  let target = root as Record<string, unknown>;
  for (const step of path.slice(0, -1)) target = target[step] as Record<string, unknown>;
  const fn = target[name] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(target, args);
}
