/**
 * Wall data as the client receives it, for the unit tests of the client's pure modules (reducer, pacer,
 * connection): a plain SMS message and a pre-moderated wall, with whatever a test overrides.
 */
import type { PublicWall, WallMessage } from '../../client/src/shared/types.js';

export function wallMessage(id: number, overrides: Partial<WallMessage> = {}): WallMessage {
  return {
    id,
    channel: 'sms',
    source: 'twilio',
    author: { name: `Author ${id}` },
    text: `Message ${id}`,
    media: [],
    createdAt: '2026-11-29T10:00:00.000Z',
    pinned: false,
    ...overrides,
  };
}

export function publicWall(overrides: Partial<PublicWall> = {}): PublicWall {
  return {
    slug: 'capcomnet',
    title: 'Cap’Com',
    hashtags: ['capcomnet'],
    moderation: 'pre',
    layout: 'grid',
    theme: 'dark',
    display: 'live',
    smsNumbers: [],
    emailAddresses: [],
    displayLimit: 50,
    ...overrides,
  };
}
