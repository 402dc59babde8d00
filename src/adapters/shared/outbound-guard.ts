import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciInit } from 'undici';

/**
 * Outbound calls (webhooks, clouds) go only to public addresses (DESIGN §8, ADR 38): never to
 * loopback, private, link-local, CGNAT, unique-local, multicast, unspecified or reserved ones, in
 * any spelling, IPv4-mapped or embedded in IPv6 included. Names are checked on the addresses they
 * resolve to at the moment of connecting (the lookup of the connection itself), so a name that
 * resolves to a public address when checked and to 127.0.0.1 when used (DNS rebinding) is refused
 * too. The hosts an operator lists (LOCKER_WEBHOOK_ALLOWED_HOSTS) are the only exception.
 */

type V4Range = readonly [first: number, bits: number, why: string];
const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const V4_RANGES: readonly V4Range[] = [
  [v4(0, 0, 0, 0), 8, 'unspecified ("this network")'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(100, 64, 0, 0), 10, 'shared (CGNAT)'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(169, 254, 0, 0), 16, 'link-local'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 0, 0, 0), 24, 'reserved (IETF protocol assignments)'],
  [v4(192, 0, 2, 0), 24, 'reserved (documentation)'],
  [v4(192, 88, 99, 0), 24, 'reserved (6to4 relay)'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(198, 18, 0, 0), 15, 'reserved (benchmarking)'],
  [v4(198, 51, 100, 0), 24, 'reserved (documentation)'],
  [v4(203, 0, 113, 0), 24, 'reserved (documentation)'],
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(240, 0, 0, 0), 4, 'reserved (and broadcast)'],
];

const parseV4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const v4Reason = (n: number): string | undefined => {
  for (const [first, bits, why] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === first) return why;
  }
  return undefined;
};

/** The 8 groups of an IPv6 address (zone and brackets dropped, `::` expanded, a trailing dotted IPv4 read), or undefined. */
const parseV6 = (raw: string): number[] | undefined => {
  let text = raw.replace(/^\[|\]$/g, '').split('%')[0]!;
  if (isIP(text) !== 6) return undefined;
  // A trailing dotted IPv4 address is the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = parseV4(dotted[1]!);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const a = groups(halves[0]!);
  const b = halves.length > 1 ? groups(halves[1]!) : [];
  const missing = 8 - a.length - b.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  return [...a, ...Array<number>(missing).fill(0), ...b];
};

const v6Reason = (g: readonly number[]): string | undefined => {
  const embedded = (hi: number, lo: number) => v4Reason(((hi << 16) >>> 0) + lo);
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'unspecified';
  if (zeros(7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped), ::a.b.c.d (IPv4-compatible), ::ffff:0:a.b.c.d (IPv4-translated)
  if (zeros(5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!) && `IPv4-mapped ${embedded(g[6]!, g[7]!)}`;
  if (zeros(6)) return `IPv4-compatible ${embedded(g[6]!, g[7]!) ?? 'address'}`;
  if (zeros(4) && g[4] === 0xffff && g[5] === 0) return `IPv4-translated ${embedded(g[6]!, g[7]!) ?? 'address'}`;
  // 64:ff9b::/96 (NAT64) carries an IPv4 address too; 64:ff9b:1::/48 is for local use.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6]!, g[7]!) && `NAT64 ${embedded(g[6]!, g[7]!)}`;
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'NAT64 (local use)';
  if (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) return 'discard-only';
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved (documentation)';
  // Teredo hides an IPv4 address; 6to4 carries one in its second and third groups.
  if (g[0] === 0x2001 && g[1] === 0) return 'Teredo tunnel';
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!) && `6to4 ${embedded(g[1]!, g[2]!)}`;
  if ((g[0]! & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'site-local';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  return undefined;
};

/** Why this IP address must not be called (loopback, private…), or undefined for a public one. Not an IP address: undefined. */
export const internalAddressReason = (address: string): string | undefined => {
  const four = parseV4(address);
  if (four !== undefined) return v4Reason(four);
  const six = parseV6(address);
  return six ? v6Reason(six) : undefined;
};

export class OutboundRefused extends Error {
  readonly code = 'OUTBOUND_REFUSED';
}

export type Lookup = (hostname: string) => Promise<readonly LookupAddress[]>;
const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (e, addresses) => (e ? reject(e) : resolve(addresses))));

export type OutboundGuard = {
  /** Refuses (an OutboundRefused) a URL whose host is, or now resolves to, an internal address. */
  check(url: string): Promise<void>;
  /** Node's fetch (undici's), through connections whose every address is checked as it is looked up. */
  fetch(url: string, init?: UndiciInit): ReturnType<typeof undiciFetch>;
  close(): Promise<void>;
};

/**
 * The guard for one kind of call. `allowedHosts` are names or addresses, exactly as they appear in
 * a URL's host (lower case, IPv6 in brackets).
 */
export const outboundGuard = (options: { allowedHosts: readonly string[]; lookup?: Lookup }): OutboundGuard => {
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const lookup = options.lookup ?? systemLookup;
  const refuseAddress = (host: string, address: string) => {
    const why = internalAddressReason(address);
    if (why) throw new OutboundRefused(`${host} is ${address === host ? '' : `${address}, `}an internal address (${why})`);
  };
  const hostOf = (raw: string): string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefused('not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefused(`${url.protocol} is not called`);
    // WHATWG URL already wrote 127.1, 0x7f000001, 2130706433 and 0177.0.0.1 as 127.0.0.1.
    return url.hostname.toLowerCase();
  };
  const literal = (host: string) => (isIP(host.replace(/^\[|\]$/g, '')) ? host.replace(/^\[|\]$/g, '') : undefined);
  const check = async (raw: string) => {
    const host = hostOf(raw);
    if (allowed.has(host)) return;
    const ip = literal(host);
    if (ip) return refuseAddress(host, ip);
    const addresses = await lookup(host).catch(() => {
      throw new OutboundRefused(`${host} does not resolve`);
    });
    for (const a of addresses) refuseAddress(host, a.address);
  };
  // The connection's own lookup: what is checked is what is connected to.
  const agent = new Agent({
    connect: {
      lookup: (hostname: string, opts: { all?: boolean }, callback: (e: Error | null, address: string | LookupAddress[], family?: number) => void) => {
        lookup(hostname).then(
          (addresses) => {
            try {
              if (!allowed.has(hostname.toLowerCase())) for (const a of addresses) refuseAddress(hostname, a.address);
            } catch (e) {
              callback(e as Error, '', 0);
              return;
            }
            if (addresses.length === 0) callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 0);
            else if (opts.all) callback(null, [...addresses]);
            else callback(null, addresses[0]!.address, addresses[0]!.family);
          },
          (e: Error) => callback(e, '', 0),
        );
      },
    } as never,
  });
  return {
    check,
    fetch: async (raw, init) => {
      const host = hostOf(raw);
      // An address in the URL is never looked up, so it is checked here.
      const ip = literal(host);
      if (ip && !allowed.has(host)) refuseAddress(host, ip);
      return undiciFetch(raw, { ...init, dispatcher: agent });
    },
    close: () => agent.close(),
  };
};

/** Whether an error (or its cause, as fetch wraps it) is the guard's refusal. */
export const isRefusal = (e: unknown): e is OutboundRefused => {
  for (let at: unknown = e, depth = 0; at && depth < 5; at = (at as { cause?: unknown }).cause, depth++) if (at instanceof OutboundRefused) return true;
  return false;
};
