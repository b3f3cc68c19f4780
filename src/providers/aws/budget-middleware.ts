// The shared request budget (src/providers/request-budget.ts) on an AWS SDK v3 client: a
// middleware placed right after the SDK's retry middleware, so every attempt — the first and each
// retry — waits for a token before it is signed and sent.
export type AcquireToken = () => Promise<unknown>;

interface RelativeStack {
  addRelativeTo(
    middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
    options: { relation: 'before' | 'after'; toMiddleware: string; name: string; override?: boolean },
  ): void;
}

export function applyRequestBudget(client: { middlewareStack: unknown }, acquire: AcquireToken): void {
  (client.middlewareStack as RelativeStack).addRelativeTo(
    (next) => async (args) => {
      await acquire();
      return await next(args);
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'medicRequestBudget', override: true },
  );
}
