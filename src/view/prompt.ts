/**
 * A one-line question on the status line ("Column to sort on: ", ...):
 * printable keys type, Backspace deletes, Enter answers, Escape cancels.
 * Our own line editor: it lives in the same keypress stream as every other
 * key, so nothing else grabs the terminal while a question is open.
 */
import type { KeyEvent } from './keyevent.js';

export interface Prompt {
  question: string;
  value: string;
  /** Answered by the first printable key, no Enter needed (y/n questions). */
  single?: boolean;
  /** Called with the answer; may open the next question (kill: pid, then signal, then confirm). */
  answer(value: string): void;
}

export type PromptResult = 'typing' | 'done' | 'cancelled';

export function promptKey(prompt: Prompt, ch: string | undefined, key: KeyEvent): PromptResult {
  switch (key.name) {
    case 'enter':
      prompt.answer(prompt.value);
      return 'done';
    case 'return':
      return 'typing'; // blessed sends Enter as 'return' and then 'enter'
    case 'escape':
      return 'cancelled';
    case 'backspace':
      prompt.value = prompt.value.slice(0, -1);
      return 'typing';
  }
  if (key.full === 'C-u') {
    prompt.value = '';
    return 'typing';
  }
  if (ch && !key.ctrl && !key.meta && /^[\x20-\x7e]$/.test(ch)) {
    if (prompt.single) {
      prompt.answer(ch);
      return 'done';
    }
    prompt.value += ch;
  }
  return 'typing';
}

/** The status line while asking: the question, the typed text and a cursor block. */
export function promptLine(prompt: Prompt, width: number): string {
  const text = prompt.question + prompt.value;
  // Keep the end of a long answer in sight.
  return (text.length + 1 > width ? text.slice(text.length + 1 - width) : text) + '_';
}
