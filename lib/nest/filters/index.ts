export { RakomiExceptionFilter, type RakomiErrorResponseBody } from './rakomi-exception.filter.js';
