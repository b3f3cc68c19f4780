// S3 orders keys by their UTF-8 bytes, which is Unicode code point order: the comparison is the
// one the product's scanner uses (one definition of the order), the helpers below are the sim's.
import { compareKeys } from '../src/providers/key-order.js';

export { compareKeys };

/** The smallest string greater than `key`. */
export function keyAfter(key: string): string {
  return key + '\u0000';
}

/** The smallest string greater than every string that starts with `prefix` (prefix non-empty). */
export function prefixEnd(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()!.codePointAt(0)!;
  let next = last + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
  return chars.join('') + String.fromCodePoint(next);
}

/** The larger of two keys. */
export function maxKey(a: string, b: string): string {
  return compareKeys(a, b) >= 0 ? a : b;
}
