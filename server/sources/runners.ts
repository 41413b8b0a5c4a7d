import { createBlueskyRunner } from './bluesky.js';
import type { RunnerFactories } from './manager.js';
import { createMastodonRunner } from './mastodon.js';
import { createXRunner } from './x.js';

/** The adapter for each kind of source: adding a network is one file and one line here. */
export const SOURCE_RUNNERS: RunnerFactories = {
  mastodon: createMastodonRunner,
  bluesky: createBlueskyRunner,
  x: createXRunner,
};
