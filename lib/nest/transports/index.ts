export type { AuthTransport, Credentials } from './auth-transport.interface.js';
export { authTransport, findAuthTransport } from './auth-transports.js';
export { closeCode } from './close-code.js';
export { errorBody, type RakomiErrorResponseBody } from './error-body.js';
export { connectionParamsCredentials, graphqlError, type GraphqlWsConnection } from './graphql.transport.js';
export { connectionCredentials, isSocketIoSocket, rememberHandshake, sendWsException } from './ws.transport.js';
