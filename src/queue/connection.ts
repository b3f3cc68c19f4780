// Redis connections with the options BullMQ asks for: producers fail fast when Redis is down
// (a slash command must not hang past Slack's 3 s), workers wait for Redis forever.
import { Redis } from 'ioredis';

export function producerConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

export function workerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 5000),
  });
}

/**
 * Plain connection for state (store/): fails fast like a producer, so handlers can answer. Every
 * command has a deadline (queued while reconnecting or not), so a listener waiting on Redis gives
 * up well inside Slack's 3 s.
 */
export const STATE_COMMAND_TIMEOUT_MS = 1500;

export function stateConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    commandTimeout: STATE_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}
