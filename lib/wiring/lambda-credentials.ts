/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias,
 * infra/cdk/bundling.ts): the SDK clients call its `defaultProvider` when no credentials are
 * given. Lambda hands a function its role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the default chain, which also bundles the SSO,
 * ini-file, process, web-identity, login and instance-metadata providers and the STS/SSO clients
 * they call, would never get past its first link there. Local runs and tests are not bundled and
 * keep the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
