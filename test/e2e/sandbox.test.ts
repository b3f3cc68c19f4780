// The newcomer's story in a real browser (issue 8): `npm run sandbox`'s page in headless
// Chromium, every command and click going to the real bot as signed requests, the bot working
// against the cloud simulator and answering through the fake Slack. Each step saves a screenshot
// under test-artifacts/sandbox/ (SANDBOX_DOCS=1 also refreshes docs/sandbox-report.png).
//
// The story is a list of steps run in order on one page; a step for a feature still to come is
// added to STORY when the feature lands (see the list at the end of STORY).
// The sandbox runs the Azure simulator over HTTPS: this process trusts its CA from the start.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../scripts/sandbox.js';
import { waitFor } from '../support/wait.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(root, 'test-artifacts', 'sandbox');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Story {
  page: Page;
  sandbox: Sandbox;
  /** ts of the triage report message, once it is posted. */
  reportTs?: string;
}

let sandbox: Sandbox;
let browser: Browser;
let story: Story;
let shots = 0;
/** The channel `/incident declare` created (set by that test). */
let incidentChannel: string | undefined;
/** Requests the page tried to make outside the sandbox (aborted), and script errors in the page. */
const outside: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  sandbox = await startSandbox({
    port: 0,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: process.env.LOG_LEVEL ?? 'silent',
    compactionSec: 10,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  // Nothing may leave the machine: any request that is not to the sandbox fails the story.
  const origin = new URL(sandbox.url).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  story = { page, sandbox };
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

async function shot(page: Page, name: string): Promise<string> {
  shots += 1;
  const file = join(ARTIFACTS, `${String(shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Type into the channel's composer and press Enter, as a person does. */
async function send(page: Page, text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The bot's top-level message whose text matches. */
function botMessage(page: Page, text: RegExp): Locator {
  return page.locator('#messages .message[data-bot="true"]:not(.ephemeral)').filter({ hasText: text });
}

async function actAs(page: Page, userId: string): Promise<void> {
  await page.selectOption('#user-switcher', userId);
  await page.locator('#user-switcher').evaluate((el, id) => {
    if ((el as unknown as { value: string }).value !== id) throw new Error('switch failed');
  }, userId);
}

/**
 * The README's picture: the whole report, and beside it its thread scrolled to the chart. The
 * viewport is made tall enough for the report, then the page is cropped around it.
 */
async function reportPicture(page: Page, report: Locator, chart: Locator): Promise<void> {
  const size = page.viewportSize()!;
  const width = 1240;
  // A little smaller than life, so the picture stays under 300 KB.
  await page.evaluate(
    () =>
      ((
        globalThis as unknown as { document: { body: { style: { zoom: string } } } }
      ).document.body.style.zoom = '0.9'),
  );
  // Make the message list exactly as tall as the report, so the report fills it top to bottom.
  await page.setViewportSize({ width, height: 1200 });
  const reportHeight = (await report.boundingBox())!.height;
  const listHeight = (await page.locator('#messages').boundingBox())!.height;
  await page.setViewportSize({
    width,
    height: Math.min(Math.ceil(1200 + reportHeight - listHeight + 16), 2400),
  });
  await report.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await chart.evaluate((el) => el.closest('.message')?.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  const box = (await report.boundingBox())!;
  const file = join(ARTIFACTS, 'report.png');
  await page.screenshot({
    path: file,
    clip: { x: 0, y: 0, width, height: Math.min(box.y + box.height, 2400) },
  });
  await page.evaluate(
    () =>
      ((
        globalThis as unknown as { document: { body: { style: { zoom: string } } } }
      ).document.body.style.zoom = ''),
  );
  await page.setViewportSize(size);
  if (process.env.SANDBOX_DOCS === '1') {
    mkdirSync(join(root, 'docs'), { recursive: true });
    copyFileSync(file, join(root, 'docs', 'sandbox-report.png'));
  }
}

// ---------------------------------------------------------------------------------------------
// The story, step by step

type Step = { name: string; run: (s: Story) => Promise<void> };

const openPage: Step = {
  name: 'open the page: a Slack-like workspace, acting as the on-call engineer',
  async run({ page, sandbox }) {
    await page.goto(sandbox.url);
    await page.locator('#live.live-on').waitFor();
    assert.equal(await page.locator('#channel-title').innerText(), '# data-ops');
    assert.equal(await page.locator('#user-switcher').inputValue(), 'U0ONCALL');
    // The composer suggests the app's slash commands.
    await page.locator('#composer-input').fill('/tri');
    await page.locator('.command-hint', { hasText: '/triage' }).click();
    assert.equal(await page.locator('#composer-input').inputValue(), '/triage ');
    await page.locator('#composer-input').fill('');
    // A marker that a reload would wipe: every later update must happen in place.
    await page.evaluate(() => ((globalThis as unknown as { storyMarker: number }).storyMarker = 1));
    await shot(page, 'open');
  },
};

const triageMyJob: Step = {
  name: '/triage MyJob: the ack, then the report, updated in place until it is final',
  async run(s) {
    const { page } = s;
    await send(page, '/triage MyJob');
    await page
      .locator('#messages .message.ephemeral')
      .filter({ hasText: /Triage of MyJob queued/ })
      .waitFor();
    assert.match(
      await page.locator('#messages .message.ephemeral .ephemeral-note').first().innerText(),
      /Only visible to you/,
    );
    const report = botMessage(page, /MyJob/).first();
    await report.waitFor();
    s.reportTs = (await report.getAttribute('data-ts')) ?? undefined;
    await shot(page, 'triage-first-render');
    // The same message (same ts) reaches its final state: verdict header and the timing line.
    const final = page.locator(`#messages .message[data-ts="${s.reportTs}"]`);
    await final.filter({ hasText: /triage took/ }).waitFor({ timeout: 60_000 });
    await final.locator('.block-header', { hasText: /DEGRADED: MyJob/ }).waitFor();
    assert.equal(await botMessage(page, /DEGRADED: MyJob/).count(), 1, 'one report, updated in place');
    const edits = sandbox.slack.callsTo('chat.update').filter((c) => c.args.ts === s.reportTs);
    assert.ok(edits.length >= 1, 'the report was updated with chat.update');
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { storyMarker?: number }).storyMarker),
      1,
    );
    // The ack was for Olivia only; she can dismiss it.
    const ack = page.locator('#messages .message.ephemeral').filter({ hasText: /Triage of MyJob queued/ });
    await ack.getByRole('button', { name: 'Dismiss message' }).click();
    await ack.waitFor({ state: 'detached' });
    await final.scrollIntoViewIfNeeded();
    await shot(page, 'triage-report');
  },
};

