import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BlobStore } from '../../application/ports/blob-store.js';
import type { EventStore } from '../../application/ports/event-store.js';

/** What a scrape asks the running service: how far behind the read models are, what rollovers are doing. */
export type MetricsProbe = {
  readonly projectorLag: () => Promise<{ events: number; seconds: number }>;
  readonly rollovers: () => { tenant: string; examined: number; total: number }[];
  /** Mails not sent yet, by status (pending, held, failed), over every tenant. */
  readonly outbox: () => Record<string, number>;
};

/**
 * Prometheus metrics (prom-client), one registry per service: HTTP latency by route and status,
 * events appended, projector lag, blob bytes stored, rollover progress, and Node's own.
 */
export const prometheusMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'locker_node_' });
  const http = new Histogram({
    name: 'locker_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const appended = new Counter({ name: 'locker_events_appended_total', help: 'Events appended to the log, by type', labelNames: ['type'], registers: [registry] });
  const blobBytes = new Counter({ name: 'locker_blob_bytes_stored_total', help: 'Bytes committed to the blob store (content already stored counts again)', registers: [registry] });
  const lagEvents = new Gauge({ name: 'locker_projector_lag_events', help: 'Events in the log this node’s read models do not include yet (counted up to 10,000)', registers: [registry] });
  const lagSeconds = new Gauge({ name: 'locker_projector_lag_seconds', help: 'Age of the oldest event the read models do not include yet', registers: [registry] });
  const outbox = new Gauge({ name: 'locker_outbox_mails', help: 'Mails not sent yet, by status: pending, held (quiet hours), failed', labelNames: ['status'], registers: [registry] });
  const malformed = new Counter({ name: 'locker_malformed_events_total', help: 'Stored events of ours that could not be read (each read that met one): see the log line naming it', registers: [registry] });
  const rollover = new Gauge({ name: 'locker_rollover_progress_ratio', help: 'Documents examined over documents to examine, per running rollover', labelNames: ['tenant'], registers: [registry] });

  return {
    registry,
    observeRequest: (method: string, route: string, status: number, seconds: number) => http.labels(method, route, String(status)).observe(seconds),
    malformedEvent: () => malformed.inc(),

    /** The event store, counting what it appends. */
    countingEvents: (store: EventStore): EventStore =>
      Object.assign(Object.create(Object.getPrototypeOf(store) as object) as EventStore, store, {
        append: (stream: string, events: Parameters<EventStore['append']>[1], expected: Parameters<EventStore['append']>[2]) =>
          store.append(stream, events, expected).map((r) => {
            for (const e of events) appended.labels(e.type).inc();
            return r;
          }),
        appendMany: (appends: Parameters<EventStore['appendMany']>[0]) =>
          store.appendMany(appends).map((results) => {
            results.forEach((r, i) => {
              if (r.isOk()) for (const e of appends[i]!.events) appended.labels(e.type).inc();
            });
            return results;
          }),
      }),

    /** The blob store, counting the bytes each commit makes reachable. */
    countingBlobs: (blobs: BlobStore): BlobStore =>
      Object.assign(Object.create(Object.getPrototypeOf(blobs) as object) as BlobStore, blobs, {
        stage: (tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number) =>
          blobs.stage(tenant, content, maxBytes).map((staged) => ({
            ...staged,
            commit: () => staged.commit().map(() => void blobBytes.inc(staged.sizeBytes)),
            discard: () => staged.discard(),
          })),
      }),

    /** Read at scrape time, from the running service. */
    probe: (probe: MetricsProbe) => {
      return async (): Promise<string> => {
        const lag = await probe.projectorLag();
        lagEvents.set(lag.events);
        lagSeconds.set(lag.seconds);
        outbox.reset();
        for (const [status, n] of Object.entries(probe.outbox())) outbox.labels(status).set(n);
        rollover.reset();
        for (const r of probe.rollovers()) rollover.labels(r.tenant).set(r.total === 0 ? 1 : r.examined / r.total);
        return registry.metrics();
      };
    },
  };
};

export type PrometheusMetrics = ReturnType<typeof prometheusMetrics>;
