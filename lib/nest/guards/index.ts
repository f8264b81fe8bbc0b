export { RakomiAuthGuard } from './rakomi-auth.guard.js';
