// The fake Slack Web API of the tests and the sandbox: one implementation (issue 8).
export { FakeSlack, RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from './fake-slack.js';
export { METHODS, SlackApiError, type MethodContext, type MethodHandler } from './methods.js';
export { validateBlocks, type Surface } from './block-kit-limits.js';
export { channelJson, ephemeralJson, fileJson, messageJson, userJson, viewJson } from './slack-json.js';
export {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  TEAM_DOMAIN,
  TEAM_ID,
  TEAM_NAME,
} from './seed.js';
export type * from './types.js';
