/**
 * atop's colour thresholds (atoprc keywords, same defaults). A line's
 * badness is busy*100/critical, truncated; >= 100 is critical (red),
 * >= almostcrit is almost critical (cyan). A critical value of 0 disables
 * the check.
 */
export interface Thresholds {
  cpucritperc: number;
  memcritperc: number;
  swpcritperc: number;
  dskcritperc: number;
  swoutcritsec: number;
  almostcrit: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  cpucritperc: 90,
  memcritperc: 90,
  swpcritperc: 80,
  dskcritperc: 90,
  swoutcritsec: 10,
  almostcrit: 80,
};

export type Level = 'crit' | 'almost' | 'ok';

export function badnessOf(busy: number, critperc: number): number {
  if (critperc <= 0) return 0;
  return Math.trunc((Math.trunc(busy) * 100) / critperc);
}

export function levelOf(badness: number, t: Thresholds): Level {
  if (badness >= 100) return 'crit';
  if (t.almostcrit > 0 && badness >= t.almostcrit) return 'almost';
  return 'ok';
}
