export { ERROR_CATALOG, ERROR_DOCS_BASE_URL, type CatalogEntry, type RakomiErrorCode } from './error-catalog.js';
export { RakomiError, isRakomiError, type RakomiErrorJson, type RakomiErrorOptions } from './rakomi.error.js';
