import '../shared/fonts.js';
import { slugFromPath } from '../shared/page-slug.js';
import './toile-wall.js';

// The element is created with its slug and options already set, so that it connects once, to the right
// wall, in the right mode. `?layout=` overrides the wall's layout on this screen only; `?a11y=1` is the
// screen-reader mirror; `?embed=1` is for an iframe on another site (no header, transparent background).
const params = new URLSearchParams(location.search);
const wall = document.createElement('toile-wall');
wall.slug = slugFromPath(location.pathname);
wall.layout = params.get('layout') ?? '';
wall.mode = params.get('a11y') === '1' ? 'a11y' : params.get('embed') === '1' ? 'embed' : 'wall';
if (wall.mode === 'embed') {
  document.documentElement.dataset.embed = '';
  // Chromium paints a frame opaque when its declared colour scheme differs from the embedding page's, and it
  // reads the meta tag rather than the CSS: an embedded wall declares none, so the site shows through.
  document.querySelector('meta[name="color-scheme"]')?.remove();
}
document.body.append(wall);
