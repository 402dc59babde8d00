export interface Clock {
  /** ISO-8601 UTC. */
  now(): string;
}
