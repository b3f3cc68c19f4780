// The default workspace: the ids of the example config in DESIGN.md (`medic.yml`), so a test and
// the sandbox can use that config as is.
import type { FakeChannelSeed, FakeUserSeed, FakeUsergroupSeed } from './types.js';

export const TEAM_ID = 'T0MEDIC';
export const TEAM_NAME = 'Pipeline Medic';
export const TEAM_DOMAIN = 'pipeline-medic';
export const APP_ID = 'A0MEDIC';
/** The bot's own user and bot id (what auth.test answers for a bot token). */
export const BOT_USER_ID = 'U0MEDICBOT';
export const BOT_ID = 'B0MEDIC';

export const DEFAULT_USERS: FakeUserSeed[] = [
  { id: 'U0ONCALL', name: 'oncall', realName: 'Olivia Oncall' },
  { id: 'U0APPROVER', name: 'approver', realName: 'Adam Approver' },
  { id: 'U0OWNER', name: 'dataowner', realName: 'Dana Owner' },
  { id: 'U0SRE1', name: 'sre1', realName: 'Sam Reliability' },
  { id: 'U0SRE2', name: 'sre2', realName: 'Sid Reliability' },
  { id: BOT_USER_ID, name: 'pipeline-medic', realName: 'Pipeline Medic', isBot: true, botId: BOT_ID },
];

export const DEFAULT_USERGROUPS: FakeUsergroupSeed[] = [
  { id: 'S0DATALEADS', handle: 'data-leads', name: 'Data leads', users: ['U0APPROVER'] },
  { id: 'S0ONCALL', handle: 'oncall-sre', name: 'On-call SRE', users: ['U0SRE1', 'U0SRE2'] },
];

export const DEFAULT_CHANNELS: FakeChannelSeed[] = [
  {
    id: 'C0DATAOPS',
    name: 'data-ops',
    topic: 'Data platform operations',
    members: ['U0ONCALL', 'U0APPROVER', 'U0OWNER', 'U0SRE1', 'U0SRE2', BOT_USER_ID],
  },
];
