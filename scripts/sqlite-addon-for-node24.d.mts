// Types for the postinstall script (plain JavaScript: it runs before anything is compiled).
export declare const HEADERS_VERSION: string;
export declare const headersHook: (nodedir: string) => boolean;
export declare const needsRebuild: (facts: { nodeVersion: string; sqliteVersion: string; builtAgainst: string | undefined; hooked: (nodedir: string) => boolean }) => boolean;
export declare const platformPackage: (platform: string, arch: string) => string;
