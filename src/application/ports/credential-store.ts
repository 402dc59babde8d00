/** A person's credentials for one cloud service. */
export type CloudCredentials = { readonly username: string; readonly password: string };

/**
 * Credentials kept outside the event log, encrypted at rest, and really gone once deleted: a log
 * keeps everything forever, and a password must not outlive its unlinking. Every node of a
 * deployment must see the same credentials (a person links on one node and deposits through
 * another; the webhook dispatcher signs on whichever node holds the lease): a store that cannot
 * answer rejects, it never answers "not linked".
 */
export interface CredentialStore {
  put(tenant: string, userId: string, cloudId: string, credentials: CloudCredentials, at: string): Promise<void>;
  get(tenant: string, userId: string, cloudId: string): Promise<CloudCredentials | undefined>;
  /** What a person linked: never the password. */
  list(tenant: string, userId: string): Promise<{ cloudId: string; username: string; linkedAt: string }[]>;
  delete(tenant: string, userId: string, cloudId: string): Promise<boolean>;
  /** Everything a person linked, gone (their erasure). */
  deleteAll(tenant: string, userId: string): Promise<number>;
  close(): void;
}
