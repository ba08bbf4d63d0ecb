import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a notification may be sent to: the SSRF guard's address half. Checked on
 * every address a host name resolves to, at connect time (see `guardedLookup` in sender.ts), and
 * on IP literals in URLs at creation.
 *
 * Node's BlockList also matches IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) against the IPv4
 * ranges; the IPv4 embedded in NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) addresses is pulled
 * out and checked as IPv4, so no translation prefix smuggles a private address past the check.
 */

export interface AddressPolicy {
  /**
   * Local runtime and tests (`METERHOUSE_ALLOW_PRIVATE_DESTINATIONS=true`): loopback, private and
   * CGNAT addresses are allowed for stand-in receivers. Metadata, link-local, multicast,
   * unspecified and reserved addresses stay refused even then: no receiver lives there.
   */
  allowPrivate: boolean;
}

interface AddressRange {
  name: string;
  allowedWhenPrivate: boolean;
  ipv4?: readonly (readonly [string, number])[];
  ipv6?: readonly (readonly [string, number])[];
}

// The first range an address falls in decides: the most specific ones come first.
const RANGES: readonly AddressRange[] = [
  {
    name: 'cloud metadata service',
    allowedWhenPrivate: false,
    ipv4: [['169.254.169.254', 32]],
    ipv6: [['fd00:ec2::254', 128]],
  },
  { name: 'loopback', allowedWhenPrivate: true, ipv4: [['127.0.0.0', 8]], ipv6: [['::1', 128]] },
  {
    name: 'private',
    allowedWhenPrivate: true,
    ipv4: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
    ipv6: [
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  },
  { name: 'shared address space (CGNAT)', allowedWhenPrivate: true, ipv4: [['100.64.0.0', 10]] },
  { name: 'link-local', allowedWhenPrivate: false, ipv4: [['169.254.0.0', 16]], ipv6: [['fe80::', 10]] },
  { name: 'broadcast', allowedWhenPrivate: false, ipv4: [['255.255.255.255', 32]] },
  { name: 'unspecified', allowedWhenPrivate: false, ipv4: [['0.0.0.0', 8]], ipv6: [['::', 128]] },
  // IPv4-compatible IPv6 (deprecated since 2006): nothing legitimate uses it.
  { name: 'IPv4-compatible IPv6', allowedWhenPrivate: false, ipv6: [['::', 96]] },
  { name: 'multicast', allowedWhenPrivate: false, ipv4: [['224.0.0.0', 4]], ipv6: [['ff00::', 8]] },
  {
    name: 'reserved',
    allowedWhenPrivate: false,
    ipv4: [
      ['240.0.0.0', 4],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
    ],
    ipv6: [
      ['100::', 64],
      ['2001:db8::', 32],
    ],
  },
];

const LISTS = RANGES.map((range) => {
  const list = new BlockList();
  for (const [network, prefix] of range.ipv4 ?? []) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of range.ipv6 ?? []) list.addSubnet(network, prefix, 'ipv6');
  return { range, list };
});

const LOOPBACK = LISTS.find(({ range }) => range.name === 'loopback')?.list ?? new BlockList();

/** Whether `address` is a loopback address (IPv4-mapped included): what a local stand-in listens on. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why `address` must not be connected to under `policy`, or undefined when it may. Anything that
 * is not a canonical IP address is refused (fail closed): DNS answers and URL hosts always are.
 */
export function refusedAddressReason(address: string, policy: AddressPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const range = LISTS.find(({ list }) => list.check(address, type))?.range;
  if (range !== undefined) {
    return policy.allowPrivate && range.allowedWhenPrivate
      ? undefined
      : `${address} is a ${range.name} address`;
  }
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded !== undefined) {
      const reason = refusedAddressReason(embedded, policy);
      if (reason !== undefined) return `${address} embeds ${reason}`;
    }
  }
  return undefined;
}

/** The IPv4 address inside a NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or 6to4 (2002::/16) address. */
function embeddedIpv4(address: string): string | undefined {
  const h = ipv6Hextets(address);
  if (h === undefined) return undefined;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (h[0] === 0x64 && h[1] === 0xff9b) return v4(h[6] ?? 0, h[7] ?? 0);
  if (h[0] === 0x2002) return v4(h[1] ?? 0, h[2] ?? 0);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (valid per `isIP`, dotted-quad tail allowed). */
function ipv6Hextets(address: string): number[] | undefined {
  let text = address.split('%', 1)[0] ?? address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups =
    tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 ? groups : undefined;
}
