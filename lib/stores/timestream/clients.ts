import { Agent } from 'node:https';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';

export interface TimestreamClientConfig {
  region?: string;
  /**
   * A fixed endpoint (e.g. a VPC interface endpoint's cell address). Without one the clients use
   * endpoint discovery, which Timestream requires: the SDK v3 clients call DescribeEndpoints on
   * first use and cache the cell endpoint for its TTL, transparently.
   */
  writeEndpoint?: string;
  queryEndpoint?: string;
  /** Shared by the two clients of one container; a keep-alive agent of its own when omitted. */
  httpsAgent?: Agent;
}

/** Keep-alive sockets, as AWS's Timestream guidance asks. */
export const timestreamHttpsAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: 50 });

/*
 * The Timestream clients as the cloud wiring should build them:
 * - endpoint discovery on explicitly (so AWS_ENABLE_ENDPOINT_DISCOVERY=false cannot break it),
 *   unless a fixed endpoint is given (the SDK refuses both);
 * - maxAttempts 1: the store retries throttling and 5xx itself with jittered backoff (retry.ts),
 *   so SDK retries would only multiply attempts;
 * - keep-alive sockets, a 20 s write timeout, and a query timeout above Timestream's own 60 s
 *   query limit.
 * One function per client, so that a bundle which builds only one holds only that one.
 */
function clientConfig(config: TimestreamClientConfig, endpoint: string | undefined, requestTimeout: number) {
  return {
    ...(config.region ? { region: config.region } : {}),
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : { endpointDiscoveryEnabled: true }),
    requestHandler: { httpsAgent: config.httpsAgent ?? timestreamHttpsAgent(), requestTimeout },
  };
}

export function createTimestreamWriteClient(config: TimestreamClientConfig = {}): TimestreamWriteClient {
  return new TimestreamWriteClient(clientConfig(config, config.writeEndpoint, 20_000));
}

export function createTimestreamQueryClient(config: TimestreamClientConfig = {}): TimestreamQueryClient {
  return new TimestreamQueryClient(clientConfig(config, config.queryEndpoint, 65_000));
}
