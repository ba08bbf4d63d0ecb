import { isIP } from 'node:net';
import type { ChannelType } from '#lib/domain/notifications/notification.ts';
import { type AddressPolicy, isLoopbackAddress, refusedAddressReason } from './address-policy.ts';

/**
 * The SSRF guard's URL half: where a channel may point, checked when the channel is created (so
 * a bad URL is a 422 naming the field) and again before each send (the policy may have changed).
 * The address half, at connect time, is in address-policy.ts and sender.ts.
 */

export type DestinationPolicy = AddressPolicy;

export const ALLOW_PRIVATE_DESTINATIONS_ENV = 'METERHOUSE_ALLOW_PRIVATE_DESTINATIONS';

/** Read once per container: `true` only in the local runtime and tests, never in the cloud. */
export function destinationPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): DestinationPolicy {
  return { allowPrivate: env[ALLOW_PRIVATE_DESTINATIONS_ENV] === 'true' };
}

export type DestinationCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_DESTINATION_URL_LENGTH = 2_048;
export const SLACK_WEBHOOK_HOST = 'hooks.slack.com';
const SLACK_WEBHOOK_PATH = /^\/services\/[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]+$/;
/** Names that only ever mean this machine or a private network. */
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|home\.arpa|localdomain)$/i;

/** Whether `raw` may be a destination of a `channel` under `policy`, and why not. */
export function checkDestination(
  raw: string,
  channel: ChannelType,
  policy: DestinationPolicy,
): DestinationCheck {
  if (raw.length > MAX_DESTINATION_URL_LENGTH) {
    return refuse(`URL is longer than ${MAX_DESTINATION_URL_LENGTH} characters`);
  }
  const url = URL.parse(raw);
  if (url === null) return refuse('not a valid URL');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowPrivate)) {
    return refuse(policy.allowPrivate ? 'URL must be http or https' : 'URL must be https');
  }
  if (url.username !== '' || url.password !== '') return refuse('URL must not carry credentials');
  const host = hostOf(url);
  if (host === '') return refuse('URL has no host');
  const loopbackStandIn = policy.allowPrivate && isLoopbackHost(host);

  if (channel === 'slack' && !loopbackStandIn) {
    if (host !== SLACK_WEBHOOK_HOST || url.protocol !== 'https:' || url.port !== '') {
      return refuse(`a Slack channel needs an https://${SLACK_WEBHOOK_HOST}/services/… incoming webhook URL`);
    }
    if (!SLACK_WEBHOOK_PATH.test(url.pathname) || url.search !== '') {
      return refuse('not a Slack incoming webhook URL: expected /services/T…/B…/secret');
    }
    return { ok: true, url };
  }

  if (!policy.allowPrivate) {
    // Ports below 1024 other than the web's are other protocols (SMTP, SSH…): no webhook lives there.
    if (url.port !== '' && Number(url.port) < 1024 && url.port !== '443') {
      return refuse(`port ${url.port} is not allowed`);
    }
    if (isIP(host) === 0 && (PRIVATE_NAME.test(host) || !host.includes('.'))) {
      return refuse(`${host} is not a public host name`);
    }
  }
  if (isIP(host) !== 0) {
    const reason = refusedAddressReason(host, policy);
    if (reason !== undefined) return refuse(reason);
  }
  return { ok: true, url };
}

/** The host as connected to: brackets off an IPv6 literal, no trailing root dot. */
export function hostOf(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function isLoopbackHost(host: string): boolean {
  if (/^(.+\.)?localhost$/i.test(host)) return true;
  return isLoopbackAddress(host);
}

function refuse(reason: string): DestinationCheck {
  return { ok: false, reason };
}
