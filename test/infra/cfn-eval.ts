// A small evaluator of the CloudFormation intrinsics our policies use (Ref, Fn::Sub, Fn::Join,
// Fn::Split), so a test can read a synthesized policy with given parameter values the way IAM
// would receive it from CloudFormation.
export type Values = Record<string, string | string[]>;

export function evaluate(node: unknown, values: Values): unknown {
  if (Array.isArray(node)) return node.map((n) => evaluate(n, values));
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    if (fn === 'Ref') return lookup(String(arg), values);
    if (fn === 'Fn::Sub') {
      if (typeof arg !== 'string') throw new Error('Fn::Sub with a variable map is not supported here');
      return arg.replace(/\$\{([A-Za-z0-9:]+)\}/g, (_, name: string) => {
        const v = lookup(name, values);
        if (Array.isArray(v)) throw new Error(`\${${name}} is a list`);
        return v;
      });
    }
    if (fn === 'Fn::Join') {
      const [sep, list] = arg as [string, unknown];
      const items = evaluate(list, values);
      if (!Array.isArray(items)) throw new Error('Fn::Join of a non-list');
      return items.map((i) => (Array.isArray(i) ? i.join(sep) : String(i))).join(sep);
    }
    if (fn === 'Fn::Split') {
      const [sep, text] = arg as [string, unknown];
      return String(evaluate(text, values)).split(sep);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, values)]));
}

function lookup(name: string, values: Values): string | string[] {
  const v = values[name];
  if (v === undefined) throw new Error(`no value for ${name}`);
  return v;
}
