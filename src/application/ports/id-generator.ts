export interface IdGenerator {
  /** A fresh opaque id (UUID). */
  newId(): string;
  /** The same opaque id for the same parts, every time: for idempotent commands and retries. */
  derive(namespace: string, ...parts: string[]): string;
  /** A fresh secret (a webhook's signing key): 32 bytes from the system's generator, base64. Ids are not secrets: a fresh id tells when it was made. */
  secret(): string;
}
