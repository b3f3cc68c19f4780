// The order S3 and Azure Blob list keys in: by their UTF-8 bytes, which is Unicode code point order.
// JavaScript compares UTF-16 code units, which differs for characters above U+FFFF (surrogate pairs)
// against U+E000–U+FFFF. One comparison for the scanner, the Blob adapter and the cloud simulator.

/** Compares keys in the order S3 and Blob list them: by Unicode code point (UTF-8 byte order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // a surrogate stands for a code point above every BMP character
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
