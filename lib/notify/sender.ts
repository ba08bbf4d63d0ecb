import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AttemptError, AttemptObservation } from '#lib/domain/notifications/delivery-outcome.ts';
import type { ChannelType } from '#lib/domain/notifications/notification.ts';
import { refusedAddressReason } from './address-policy.ts';
import { checkDestination, type DestinationPolicy } from './destination.ts';

/**
 * One delivery attempt: POST a JSON body to a channel's URL and report what came back, never
 * throwing. The SSRF guard runs twice: the URL rules before anything happens, and every address
 * the host name resolves to inside the socket's own `lookup`, so the address checked is the
 * address connected to (no DNS rebinding between a check and the connect). TLS SNI and the Host
 * header stay the host name. Redirects are never followed: a 3xx is returned as it is.
 */

export const DEFAULT_SEND_TIMEOUT_MS = 15_000;
/** Enough for any receiver's error message (Slack: `channel_not_found`); the rest is not read. */
export const DEFAULT_MAX_ANSWER_BYTES = 8 * 1024;
const USER_AGENT = 'Meterhouse-Notify/1.0';

/** Resolves a host name to every address it has (the system resolver by default; tests inject one). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

export interface SendRequest {
  url: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
}

export interface SendOptions {
  policy: DestinationPolicy;
  /** Which URL rules apply (a Slack channel must be a Slack webhook). */
  channel: ChannelType;
  /** The whole attempt, from lookup to the last byte read. */
  timeoutMs?: number;
  maxAnswerBytes?: number;
  resolve?: Resolver;
}

export interface SendResult extends AttemptObservation {
  durationMs: number;
}

/** The error a guarded lookup fails the connection with; its message is the recorded reason. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
}

export async function postJson(request: SendRequest, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const check = checkDestination(request.url, options.channel, options.policy);
  if (!check.ok) {
    return {
      status: null,
      headers: {},
      bodySnippet: '',
      error: { kind: 'refused', message: check.reason },
      durationMs: 0,
    };
  }
  const url = check.url;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<SendResult>((resolve) => {
    let response: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let timedOut = false;
    let settled = false;

    const settle = (failure?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      if (response !== undefined) {
        // An answer came: its status counts even if the body was cut short.
        const retryAfter = response.headers['retry-after'];
        resolve({
          status: response.statusCode ?? null,
          headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
          bodySnippet: Buffer.concat(chunks).subarray(0, maxAnswerBytes).toString('utf8'),
          durationMs: elapsed(),
        });
        return;
      }
      resolve({
        status: null,
        headers: {},
        bodySnippet: '',
        error: attemptError(failure, timedOut, timeoutMs),
        durationMs: elapsed(),
      });
    };

    const outgoing = client.request(url, {
      method: 'POST',
      agent: false,
      lookup: guardedLookup(options.policy, options.resolve ?? systemResolver),
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(request.body, 'utf8')),
        'user-agent': USER_AGENT,
      },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      settle(new Error('timed out'));
    }, timeoutMs);

    outgoing.on('response', (answer) => {
      response = answer;
      answer.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= maxAnswerBytes) settle();
      });
      answer.on('end', () => settle());
      answer.on('close', () => settle());
      answer.on('error', () => settle());
    });
    outgoing.on('error', (error) => settle(error));
    outgoing.end(request.body);
  });
}

/**
 * A `lookup` for node:http that resolves the host name and refuses the connection when ANY of its
 * addresses is refused by the policy: a name that mixes a public and a private address is an
 * attack, not a receiver. Otherwise it hands the socket exactly the addresses it checked.
 */
export function guardedLookup(policy: DestinationPolicy, resolve: Resolver): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        for (const { address } of addresses) {
          const reason = refusedAddressReason(address, policy);
          if (reason !== undefined) {
            callback(new DestinationRefusedError(`${hostname} resolves to ${reason}`), '', 0);
            return;
          }
        }
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.filter((candidate) => family === undefined || candidate.family === family);
        const first = usable[0];
        if (first === undefined) {
          const notFound: NodeJS.ErrnoException = new Error(`${hostname} has no usable address`);
          notFound.code = 'ENOTFOUND';
          callback(notFound, '', 0);
        } else if (options.all === true) {
          callback(null, [...usable]);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function attemptError(failure: unknown, timedOut: boolean, timeoutMs: number): AttemptError {
  if (timedOut) return { kind: 'timeout', message: `no answer within ${timeoutMs} ms` };
  if (failure instanceof DestinationRefusedError) return { kind: 'refused', message: failure.message };
  if (failure instanceof Error) {
    const code = (failure as NodeJS.ErrnoException).code;
    return { kind: 'network', message: code === undefined ? failure.message : `${code}: ${failure.message}` };
  }
  return { kind: 'network', message: 'connection failed' };
}
