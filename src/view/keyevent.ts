/** A key press as blessed reports it: the key table (keys.ts), the prompt and the state read these fields. Pure: no blessed here. */
export interface KeyEvent {
  name?: string;
  full?: string;
  ctrl?: boolean;
  meta?: boolean;
}
