import type { ArgumentsHost } from '@nestjs/common';
import type { RakomiError } from '../../errors/rakomi.error.js';
import { authorizationHeaders } from '../utils/http-request.util.js';
import type { AuthTransport, Credentials } from './auth-transport.interface.js';
import { errorBody } from './error-body.js';

/** The part of a graphql-ws connection context (`Context` of graphql-ws) read here. */
export interface GraphqlWsConnection {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra?: unknown;
}

/** A graphql-ws connection context: Nest's Apollo driver hands it over as `context.req` in subscriptions. */
function isGraphqlWsConnection(value: unknown): value is GraphqlWsConnection {
  const candidate = value as { acknowledged?: unknown; subscriptions?: unknown } | null;
  return typeof candidate?.acknowledged === 'boolean' && typeof candidate.subscriptions === 'object';
}

/**
 * The `authorization` / `Authorization` entries of graphql-ws `connectionParams` (`Bearer <token>`).
 * Both present is two credentials, refused as ambiguous.
 */
export function connectionParamsCredentials(params: unknown): Credentials {
  if (typeof params !== 'object' || params === null) return undefined;
  const values = [(params as Record<string, unknown>).authorization, (params as Record<string, unknown>).Authorization];
  const found = values.filter((value): value is string => typeof value === 'string');
  return found.length === 0 ? undefined : found;
}

/**
 * The `req` of the GraphQL context (Nest's drivers always set it): the HTTP request of a query or
 * mutation, or the graphql-ws connection context of a subscription.
 */
function graphqlRequest(host: ArgumentsHost): object | undefined {
  const context = host.getArgByIndex<{ req?: unknown } | undefined>(2);
  if (typeof context !== 'object' || context === null) return undefined;
  return typeof context.req === 'object' && context.req !== null ? context.req : context;
}

/** GraphQL `extensions.code` of each status, as Apollo names them. */
function graphqlCode(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * The `GraphQLError` of a Rakomi error: the catalog message, `extensions.code` (`UNAUTHENTICATED`,
 * `FORBIDDEN`, `SERVICE_UNAVAILABLE`, …) and the catalog body under `extensions.rakomi`. `graphql`
 * is loaded only here, when a GraphQL app answers an error (and typed `Error` so that no declaration
 * file of this package names `graphql`).
 */
export async function graphqlError(error: RakomiError): Promise<Error> {
  const { GraphQLError } = await import('graphql');
  return new GraphQLError(error.message, { extensions: { code: graphqlCode(error.status), rakomi: errorBody(error) } });
}

/**
 * GraphQL (`@nestjs/graphql`): the `Authorization` header of a query or mutation, or the
 * `connectionParams.authorization` a graphql-ws client sent when it connected (for subscriptions).
 * Claims go on `context.req`; the exception filter turns the error into a `GraphQLError`.
 */
export const graphqlTransport: AuthTransport = {
  claimsHolder: graphqlRequest,
  credentials: (_context, request) =>
    isGraphqlWsConnection(request) ? connectionParamsCredentials(request.connectionParams) : authorizationHeaders(request),
  refuse(error) {
    throw error;
  },
};