const chartInThread: Step = {
  name: 'the thread holds the duration chart, served by the fake Slack',
  async run({ page, reportTs }) {
    const report = page.locator(`#messages .message[data-ts="${reportTs}"]`);
    await report.locator('.thread-summary').waitFor();
    await report.locator('.thread-summary').click();
    const chart = page.locator('#thread .file-image img').first();
    await chart.waitFor();
    await page.waitForFunction(
      (img) => {
        const i = img as unknown as { complete: boolean; naturalWidth: number };
        return i.complete && i.naturalWidth > 100;
      },
      await chart.elementHandle(),
    );
    await chart.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, 'thread-chart');
    await reportPicture(page, report, chart);
    await page.locator('#thread-close').click();
  },
};

const pinReport: Step = {
  name: 'react with :pushpin: on the report: the reaction reaches the bot as reaction_added',
  async run({ page, reportTs }) {
    const report = page.locator(`#messages .message[data-ts="${reportTs}"]`);
    await report.hover();
    await report.getByRole('button', { name: 'Add reaction' }).click();
    await report.getByRole('button', { name: 'React with :pushpin:' }).click();
    await report.locator('.reaction.mine', { hasText: '📌' }).waitFor();
    await shot(page, 'pushpin');
  },
};

const tickChecklist: Step = {
  name: '/incident checklist, then tick an item: the checklist message updates in place',
  async run(s) {
    const { page } = s;
    await send(page, '/incident checklist');
    const checklist = page
      .locator('#messages .message[data-bot="true"]:not(.ephemeral)')
      .filter({ has: page.locator('.checkboxes') })
      .first();
    await checklist.waitFor();
    const ts = (await checklist.getAttribute('data-ts'))!;
    const box = checklist.locator('.checkboxes input[type=checkbox]:not(:checked)').first();
    const value = (await box.getAttribute('value'))!;
    const label = (await box.locator('xpath=..').innerText()).trim();
    await box.check();
    // Wait for the state asserted, not for "some update": the bot may update this message for
    // other reasons (an item it ticks itself), so the first chat.update after the click can still
    // show the item unticked. The message as Slack holds it must show the item ticked…
    await waitFor(`item ${value} ticked in the message`, () =>
      tickedItems(sandbox.slack.message('C0DATAOPS', ts)).has(value),
    );
    // …and the page, re-rendered from that message, shows it ticked too.
    await page
      .locator(`#messages .message[data-ts="${ts}"] .checkboxes label`)
      .filter({ hasText: label.slice(0, 30) })
      .locator('input:checked')
      .waitFor();
    await checklist.scrollIntoViewIfNeeded();
    await shot(page, 'checklist-ticked');
  },
};

