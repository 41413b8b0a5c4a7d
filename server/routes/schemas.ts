/** JSON schemas shared by routes. Every route validates its input at the edge. */

export const slugPattern = '^[a-z0-9][a-z0-9-]{0,62}$';

export const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: slugPattern } },
} as const;

export const errorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

export interface SlugParams {
  slug: string;
}
