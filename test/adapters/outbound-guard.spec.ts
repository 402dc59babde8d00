import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalAddressReason, isRefusal, outboundGuard } from '../../src/adapters/shared/outbound-guard.js';

// Every spelling of an internal address a URL or a resolver can hand over (ADR 38).
const INTERNAL: readonly (readonly [string, RegExp])[] = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['0.0.0.0', /unspecified/],
  ['10.1.2.3', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['100.64.0.1', /CGNAT/],
  ['100.127.255.255', /CGNAT/],
  ['169.254.169.254', /link-local/],
  ['192.0.0.8', /reserved/],
  ['198.18.0.1', /benchmarking/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['[::1]', /loopback/],
  ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
  ['::ffff:7f00:1', /IPv4-mapped loopback/],
  ['0:0:0:0:0:ffff:a00:1', /IPv4-mapped private/],
  ['::ffff:169.254.169.254', /IPv4-mapped link-local/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['::ffff:0:127.0.0.1', /IPv4-translated/],
  ['64:ff9b::127.0.0.1', /NAT64 loopback/],
  ['64:ff9b:1::1', /NAT64/],
  ['2002:7f00:1::', /6to4 loopback/],
  ['2002:c0a8:101::1', /6to4 private/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
  ['fc00::1', /unique-local/],
  ['fd12:3456:789a::1', /unique-local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /documentation/],
  ['100::1', /discard/],
];
const PUBLIC = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '169.253.0.1', '192.169.0.1', '11.0.0.1', '2606:4700:4700::1111', '2a00:1450:4007:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

describe('internal addresses, in every spelling', () => {
  it.each(INTERNAL)('%s is internal (%s)', (address, why) => {
    expect(internalAddressReason(address)).toMatch(why);
  });
  it.each(PUBLIC)('%s is public', (address) => {
    expect(internalAddressReason(address)).toBeUndefined();
  });
});

describe('the guard on URLs', () => {
  const guard = outboundGuard({
    allowedHosts: ['receiver.test', '10.9.9.9'],
    lookup: async (host) =>
      ({
        'localhost': [{ address: '127.0.0.1', family: 4 }],
        'rebind.test': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }],
        'six.test': [{ address: '::ffff:192.168.0.1', family: 6 }],
        'public.test': [{ address: '93.184.216.34', family: 4 }],
        'receiver.test': [{ address: '127.0.0.1', family: 4 }],
      })[host] ?? Promise.reject(new Error('ENOTFOUND')),
  });
  afterAll(() => guard.close());

  // The URLs the attack report found accepted, and a few more: WHATWG URL writes the odd IPv4 forms as 127.0.0.1.
  it.each([
    'https://127.1/',
    'https://0x7f000001/',
    'https://2130706433/',
    'https://0177.0.0.1/',
    'https://127.0.0.2/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[0:0:0:0:0:ffff:7f00:1]/',
    'https://localhost/',
    'https://169.254.169.254/latest/meta-data/',
    'https://rebind.test/',
    'https://six.test/',
    'https://nowhere.test/',
    'file:///etc/passwd',
  ])('refuses %s', async (url) => {
    await expect(guard.check(url)).rejects.toSatisfy(isRefusal);
  });

  it('accepts a public host, and the hosts the operator allowed, by name or address', async () => {
    await expect(guard.check('https://public.test/hook')).resolves.toBeUndefined();
    await expect(guard.check('https://8.8.8.8/')).resolves.toBeUndefined();
    await expect(guard.check('http://receiver.test:8080/')).resolves.toBeUndefined();
    await expect(guard.check('http://10.9.9.9:9/')).resolves.toBeUndefined();
  });
});

describe('the guard when connecting', () => {
  let port: number;
  const server = createServer((_, res) => res.end('reached'));
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('checks the address the name resolves to as it connects: a name that turns internal after the check (DNS rebinding) is refused', async () => {
    let answers = 0;
    const guard = outboundGuard({
      allowedHosts: [],
      // The first answer (the check) is public, every later one (the connection) is loopback.
      lookup: async () => (answers++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]),
    });
    await guard.check(`http://rebinding.test:${port}/`);
    const reached = guard.fetch(`http://rebinding.test:${port}/`);
    await expect(reached).rejects.toSatisfy(isRefusal);
    await guard.close();
  });

  it('refuses an address in the URL without connecting, and connects to an allowed host', async () => {
    const guard = outboundGuard({ allowedHosts: ['allowed.test'], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    await expect(guard.fetch(`http://127.0.0.1:${port}/`)).rejects.toSatisfy(isRefusal);
    await expect(guard.fetch(`http://[::ffff:127.0.0.1]:${port}/`)).rejects.toSatisfy(isRefusal);
    const res = await guard.fetch(`http://allowed.test:${port}/`);
    expect(await res.text()).toBe('reached');
    await guard.close();
  });
});
