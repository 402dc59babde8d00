/** Blob keys are `<tenant>/<sha256>`: content-addressed within a tenant, never across tenants. */
export const blobKey = (tenant: string, sha256: string): string => `${tenant}/${sha256}`;

const KEY = /^([a-z0-9][a-z0-9-]{0,62})\/([0-9a-f]{64})$/;

export const parseBlobKey = (key: string): { tenant: string; sha256: string } | undefined => {
  const match = KEY.exec(key);
  return match ? { tenant: match[1]!, sha256: match[2]! } : undefined;
};
