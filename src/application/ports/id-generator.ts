export interface IdGenerator {
  /** A fresh opaque id (UUID). */
  newId(): string;
  /** The same opaque id for the same parts, every time: for idempotent commands and retries. */
  derive(namespace: string, ...parts: string[]): string;
}
