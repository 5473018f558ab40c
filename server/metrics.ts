/** Prometheus metrics for one server instance (its own registry, so tests can run several). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  events: Counter<'event'>;
  errors: Counter<'code'>;
  /** Connections the server cut or refused to protect everyone else. */
  dropped: Counter<'reason'>;
}

export function createMetrics(sample: {
  sockets: () => number;
  rooms: () => number;
  participants: () => number;
}): Metrics {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds and its percentiles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('convene_sockets', 'Connected Socket.IO sockets on this process', sample.sockets);
  gauge('convene_rooms', 'Rooms with at least one participant connected to this process', sample.rooms);
  gauge('convene_participants', 'Participants whose socket is on this process', sample.participants);
  return {
    registry,
    events: new Counter({
      name: 'convene_events_total',
      help: 'Client events received, by name',
      labelNames: ['event'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'convene_errors_total',
      help: 'Errors returned to clients, by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'convene_connections_dropped_total',
      help: 'Connections cut (flood, slow-reader) or refused at the handshake (per-ip-cap, cooldown)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
