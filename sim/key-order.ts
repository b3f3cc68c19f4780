// S3 orders keys by their UTF-8 bytes, which is Unicode code point order. JavaScript compares
// UTF-16 code units, which differs for characters above U+FFFF against U+E000–U+FFFF; this
// comparison fixes that up without encoding.

export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = fixup(x);
      y = fixup(y);
    }
    return x - y;
  }
  return a.length - b.length;
}

function fixup(c: number): number {
  // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: move them above U+E000–U+FFFF.
  if (c >= 0xe000) return c - 0x800;
  return c + 0x2000;
}

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
