/**
 * Shared scanner for the kernel's "Key: value [kB]" and "key value" text files
 * (meminfo, vmstat, status). Pure: text in, numbers out.
 */
import { isKernelCount, U64_LIMIT } from './number.js';

/**
 * Calls `visit(key, number, hasKbSuffix)` for every line whose value starts
 * with a number the kernel can print (isKernelCount); a line with any other
 * value is skipped, so its key stays unknown.
 */
export function scanKeyNumbers(
  text: string,
  separator: ':' | ' ',
  visit: (key: string, value: number, kb: boolean) => void,
): void {
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = len;
    const sep = text.indexOf(separator, pos);
    if (sep > pos && sep < eol) {
      const key = text.slice(pos, sep);
      const rest = text.slice(sep + 1, eol).trim();
      const space = rest.indexOf(' ');
      const numText = space < 0 ? rest : rest.slice(0, space);
      const value = Number(numText);
      if (numText !== '' && isKernelCount(value) && (!rest.endsWith('kB') || value <= U64_LIMIT / 1024)) {
        visit(key, value, space >= 0 && rest.endsWith('kB'));
      }
    }
    pos = eol + 1;
  }
}
