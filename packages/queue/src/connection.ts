import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ workers block on Redis commands and must retry them forever rather than fail a
 * job when Redis blinks, hence `maxRetriesPerRequest: null` for them. Producers in a request
 * path want the opposite: fail fast so the API can answer 503.
 */
export function createRedis(url: string, role: 'worker' | 'producer'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  return new Redis(url, options);
}
