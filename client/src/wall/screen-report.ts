/**
 * What a wall screen tells the server about itself in its heartbeat (`ScreenReport`): enough for an
 * organiser to see, from the console, that the projector in room B is still live, on the right layout and
 * size, caught up with the wall, and not slowly filling its memory over a twelve-hour day.
 */
import type { Language, Layout, ScreenReport } from '../shared/types.js';

/** A random id for this page load: one screen is one row in the console however often it reconnects. */
export function newScreenId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export interface ScreenFacts {
  screen: string;
  layout: Layout;
  seq: number;
  mode: ScreenReport['mode'];
  language: Language;
  /** The element whose subtree holds the cards (the layout element); null when none is rendered. */
  root: Element | null;
}

export function buildScreenReport(facts: ScreenFacts): ScreenReport {
  return {
    screen: facts.screen,
    layout: facts.layout,
    width: Math.round(window.innerWidth),
    height: Math.round(window.innerHeight),
    seq: facts.seq,
    heapMb: heapMb(),
    cards: facts.root === null ? 0 : countCards(facts.root),
    mode: facts.mode,
    language: facts.language,
  };
}

/** Chromium's non-standard `performance.memory`, in MiB with one decimal; null in other browsers. */
function heapMb(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize?: unknown } }).memory;
  const used = memory?.usedJSHeapSize;
  return typeof used === 'number' && Number.isFinite(used) ? Math.round((used / 1048576) * 10) / 10 : null;
}

/**
 * The `toile-wall-card` elements under `root`, looking into open shadow roots (a layout renders its cards
 * in its own). The DOM of a wall is small and bounded, so a walk every 30 s costs nothing.
 */
export function countCards(root: Element): number {
  let count = 0;
  const stack: ParentNode[] = [root];
  if (root.shadowRoot) stack.push(root.shadowRoot);
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const element of node.querySelectorAll('*')) {
      if (element.localName === 'toile-wall-card') count += 1;
      if (element.shadowRoot) stack.push(element.shadowRoot);
    }
  }
  return count;
}
