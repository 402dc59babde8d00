/** A person's credentials for one cloud service. */
export type CloudCredentials = { readonly username: string; readonly password: string };

/**
 * Credentials kept outside the event log, encrypted at rest, and really gone once deleted: a log
 * keeps everything forever, and a password must not outlive its unlinking.
 */
export interface CredentialStore {
  put(tenant: string, userId: string, cloudId: string, credentials: CloudCredentials, at: string): void;
  get(tenant: string, userId: string, cloudId: string): CloudCredentials | undefined;
  /** What a person linked: never the password. */
  list(tenant: string, userId: string): { cloudId: string; username: string; linkedAt: string }[];
  delete(tenant: string, userId: string, cloudId: string): boolean;
  /** Everything a person linked, gone (their erasure). */
  deleteAll(tenant: string, userId: string): number;
  close(): void;
}
