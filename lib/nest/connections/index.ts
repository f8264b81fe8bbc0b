export { authenticateConnection } from './authenticate-connection.js';
export { graphqlWsOnConnect } from './graphql-ws-on-connect.js';
