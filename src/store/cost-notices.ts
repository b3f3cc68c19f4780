// What the cost controls already said, in Redis, so each thing is said once whatever process says
// it next: the missing tags named for a job (by the triage report or the monitor), and the budget
// alerts posted this month.
//
// Keys (P = prefix):
//   P:tags-said:<job>               the missing tags last named for the job (sorted, one a line)
//   P:budget:<budget id>:<YYYY-MM>  JSON BudgetMemory of that month (kept 70 days)
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { BudgetMemory } from '../domain/budget.js';
import { missingTagsFingerprint } from '../domain/tags.js';

const BUDGET_TTL_SEC = 70 * 86_400;
const TAGS_TTL_SEC = 180 * 86_400;

const BudgetMemorySchema = z.object({
  forecastAlertedAt: z.number().optional(),
  actualAlertedAt: z.number().optional(),
});

export class CostNotices {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private tagsKey(job: string): string {
    return `${this.prefix}:tags-said:${job}`;
  }

  private budgetKey(budgetId: string, month: string): string {
    return `${this.prefix}:budget:${budgetId}:${month}`;
  }

  /** Whether these missing tags are news: something is missing and it is not what was last said. */
  async tagsAreNews(job: string, missing: readonly string[]): Promise<boolean> {
    if (missing.length === 0) return false;
    return (await this.redis.get(this.tagsKey(job))) !== missingTagsFingerprint(missing);
  }

  /**
   * Remember what was said about the job's tags; nothing missing forgets it, so a tag removed
   * later is news again.
   */
  async rememberTags(job: string, missing: readonly string[]): Promise<void> {
    if (missing.length === 0) await this.redis.del(this.tagsKey(job));
    else await this.redis.set(this.tagsKey(job), missingTagsFingerprint(missing), 'EX', TAGS_TTL_SEC);
  }

  async budgetMemory(budgetId: string, month: string): Promise<BudgetMemory | undefined> {
    const raw = await this.redis.get(this.budgetKey(budgetId, month));
    if (!raw) return undefined;
    const parsed = BudgetMemorySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async setBudgetMemory(budgetId: string, month: string, memory: BudgetMemory): Promise<void> {
    await this.redis.set(this.budgetKey(budgetId, month), JSON.stringify(memory), 'EX', BUDGET_TTL_SEC);
  }
}
