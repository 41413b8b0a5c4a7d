import type { Language } from '../shared/i18n.js';
import type { PublicWall, WallMessage } from '../shared/types.js';

/**
 * What the wall shell hands to a layout element. The shell folds the socket into state, the pacer picks
 * what is on screen; a layout only arranges it.
 *
 * Every layout element (`toile-layout-grid`, `-columns`, `-spotlight`, `-ticker`) takes these properties:
 * - `items: ShownItem[]`: what is on screen now, pinned first, then the most recently entered first. At most
 *   the capacity the layout last reported.
 * - `pool: WallMessage[]`: every item the wall holds (at most its display limit), pinned first then newest
 *   first: the spotlight's timeline and the columns' grouping read it; nothing else may render it all.
 * - `wall: PublicWall`, `lang: Language`, `now: number` (ms; the shell ticks it for relative times).
 *
 * and fires `toile-capacity` (bubbles, composed) with `detail: number` whenever the number of items it can
 * show at once changes (on first render and on resize).
 */
export interface ShownItem {
  message: WallMessage;
  /** When the item entered the screen (ms since the epoch). */
  enteredAt: number;
  /** True when it came back because the wall was quiet, rather than being new. */
  replay: boolean;
}

export type CapacityEvent = CustomEvent<number>;

export interface LayoutProps {
  items: readonly ShownItem[];
  pool: readonly WallMessage[];
  wall: PublicWall;
  lang: Language;
  now: number;
}
