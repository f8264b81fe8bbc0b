export { authorizationHeaders, describeRoute, incomingMessage, requestHeaders } from './http-request.util.js';
export { handlerSendsResponse } from './route-metadata.util.js';
