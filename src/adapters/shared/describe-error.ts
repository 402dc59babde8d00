/**
 * An error value as one line for people at a terminal: its code in words, then what it carries.
 * `{code:'STORE_UNAVAILABLE', message:'timeout'}` reads "store unavailable (message: timeout)".
 */
export const describeError = (e: { readonly code: string }): string => {
  const { code, ...rest } = e as { code: string } & Record<string, unknown>;
  const words = code.toLowerCase().replace(/_/g, ' ');
  const details = Object.entries(rest)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
  return details ? `${words} (${details})` : words;
};
