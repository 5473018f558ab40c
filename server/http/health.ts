/**
 * Liveness and readiness, kept apart so a front door (deploy/haproxy.cfg)
 * can stop sending new sessions to a node that cannot serve them (draining,
 * or its Redis gone) without anyone restarting a process that is still alive.
 */

/** Whether this node should be given new sessions, and if not, why. */
export interface Readiness {
  ready: boolean;
  /** Short stable codes, e.g. `draining`, `redis-not-ready`; empty when ready. */
  reasons: string[];
}

/** Injected into the routes: asked on every `/healthz/ready`, so it must be cheap and synchronous. */
export type ReadinessCheck = () => Readiness;

/** One source of reasons not to take new sessions; an empty list means it has none. */
export type ReadinessSource = () => string[];

/** Combines sources into one check: ready when none of them gives a reason. */
export function readinessCheck(...sources: ReadinessSource[]): ReadinessCheck {
  return () => {
    const reasons = sources.flatMap((source) => source());
    return { ready: reasons.length === 0, reasons };
  };
}

/**
 * A reason while any of these Redis connections is not `ready` (ioredis's
 * status: connecting, reconnecting, end…). Commands on such a connection
 * queue or fail, so joins and chat would hang or error there. `wait` is a
 * lazy connection never used yet (the adapter's publisher until its first
 * broadcast): it connects on its first command, and the others speak for Redis.
 */
export function redisReadiness(clients: ReadonlyArray<{ status: string }>): ReadinessSource {
  return () => (clients.every((c) => c.status === 'ready' || c.status === 'wait') ? [] : ['redis-not-ready']);
}
