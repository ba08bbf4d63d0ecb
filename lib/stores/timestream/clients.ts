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
}

/**
 * The Timestream clients as the cloud wiring should build them:
 * - endpoint discovery on explicitly (so AWS_ENABLE_ENDPOINT_DISCOVERY=false cannot break it),
 *   unless a fixed endpoint is given (the SDK refuses both);
 * - maxAttempts 1: the store retries throttling and 5xx itself with jittered backoff (retry.ts),
 *   so SDK retries would only multiply attempts;
 * - keep-alive sockets (AWS's Timestream guidance), a 20 s write timeout, and a query timeout
 *   above Timestream's own 60 s query limit.
 */
export function createTimestreamClients(config: TimestreamClientConfig = {}): {
  writeClient: TimestreamWriteClient;
  queryClient: TimestreamQueryClient;
} {
  const httpsAgent = new Agent({ keepAlive: true, maxSockets: 50 });
  const region = config.region ? { region: config.region } : {};
  const writeClient = new TimestreamWriteClient({
    ...region,
    maxAttempts: 1,
    ...(config.writeEndpoint ? { endpoint: config.writeEndpoint } : { endpointDiscoveryEnabled: true }),
    requestHandler: { httpsAgent, requestTimeout: 20_000 },
  });
  const queryClient = new TimestreamQueryClient({
    ...region,
    maxAttempts: 1,
    ...(config.queryEndpoint ? { endpoint: config.queryEndpoint } : { endpointDiscoveryEnabled: true }),
    requestHandler: { httpsAgent, requestTimeout: 65_000 },
  });
  return { writeClient, queryClient };
}
