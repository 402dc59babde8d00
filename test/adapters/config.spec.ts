import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/adapters/config/config.js';
import { connectionStringProblem } from '../../src/adapters/eventstoredb/esdb-event-store.js';

const esdb = (url: string) => loadConfig({ LOCKER_EVENT_STORE: 'eventstoredb', LOCKER_EVENTSTORE_URL: url });

describe('LOCKER_EVENTSTORE_URL', () => {
  it('accepts what the client parses: one host, a gossip seed list, credentials, options', () => {
    for (const url of [
      'esdb://127.0.0.1:2113?tls=false',
      'esdb+discover://es1:2113,es2:2113,es3:2113?tls=true',
      'esdb://admin:changeit@es1:2113,es2:2113?tls=true&nodePreference=leader',
      'esdb://localhost',
    ]) {
      expect(esdb(url).LOCKER_EVENTSTORE_URL).toBe(url);
    }
  });

  it('refuses what the client cannot parse, in one line that never shows a password', () => {
    for (const url of ['kurrentdb://127.0.0.1:2113', 'http://127.0.0.1:2113', 'esdb://', 'esdb://a:2113,,b:2113']) {
      expect(() => esdb(url), url).toThrow(ConfigError);
    }
    expect(() => esdb('kurrentdb://admin:changeit@es1:2113')).toThrow(/LOCKER_EVENTSTORE_URL: .*got "kurrentdb:\/\/admin:\*\*\*@es1:2113"/);
  });
});

describe('LOCKER_EVENTSTORE_URL, read by the client itself at start (issue 31)', () => {
  it.each([
    ['esdb://127.0.0.1:2113?tls=maybe', /expected true or false/],
    ['esdb://127.0.0.1:2113?tls=false&', /expected &key=value/],
    ['esdb://admin:pa:ss@127.0.0.1:2113?tls=false', /password holds ":"/],
    ['esdb://127.0.0.1:2113?tlsVerifyCert=nope', /expected true or false/],
    ['esdb://127.0.0.1:2113?nodePreference=nearest', /leader or follower/],
    ['esdb://127.0.0.1:2113?keepAliveInterval=soon', /./],
    ['esdb://127.0.0.1:2113?tsl=false', /unknown option "tsl"/],
  ])('the configuration\'s shape check accepts %s, the client does not: refused', (url, why) => {
    expect(esdb(url).LOCKER_EVENTSTORE_URL).toBe(url);
    expect(connectionStringProblem(url)).toMatch(why);
  });

  it.each(['esdb://127.0.0.1:2113?tls=false', 'esdb+discover://es1:2113,es2:2113,es3:2113?tls=true', 'esdb://admin:changeit@es1:2113,es2:2113?tls=true&nodePreference=leader&throwOnAppendFailure=false', 'esdb://admin:pa%3Ass@localhost?TLS=false&keep-alive-timeout=10000'])(
    '%s is read by the client as written',
    (url) => {
      expect(connectionStringProblem(url)).toBeUndefined();
    },
  );
});

describe('LOCKER_PORT', () => {
  it('is 3000 unset, any free port only when 0 is asked for, and an error when empty', () => {
    expect(loadConfig({}).LOCKER_PORT).toBe(3000);
    expect(loadConfig({ LOCKER_PORT: '0' }).LOCKER_PORT).toBe(0);
    expect(() => loadConfig({ LOCKER_PORT: '' })).toThrow(/LOCKER_PORT: expected a port number/);
    expect(() => loadConfig({ LOCKER_PORT: ' ' })).toThrow(/LOCKER_PORT/);
  });
});

describe('the console’s sign-in and Swagger UI', () => {
  it('an identity provider needs its issuer URL and the console’s client id; Swagger UI is off unless asked for', () => {
    expect(loadConfig({ LOCKER_OIDC_ISSUER: 'https://idp.example/realms/school', LOCKER_OIDC_CLIENT_ID: 'locker-console' })).toMatchObject({ LOCKER_OIDC_ISSUER: 'https://idp.example/realms/school', LOCKER_OIDC_CLIENT_ID: 'locker-console' });
    expect(() => loadConfig({ LOCKER_OIDC_ISSUER: 'https://idp.example/realms/school' })).toThrow(/LOCKER_OIDC_CLIENT_ID: required when LOCKER_OIDC_ISSUER is set/);
    expect(() => loadConfig({ LOCKER_OIDC_ISSUER: 'idp.example', LOCKER_OIDC_CLIENT_ID: 'c' })).toThrow(/LOCKER_OIDC_ISSUER: expected the identity provider's issuer URL/);
    expect(loadConfig({}).LOCKER_API_DOCS_UI).toBe(false);
    expect(loadConfig({ LOCKER_API_DOCS_UI: 'true' }).LOCKER_API_DOCS_UI).toBe(true);
    expect(() => loadConfig({ LOCKER_API_DOCS_UI: 'yes' })).toThrow(/LOCKER_API_DOCS_UI: expected true or false/);
  });
});
