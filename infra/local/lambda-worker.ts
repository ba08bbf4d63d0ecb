import { parentPort, workerData } from 'node:worker_threads';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DuckDbStoreClient } from '#lib/stores/duckdb/store-channel.ts';
import { documentClient } from '#lib/stores/dynamodb/config-table.ts';
import { installRuntime, Runtime } from '#lib/wiring/index.ts';
import { localLambdaContext, withApiGatewayBody } from './api-gateway-event.ts';
import { loadHandlers } from './handlers.ts';
import type { InvokeMessage, LambdaWorkerData, WorkerReply } from './lambda-workers.ts';
import { LOCAL_TABLE_NAME, localDynamoClient } from './local-dynamo.ts';
import { RateLimiterClient } from './rate-limit-channel.ts';

/**
 * One Lambda execution environment of the local runtime (started by lambda-workers.ts): the same
 * handlers over a runtime of its own, whose stores are the main thread's, reached as a Lambda
 * reaches them in AWS: DynamoDB over HTTP, the time series over a MessagePort.
 */
const port = parentPort;
if (!port) throw new Error('lambda-worker.ts runs only as a worker thread (see lambda-workers.ts)');
const { dynamodbEndpoint, dynamodbAccessKeyId, functions, timeSeriesPort, rateLimitPort } =
  workerData as LambdaWorkerData;

installRuntime(
  new Runtime(
    {
      configTable: () => ({
        doc: documentClient(localDynamoClient(dynamodbEndpoint, dynamodbAccessKeyId)),
        tableName: LOCAL_TABLE_NAME,
      }),
      timeSeries: () => new DuckDbStoreClient(timeSeriesPort),
    },
    undefined,
    { rateLimiter: new RateLimiterClient(rateLimitPort) },
  ),
);
const handlers = await loadHandlers(functions.map((name) => ({ function: name })));

// Several invocations run at once in this thread, as on Lambda Managed Instances. There the Lambda
// runtime keeps each invocation's context in the InvokeStore (an AsyncLocalStorage), and Powertools
// scopes the logger's keys and Lambda context to it once AWS_LAMBDA_MAX_CONCURRENCY is set; here
// likewise, so one request's keys never show in (or are reset by) another's lines. The store comes
// first: with the variable set, Powertools needs it. Only the variable's presence matters to it.
const invokeStore = await InvokeStore.getInstanceAsync(true);
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1024';
const REQUEST_ID = InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID;

async function invoke({
  id,
  functionName,
  event,
  timeoutSeconds,
  body,
}: InvokeMessage): Promise<WorkerReply> {
  try {
    const handler = handlers.get(functionName);
    if (!handler) throw new Error(`No handler loaded for ${functionName}`);
    const withBody = body ? withApiGatewayBody(event as APIGatewayProxyEventV2, Buffer.from(body)) : event;
    const context = localLambdaContext(functionName, timeoutSeconds);
    const result = await invokeStore.run({ [REQUEST_ID]: context.awsRequestId }, () =>
      handler(withBody, context),
    );
    return { type: 'result', id, result };
  } catch (error) {
    const { message, stack } = error instanceof Error ? error : new Error(String(error));
    return { type: 'error', id, message, ...(stack ? { stack } : {}) };
  }
}

port.on('message', (message: InvokeMessage) => {
  void invoke(message).then((reply) => {
    try {
      port.postMessage(reply);
    } catch (error) {
      // A result that structured clone refuses (a function, a class instance with private state).
      port.postMessage({
        type: 'error',
        id: message.id,
        message: `${message.functionName} returned a result that cannot leave its worker: ${(error as Error).message}`,
      } satisfies WorkerReply);
    }
  });
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
