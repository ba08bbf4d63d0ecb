import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per container (Powertools); every line carries the request id. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'meterhouse',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
});
