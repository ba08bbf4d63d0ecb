import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { IdempotencyStore } from '#lib/domain/ports/idempotency-store.ts';
import { ConflictError, UnprocessableError } from '../domain/errors.ts';
import { runtime } from '../wiring/index.ts';
import { logger } from './logger.ts';
import { problemResponse, RequestValidationError, toProblem } from './problem.ts';

/**
 * `Idempotency-Key` for writes (enabled per route with `idempotent: true`, after auth because the
 * key is the tenant's). One record per (tenant, key) in the config table, 24 h:
 *
 * 1. The first request claims the key with a conditional put (state in-progress, fingerprint =
 *    sha256 of method, path and sha256 of the body) and runs.
 * 2. Its response is stored under the claim, 2xx–4xx alike; a 5xx (or a crash, once the
 *    in-progress lock of IN_PROGRESS_LOCK_MS has passed) releases the key so a retry runs again.
 * 3. A repeat with the same fingerprint gets the stored response with `Idempotent-Replayed: true`;
 *    a different request under the same key gets 422 IDEMPOTENCY_KEY_REUSED; a repeat while the
 *    first is still running gets 409 IDEMPOTENCY_IN_PROGRESS.
 *
 * Stored responses can hold secrets (a new API key is shown once), so they are encrypted with
 * AES-256-GCM under a key derived from the client's Idempotency-Key, which the server never
 * stores: the record's partition key carries only a digest of it. Whoever can read the table
 * cannot read a stored response without the client's key (clients should use random keys, e.g.
 * UUIDs; a guessable key protects less).
 */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Longer than any route's Lambda timeout (30 s at most), so an abandoned claim is never one still running. */
export const IN_PROGRESS_LOCK_MS = 60_000;
const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
/** Stored responses stay well inside DynamoDB's 400 KB item limit; larger ones are not replayable. */
const MAX_STORED_BYTES = 300_000;

interface Claim {
  tenantId: string;
  storageKey: string;
  token: string;
  secret: Buffer;
}

interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

function responseKey(clientKey: string, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', clientKey, tenantId, 'meterhouse/idempotent-response/v1', 32));
}

function seal(plain: string, secret: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

function unseal(sealed: string, secret: Buffer): StoredResponse {
  const [, iv = '', tag = '', data = ''] = sealed.split('.');
  const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
  return JSON.parse(plain) as StoredResponse;
}

export interface IdempotencyContext {
  tenantId: string;
  /** The body as received (before JSON parsing). */
  rawBody: string;
}

/**
 * The middleware. `context` reads the authenticated tenant and the raw body from the event;
 * `store` and `clock` default to the container's runtime.
 */
export function idempotency<E extends APIGatewayProxyEventV2>(
  context: (event: E) => IdempotencyContext | undefined,
  deps: { store?: () => IdempotencyStore; clock?: () => Date } = {},
): MiddlewareObj<E, APIGatewayProxyStructuredResultV2> {
  const store = deps.store ?? (() => runtime().idempotency);
  const clock = deps.clock ?? (() => runtime().clock());
  const claims = new WeakMap<object, Claim>();

  const finish = async (claim: Claim, response: APIGatewayProxyStructuredResultV2) => {
    const status = response.statusCode ?? 200;
    const stored: StoredResponse = {
      statusCode: status,
      headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k, String(v)])),
      body: response.body ?? '',
    };
    const serialized = JSON.stringify(stored);
    try {
      if (status >= 500 || Buffer.byteLength(serialized, 'utf8') > MAX_STORED_BYTES) {
        await store().release(claim.tenantId, claim.storageKey, claim.token);
      } else {
        await store().complete(claim.tenantId, claim.storageKey, claim.token, seal(serialized, claim.secret));
      }
    } catch (error) {
      // The request itself is done; a record left in progress is abandoned after IN_PROGRESS_LOCK_MS.
      logger.error('idempotency record not stored', { error: error as Error });
      await store()
        .release(claim.tenantId, claim.storageKey, claim.token)
        .catch(() => undefined);
    }
  };

  return {
    before: async (request) => {
      const { event } = request;
      const clientKey = event.headers?.[HEADER];
      if (clientKey === undefined) return undefined;
      if (!KEY_PATTERN.test(clientKey)) {
        throw new RequestValidationError([
          { in: 'header', name: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
        ]);
      }
      const ctx = context(event);
      if (!ctx) return undefined;
      const method = event.requestContext?.http?.method ?? '';
      const fingerprint = sha256(`${method} ${event.rawPath}\n${sha256(ctx.rawBody)}`);
      const claim: Claim = {
        tenantId: ctx.tenantId,
        storageKey: sha256(`${ctx.tenantId}\n${clientKey}`),
        token: randomUUID(),
        secret: responseKey(clientKey, ctx.tenantId),
      };
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const now = clock();
        const result = await store().claim(
          claim.tenantId,
          claim.storageKey,
          {
            fingerprint,
            state: 'in-progress',
            token: claim.token,
            lockedUntil: now.getTime() + IN_PROGRESS_LOCK_MS,
            expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          now,
        );
        if (result.claimed) {
          claims.set(event, claim);
          return undefined;
        }
        const { existing } = result;
        if (!existing) continue;
        if (existing.fingerprint !== fingerprint) {
          throw new UnprocessableError(
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used for a different request (method, path or body); use a new key',
          );
        }
        if (existing.state === 'completed' && existing.response !== undefined) {
          const replay = unseal(existing.response, claim.secret);
          logger.info('request replayed', { status: replay.statusCode });
          logger.resetKeys();
          return { ...replay, headers: { ...replay.headers, 'idempotent-replayed': 'true' } };
        }
        break;
      }
      throw new ConflictError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed; retry later',
      );
    },

    after: async (request) => {
      const claim = claims.get(request.event);
      if (!claim || !request.response) return;
      claims.delete(request.event);
      await finish(claim, request.response);
    },

    onError: async (request) => {
      const claim = claims.get(request.event);
      if (!claim) return;
      claims.delete(request.event);
      // The response the error mapper (outermost) is about to send: same function, same input.
      const requestId = request.event.requestContext?.requestId ?? 'unknown';
      await finish(claim, problemResponse(toProblem(request.error, request.event.rawPath ?? '/', requestId)));
    },
  };
}
