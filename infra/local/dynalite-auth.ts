import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * dynalite checks no credentials, and loopback is open to every local user: without a gate any of
 * them could read every tenant's configuration, or write an API key that the API then accepts.
 * The gate admits a request only when its SigV4 `Authorization` header names the access key id
 * that this server was started with, a random value known only to its owner (runtime.json, 0600,
 * and the threads it starts). dynalite verifies no signature, so the access key id is the secret.
 */
export function newAccessKeyId(): string {
  // 160 random bits; hex keeps it free of the '/' that separates the SigV4 credential scope.
  return randomBytes(20).toString('hex').toUpperCase();
}

const CREDENTIAL = /\bCredential=([^/,\s]+)\//;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** True when the request is signed with `accessKeyId` (compared in constant time). */
export function presentsAccessKeyId(request: IncomingMessage, accessKeyId: string): boolean {
  const presented = CREDENTIAL.exec(request.headers.authorization ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(accessKeyId));
}

/** What DynamoDB answers a request with an unknown access key. */
function refuse(response: ServerResponse): void {
  const body = JSON.stringify({
    __type: 'com.amazon.coral.service#UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
  });
  response.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    connection: 'close',
  });
  response.end(body);
}

/** Puts the gate in front of dynalite's own request listener; call before `listen`. */
export function requireAccessKeyId(server: Server, accessKeyId: string): Server {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (listeners.length === 0) throw new Error('requireAccessKeyId: the server has no request listener');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!presentsAccessKeyId(request, accessKeyId)) {
      request.resume();
      refuse(response);
      return;
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
  return server;
}
