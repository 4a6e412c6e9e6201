/**
 * Jest setup for projects that use real services: loads the variables `npm run services` wrote
 * (REDIS_URL, MONGO_URL, CHROMIUM_PATH) without overriding anything set by the caller.
 */
import { applyEnvFile } from '../../shared/config';

applyEnvFile();
