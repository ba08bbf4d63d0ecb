/**
 * Configuration is read once per container, at cold start, through these helpers: a missing
 * required variable fails fast with its name instead of surfacing later as an undefined table.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

/** Names of the environment variables the CDK `bind…` helpers set and the cloud wiring reads. */
export const ENV = {
  configTable: 'CONFIG_TABLE_NAME',
  timestreamDatabase: 'TIMESTREAM_DATABASE_NAME',
  timestreamTable: 'TIMESTREAM_TABLE_NAME',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;
