import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, refusedAddressReason } from '#lib/notify/address-policy.ts';
import { checkDestination, destinationPolicyFromEnv } from '#lib/notify/destination.ts';

const cloud = { allowPrivate: false };
const local = { allowPrivate: true };

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['100.127.255.255', 'shared address space (CGNAT)'],
    ['169.254.169.254', 'cloud metadata service'],
    ['fd00:ec2::254', 'cloud metadata service'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'cloud metadata service'],
    ['::127.0.0.1', 'IPv4-compatible IPv6'],
  ])('refuse %s as %s in the cloud', (address, range) => {
    expect(refusedAddressReason(address, cloud)).toBe(`${address} is a ${range} address`);
  });

  it.each([
    ['64:ff9b::7f00:1', '127.0.0.1 is a loopback address'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254 is a cloud metadata service address'],
    ['2002:0a00:0001::1', '10.0.0.1 is a private address'],
  ])('refuse %s, which embeds %s', (address, embedded) => {
    expect(refusedAddressReason(address, cloud)).toBe(`${address} embeds ${embedded}`);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allow the public address %s', (address) => {
    expect(refusedAddressReason(address, cloud)).toBeUndefined();
  });

  it('allow loopback, private and CGNAT stand-ins locally, but never metadata, link-local or multicast', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.0.2', '100.64.0.1', '::ffff:127.0.0.1']) {
      expect(refusedAddressReason(address, local)).toBeUndefined();
    }
    for (const address of [
      '169.254.169.254',
      'fd00:ec2::254',
      'fe80::1',
      '224.0.0.1',
      '0.0.0.0',
      '::ffff:169.254.169.254',
    ]) {
      expect(refusedAddressReason(address, local)).toMatch(/is a .* address$/);
    }
  });

  it('fail closed on anything that is not a canonical IP address', () => {
    expect(refusedAddressReason('127.1', local)).toBe('127.1 is not an IP address');
    expect(refusedAddressReason('example.com', cloud)).toBe('example.com is not an IP address');
  });

  it('tell loopback stand-ins apart', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('localhost')).toBe(false);
  });
});

describe('destinations at creation', () => {
  const slackUrl = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

  it.each([
    ['webhook', 'https://hooks.example.com/meterhouse'],
    ['webhook', 'https://hooks.example.com:8443/in?token=abc'],
    ['webhook', 'https://93.184.215.14/in'],
    ['pagerduty', 'https://events.pagerduty.com/v2/enqueue'],
    ['slack', slackUrl],
  ] as const)('accept a %s channel at %s', (channel, url) => {
    expect(checkDestination(url, channel, cloud)).toMatchObject({ ok: true });
  });

  it.each([
    ['webhook', 'not a url', 'not a valid URL'],
    ['webhook', 'http://hooks.example.com/in', 'URL must be https'],
    ['webhook', 'ftp://hooks.example.com/in', 'URL must be https'],
    ['webhook', 'https://user:pass@hooks.example.com/in', 'URL must not carry credentials'],
    ['webhook', 'https://hooks.example.com:25/in', 'port 25 is not allowed'],
    ['webhook', 'https://localhost/in', 'localhost is not a public host name'],
    ['webhook', 'https://api.localhost/in', 'api.localhost is not a public host name'],
    ['webhook', 'https://metadata.google.internal/x', 'metadata.google.internal is not a public host name'],
    ['webhook', 'https://intranet/in', 'intranet is not a public host name'],
    ['webhook', 'https://127.0.0.1/in', '127.0.0.1 is a loopback address'],
    ['webhook', 'https://0x7f.1/in', '127.0.0.1 is a loopback address'],
    ['webhook', 'https://[::1]/in', '::1 is a loopback address'],
    ['webhook', 'https://[::ffff:a9fe:a9fe]/latest', '::ffff:a9fe:a9fe is a cloud metadata service address'],
    [
      'webhook',
      'https://169.254.169.254/latest/meta-data',
      '169.254.169.254 is a cloud metadata service address',
    ],
    ['webhook', `https://hooks.example.com/${'x'.repeat(2_100)}`, 'URL is longer than 2048 characters'],
    [
      'slack',
      'https://hooks.example.com/services/T0/B0/x',
      'a Slack channel needs an https://hooks.slack.com/services/… incoming webhook URL',
    ],
    ['slack', 'http://hooks.slack.com/services/T0/B0/x', 'URL must be https'],
    [
      'slack',
      'https://hooks.slack.com:8443/services/T0/B0/x',
      'a Slack channel needs an https://hooks.slack.com/services/… incoming webhook URL',
    ],
    [
      'slack',
      'https://hooks.slack.com/workflows/T0/A0/x',
      'not a Slack incoming webhook URL: expected /services/T…/B…/secret',
    ],
    [
      'slack',
      'https://hooks.slack.com/services/T0/B0',
      'not a Slack incoming webhook URL: expected /services/T…/B…/secret',
    ],
  ] as const)('refuse a %s channel at %s: %s', (channel, url, reason) => {
    expect(checkDestination(url, channel, cloud)).toEqual({ ok: false, reason });
  });

  it('allow http and loopback stand-ins (Slack included) only when private destinations are allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost:9000/services/x',
      'http://[::1]:7000/',
    ]) {
      expect(checkDestination(url, 'slack', local)).toMatchObject({ ok: true });
      expect(checkDestination(url, 'webhook', local)).toMatchObject({ ok: true });
      expect(checkDestination(url, 'webhook', cloud).ok).toBe(false);
    }
    expect(checkDestination('http://10.0.0.5/services/x', 'slack', local)).toMatchObject({ ok: false });
    expect(checkDestination('http://169.254.169.254/', 'webhook', local)).toEqual({
      ok: false,
      reason: '169.254.169.254 is a cloud metadata service address',
    });
  });

  it('read the policy from METERHOUSE_ALLOW_PRIVATE_DESTINATIONS, true only when it says "true"', () => {
    expect(destinationPolicyFromEnv({ METERHOUSE_ALLOW_PRIVATE_DESTINATIONS: 'true' })).toEqual(local);
    expect(destinationPolicyFromEnv({ METERHOUSE_ALLOW_PRIVATE_DESTINATIONS: '1' })).toEqual(cloud);
    expect(destinationPolicyFromEnv({})).toEqual(cloud);
  });
});