const requestCompaction: Step = {
  name: 'request compaction: the report button opens the modal; submitting posts the approval request',
  async run(s) {
    const { page } = s;
    const report = page.locator(`#messages .message[data-ts="${s.reportTs}"]`);
    await report
      .getByRole('button', { name: /compaction/i })
      .first()
      .click();
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await shot(page, 'compaction-modal');
    // Submitting without a reason: the bot's field error shows in the modal.
    await modal.getByRole('button', { name: 'Request approval' }).click();
    await modal.locator('.input-error').first().waitFor();
    await modal
      .locator('[data-block-id="reason"] textarea')
      .fill('Small files: 20x the files in the newest partition');
    await modal.getByRole('button', { name: 'Request approval' }).click();
    await modal.waitFor({ state: 'detached' });
    await botMessage(page, /Approval/)
      .first()
      .waitFor();
    await shot(page, 'approval-requested');
  },
};

const approveAsApprover: Step = {
  name: 'switch to the approver and approve: four eyes',
  async run(s) {
    const { page } = s;
    // The requester cannot approve their own request: the bot answers only them.
    const asRequester = botMessage(page, /Approval/).last();
    await asRequester.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('alertdialog').locator('.btn-primary, .btn-danger').click();
    await page
      .locator('#messages .message.ephemeral')
      .filter({ hasText: /someone else|not an approver|cannot approve/i })
      .waitFor();
    await shot(page, 'self-approval-refused');
    await actAs(page, 'U0APPROVER');
    const approval = botMessage(page, /Approval/).last();
    await approval.getByRole('button', { name: 'Approve' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    await shot(page, 'approve-confirm');
    await confirm.locator('.btn-primary, .btn-danger').click();
    await approval.filter({ hasText: /approved/i }).waitFor();
    await shot(page, 'approved');
  },
};

const runFinishes: Step = {
  name: 'the compaction run finishes: the approval message ends with the outcome',
  async run(s) {
    const { page } = s;
    const approval = botMessage(page, /Approval/).last();
    await approval
      .filter({ hasText: /succeeded: run jr_\w+ of MyJob-compaction/ })
      .waitFor({ timeout: 90_000 });
    assert.match(await approval.innerText(), /MyJob recovers on its next run/);
    const runs = sandbox.sim.state.glue.runsOf('MyJob-compaction');
    assert.equal(runs.length, 1, 'one compaction run was started on the simulator');
    // MyJob's next scheduled run follows the compaction: the bot judges it against the baseline.
    await approval.filter({ hasText: /Recovered on run jr_\w+ of MyJob/ }).waitFor({ timeout: 90_000 });
    assert.match(await approval.innerText(), /against a baseline of/);
    await approval.scrollIntoViewIfNeeded();
    await shot(page, 'run-finished');
  },
};

const incidentTimeline: Step = {
  name: '/incident timeline: every step so far, with the markdown export in the thread',
  async run(s) {
    const { page } = s;
    await send(page, '/incident timeline');
    const timeline = botMessage(page, /Timeline: INC-/).last();
    await timeline.waitFor();
    const text = await timeline.innerText();
    assert.match(text, /triage/i);
    assert.match(text, /approv/i);
    assert.match(text, /Pinned message/, 'the :pushpin: of the report is on the timeline');
    // Its permalink opens the report here, not on slack.com.
    await timeline.getByRole('link', { name: 'link', exact: true }).first().click();
    await page.locator(`#messages .message.flash[data-ts="${s.reportTs}"]`).waitFor();
    await timeline.scrollIntoViewIfNeeded();
    await shot(page, 'incident-timeline');
  },
};

const incidentPostmortem: Step = {
  name: '/incident postmortem: the draft, built from the timeline, shared as a file',
  async run(s) {
    const { page } = s;
    await send(page, '/incident postmortem');
    const draft = botMessage(page, /Post-mortem draft of INC-/).last();
    await draft.waitFor();
    await draft.locator('.snippet-file pre').filter({ hasText: /#/ }).waitFor();
    await draft.scrollIntoViewIfNeeded();
    await shot(page, 'incident-postmortem');
  },
};

/** Values of the checkbox options a message's blocks show ticked. */
function tickedItems(message: { blocks?: unknown[] } | undefined): Set<string> {
  const out = new Set<string>();
  for (const b of (message?.blocks ?? []) as { elements?: { initial_options?: { value?: string }[] }[] }[])
    for (const el of b.elements ?? [])
      for (const o of el.initial_options ?? []) if (o.value) out.add(o.value);
  return out;
}

/** In order; a new feature's step goes where the newcomer would meet it. */
const STORY: Step[] = [
  openPage,
  triageMyJob,
  chartInThread,
  pinReport,
  tickChecklist,
  requestCompaction,
  approveAsApprover,
  runFinishes,
  incidentTimeline,
  incidentPostmortem,
];

/** A test on the story's page that leaves a screenshot when it fails. */
function pageTest(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    try {
      await fn();
    } catch (err) {
      await shot(story.page, `failed-${name.slice(0, 24).replace(/\W+/g, '-')}`).catch(() => {});
      throw err;
    }
  });
}

test('the newcomer story in the sandbox page', async (t) => {
  for (const step of STORY) {
    await t.test(step.name, async () => {
      try {
        await step.run(story);
      } catch (err) {
        await shot(story.page, `failed-${step.name.slice(0, 20).replace(/\W+/g, '-')}`).catch(() => {});
        throw err;
      }
    });
  }
});

pageTest('/incident declare in #general: the channel the bot creates appears in the sidebar', async () => {
  const { page } = story;
  await actAs(page, 'U0ONCALL');
  await page.locator('.channel-link-item[data-channel="C0GENERAL"]').click();
  const before = await page.locator('#channels .channel-link-item').count();
  await send(page, '/incident declare Orders are late --job OomJob');
  await page.waitForFunction(
    (n) =>
      (
        globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
      ).document.querySelectorAll('#channels .channel-link-item').length > n,
    before,
  );
  const created = page.locator('#channels .channel-link-item.unread').first();
  await shot(page, 'incident-declared');
  incidentChannel = (await created.getAttribute('data-channel')) ?? undefined;
  await page.locator(`.channel-link-item[data-channel="${incidentChannel}"]`).click();
  await page
    .locator('#messages .message[data-bot="true"] .block-header', { hasText: /INC-/ })
    .first()
    .waitFor();
  assert.match(await page.locator('#channel-title').innerText(), /oomjob|orders/i);
  await shot(page, 'incident-channel');
});

pageTest(
  'in the new incident channel: OomJob triaged, scaled (a select and radio buttons in the modal), recovered',
  async () => {
    const { page } = story;
    assert.ok(incidentChannel, 'the declared incident channel');
    await actAs(page, 'U0ONCALL');
    await page.locator(`.channel-link-item[data-channel="${incidentChannel}"]`).click();
    await send(page, '/triage OomJob');
    const report = botMessage(page, /FAILING: OomJob/).first();
    await report.filter({ hasText: /triage took/ }).waitFor({ timeout: 60_000 });
    await report
      .getByRole('button', { name: /scale|workers/i })
      .first()
      .click();
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await modal.locator('[data-block-id="worker_type"] select').selectOption('G.2X');
    await modal.getByRole('radio', { name: /PERSISTENT/ }).check();
    await modal.getByRole('radio', { name: /Rerun once/ }).check();
    await modal
      .locator('[data-block-id="reason"] textarea')
      .fill('Out of memory: twice the memory per worker');
    await shot(page, 'scale-modal');
    await modal.getByRole('button', { name: 'Request approval' }).click();
    await modal.waitFor({ state: 'detached' });
    const approval = botMessage(page, /Approval: .*OomJob/).last();
    await approval.waitFor();
    assert.match(await approval.innerText(), /G\.2X/);
    await actAs(page, 'U0APPROVER');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('alertdialog').locator('.btn-primary, .btn-danger').click();
    await approval.filter({ hasText: /Recovered|Not recovered/ }).waitFor({ timeout: 90_000 });
    await approval.scrollIntoViewIfNeeded();
    await shot(page, 'scale-outcome');
  },
);

pageTest('untrusted text is shown as text, and mrkdwn becomes formatting, never markup', async () => {
  const { page } = story;
  const channel = sandbox.slack.addChannel({ id: 'C0RENDER', name: 'render-check', members: ['U0ONCALL'] });
  const hostile = '<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=1</script>';
  // As Slack sends it: &, < and > escaped in text that came from people or clouds.
  const escaped = hostile.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  sandbox.slack.postMessage({
    channel: channel.id,
    user: sandbox.slack.botUserId,
    botId: sandbox.slack.botId,
    text: 'fallback',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Render check :warning:' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*bold* _italic_ ~strike~ \`code\` <https://example.com/a?b=1|a link> <@U0APPROVER> <!subteam^S0ONCALL> <#C0DATAOPS> :red_circle:\n&gt; quoted ${escaped}\n\`\`\`${escaped}\`\`\``,
        },
      },
      { type: 'section', text: { type: 'plain_text', text: hostile } },
      { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'outside image' },
    ],
  });
  await actAs(page, 'U0ONCALL');
  await page.locator('.channel-link-item[data-channel="C0RENDER"]').click();
  const m = page.locator('#messages .message').filter({ hasText: 'Render check' });
  await m.waitFor();
  const section = m.locator('.block-section').first();
  assert.equal(await section.locator('b').first().innerText(), 'bold');
  assert.equal(await section.locator('i').first().innerText(), 'italic');
  assert.equal(await section.locator('s').first().innerText(), 'strike');
  assert.equal(await section.locator('code').first().innerText(), 'code');
  assert.equal(await section.locator('a[href="https://example.com/a?b=1"]').innerText(), 'a link');
  assert.equal(await section.locator('.mention').nth(0).innerText(), '@approver');
  assert.equal(await section.locator('.mention').nth(1).innerText(), '@oncall-sre');
  assert.equal(await section.locator('.mention').nth(2).innerText(), '#data-ops');
  assert.equal(await section.locator('.emoji').first().innerText(), '🔴');
  assert.match(await section.locator('blockquote').innerText(), /quoted <img src=x/);
  assert.equal(await section.locator('pre').innerText(), hostile);
  assert.equal(await m.locator('.block-section').nth(1).innerText(), hostile);
  assert.equal(
    await m.locator('img').count(),
    0,
    'no element was made from message text, and no outside image',
  );
  assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
  await shot(page, 'render-check');
});

pageTest(
  '/triage SalesPipeline: the Azure Synapse job beside the Glue ones, its runs linked to Synapse Studio',
  async () => {
    const { page } = story;
    await actAs(page, 'U0ONCALL');
    await page.locator('.channel-link-item[data-channel="C0GENERAL"]').click();
    await send(page, '/triage SalesPipeline');
    const report = botMessage(page, /DEGRADED: SalesPipeline/).first();
    await report.filter({ hasText: /triage took/ }).waitFor({ timeout: 60_000 });
    const text = await report.innerText();
    assert.match(text, /Azure Synapse · workspace contoso-ws/);
    assert.match(text, /vCore-hours/);
    assert.match(text, /Small files/);
    const href = await report.getByRole('link', { name: 'console' }).first().getAttribute('href');
    assert.match(href ?? '', /^https:\/\/ms\.web\.azuresynapse\.net\/en\/monitoring\/pipelineruns\//);
    await report.getByRole('button', { name: /Run compaction/ }).waitFor();
    await report.scrollIntoViewIfNeeded();
    await shot(page, 'synapse-report');
  },
);

test('the page reached nothing outside the sandbox and threw no error', () => {
  assert.deepEqual(outside, []);
  assert.deepEqual(pageErrors, []);
});
